// Package shopify is the hub's Shopify connector: webhook and OAuth
// signature checks, the shop-domain whitelist, the webhook payloads it
// reads, the GraphQL Admin API calls the enrichment makes (through
// go-shopify, with a pinned API version), the OAuth token endpoint
// (including expiring offline tokens, which go-shopify does not handle),
// webhook subscription registration, and a per-shop rate limiter shared
// through Redis.
//
// It knows nothing of tickets: it speaks Shopify and returns plain Go
// values (Order, Customer) that the webhooks and enrich packages map to the
// domain. See PROTOCOLS.md §1 for the traps this package avoids.
package shopify
