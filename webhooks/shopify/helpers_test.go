package shopify_test

import (
	"bytes"
	"io"

	whshopify "hub/webhooks/shopify"
)

func ioNop(b []byte) io.ReadCloser { return io.NopCloser(bytes.NewReader(b)) }

func parseOpen(s string) (map[string]bool, error) { return whshopify.ParseOpenTickets(s) }
