// Package woocommerce is the hub's connector to WooCommerce stores: the REST
// API v3 client (consumer key and secret over HTTP Basic on HTTPS; plain
// HTTP only for loopback test stores), the wire types (tolerant of the
// strings-for-numbers that WordPress plugins produce), webhook signature
// checks, store URL normalisation, and what an order's status means.
//
// It knows WooCommerce and nothing of the hub: the rest of the project maps
// these types onto its domain.
package woocommerce
