// Package enrich adds order and customer context to tickets: when a ticket
// has a customer email or phone, or mentions an order number, it looks them
// up in every connected store (Shopify, WooCommerce) and links what it
// finds, shows ambiguity instead of guessing, and says "not found" rather
// than retrying forever. Lookups are cached briefly; each store's own
// package paces its calls within the store's rate limit.
package enrich
