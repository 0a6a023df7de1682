package woocommerce

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"
)

// Int is an id or count that WooCommerce sends as a JSON number, and that
// plugins (and old API versions) sometimes send as a string: both decode.
// null and "" are 0.
type Int int64

// UnmarshalJSON accepts 12, "12", 12.0, null and "".
func (n *Int) UnmarshalJSON(b []byte) error {
	s := string(bytes.TrimSpace(b))
	if s == "null" {
		*n = 0
		return nil
	}
	if uq, err := strconv.Unquote(s); err == nil {
		s = strings.TrimSpace(uq)
	}
	if s == "" {
		*n = 0
		return nil
	}
	if v, err := strconv.ParseInt(s, 10, 64); err == nil {
		*n = Int(v)
		return nil
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil || f != math.Trunc(f) || math.Abs(f) > 1<<53 {
		return fmt.Errorf("woocommerce: %s is not a whole number", truncate(s, 40))
	}
	*n = Int(f)
	return nil
}

// Text is a string field that may arrive as a number (an order "number"
// from a sequential-numbering plugin, a price as 24.5): the digits are kept
// exactly as sent. null is "".
type Text string

// UnmarshalJSON accepts a string, a number, a boolean or null.
func (t *Text) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	switch {
	case string(b) == "null":
		*t = ""
	case len(b) > 0 && b[0] == '"':
		var s string
		if err := json.Unmarshal(b, &s); err != nil {
			return err
		}
		*t = Text(strings.TrimSpace(s))
	case string(b) == "true" || string(b) == "false":
		*t = Text(b)
	default:
		var num json.Number
		if err := json.Unmarshal(b, &num); err != nil {
			return fmt.Errorf("woocommerce: expected a string or number, got %s", truncate(string(b), 40))
		}
		*t = Text(num.String())
	}
	return nil
}

// Time is a *_gmt timestamp: WooCommerce writes them in UTC without a zone
// ("2026-11-27T10:04:05"). The local-time twins (date_created, ...) have no
// zone either and must not be used. null and "" are the zero time.
type Time struct{ time.Time }

// UnmarshalJSON accepts the zone-less form, RFC 3339, null and "".
func (t *Time) UnmarshalJSON(b []byte) error {
	var s *string
	if err := json.Unmarshal(b, &s); err != nil {
		return fmt.Errorf("woocommerce: a date must be a string")
	}
	if s == nil || strings.TrimSpace(*s) == "" {
		t.Time = time.Time{}
		return nil
	}
	v := strings.TrimSpace(*s)
	for _, layout := range []string{"2006-01-02T15:04:05", time.RFC3339Nano, "2006-01-02 15:04:05"} {
		if p, err := time.ParseInLocation(layout, v, time.UTC); err == nil {
			t.Time = p.UTC()
			return nil
		}
	}
	return fmt.Errorf("woocommerce: %q is not a date", truncate(v, 40))
}

// MarshalJSON writes the zone-less UTC form WooCommerce uses.
func (t Time) MarshalJSON() ([]byte, error) {
	if t.IsZero() {
		return []byte("null"), nil
	}
	return json.Marshal(t.UTC().Format("2006-01-02T15:04:05"))
}

// Bool is a flag plugins send as true, "yes", "1" or 1.
type Bool bool

// UnmarshalJSON accepts booleans, numbers and the usual strings.
func (v *Bool) UnmarshalJSON(b []byte) error {
	s := strings.Trim(strings.ToLower(string(bytes.TrimSpace(b))), `"`)
	switch s {
	case "true", "1", "yes", "on":
		*v = true
	default:
		*v = false
	}
	return nil
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "…"
}
