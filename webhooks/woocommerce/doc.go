// Package woocommerce is the hub's WooCommerce front door and the work that
// keeps a store in step, since WooCommerce never retries a failed delivery
// and disables a webhook after repeated failures:
//
//   - the receiver (POST /webhooks/woocommerce): the store picked by
//     X-WC-Webhook-Source, the signature checked with that store's secret,
//     the unsigned creation ping answered 200, each delivery recorded under
//     its business key (store, resource, id, date_modified_gmt);
//   - the decoder that turns a recorded order or customer into domain
//     commands (timeline entries, tickets opened by failed payments, ...);
//   - reconciliation, which lists recently modified orders and feeds the
//     versions the hub has not seen through the same path, exactly once;
//   - the health check, which re-activates webhooks WooCommerce disabled
//     and warns when a store stops delivering;
//   - public replies sent to the customer as order notes.
package woocommerce
