package shopify_test

import (
	"context"
	"encoding/json"
	"reflect"
	"testing"

	"hub/connectors/shopify"
	"hub/connectors/shopify/shopifytest"
	"hub/enrich"
	"hub/tickets"
	"hub/webhooks"
	whshopify "hub/webhooks/shopify"
)

// A webhook and a look-up of the same order version write the same
// snapshot (the risk assessment exists only in GraphQL).
func TestWebhookAndLookupAgree(t *testing.T) {
	fake := shopifytest.New("key", "secret")
	defer fake.Close()
	fake.AddShop(shop, "shpat_acme")
	c, err := shopify.NewClient(shopify.Config{Shop: shop, Tokens: shopify.StaticToken("shpat_acme"), BaseURL: fake.URL})
	if err != nil {
		t.Fatal(err)
	}
	looked, err := enrich.NewShopify(c).FindOrders(context.Background(), enrich.Query{OrderNumbers: []string{"1003"}})
	if err != nil || len(looked) != 1 {
		t.Fatalf("look-up: %v, %v", looked, err)
	}
	o, err := shopify.ParseOrder(shop, shopifytest.Webhook("orders_cancelled"))
	if err != nil {
		t.Fatal(err)
	}
	hooked := enrich.ShopifyOrderRef(shop, o)
	var a, b tickets.OrderDetails
	if err := json.Unmarshal(looked[0].Details, &a); err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(hooked.Details, &b); err != nil {
		t.Fatal(err)
	}
	a.FraudRisk = ""
	if !reflect.DeepEqual(a, b) {
		t.Errorf("look-up %+v\nwebhook %+v", a, b)
	}
	looked[0].Details, hooked.Details = nil, nil
	if !reflect.DeepEqual(looked[0], hooked) {
		t.Errorf("look-up %+v\nwebhook %+v", looked[0], hooked)
	}
}

func TestParseOpenTickets(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want []string
		ok   bool
	}{
		{"", []string{"cancelled", "fraud", "refund"}, true},
		{"none", nil, true},
		{"refund", []string{"refund"}, true},
		{" Cancelled, FRAUD ", []string{"cancelled", "fraud"}, true},
		{"refunds", nil, false},
	} {
		got, err := whshopify.ParseOpenTickets(tc.in)
		if (err == nil) != tc.ok {
			t.Errorf("%q: err %v", tc.in, err)
			continue
		}
		var keys []string
		for _, k := range []string{"cancelled", "fraud", "refund"} {
			if got[k] {
				keys = append(keys, k)
			}
		}
		if tc.ok && !reflect.DeepEqual(keys, tc.want) {
			t.Errorf("%q: %v, want %v", tc.in, keys, tc.want)
		}
	}
}

// A throttled API call while decoding asks the pipeline to wait Shopify's
// delay, which does not use up a retry; the delivery then goes through.
func TestThrottledDecodeWaitsWithoutUsingARetry(t *testing.T) {
	b := setup(t, setupOpts{})
	dec := whshopify.NewDecoder(b.shops, b.store, map[string]bool{"refund": true}, nil)
	d := tickets.Delivery{Source: tickets.SourceShopify, Tenant: shop, Topic: "refunds/create", Body: shopifytest.Webhook("refunds_create")}
	b.fake.Throttle(1)
	_, err := dec.Decode(context.Background(), d)
	if wait, ok := webhooks.RetryAfterOf(err); !ok || wait <= 0 || webhooks.IsFailure(err) {
		t.Fatalf("throttled decode: %v (wait %v, failure %v)", err, wait, webhooks.IsFailure(err))
	}
	b.startWorker(t)
	b.fake.Throttle(1)
	if status, _ := b.send(t, "refunds/create", shopifytest.Webhook("refunds_create")); status != 200 {
		t.Fatal(status)
	}
	b.waitProcessed(t)
	if list := b.listTickets(t); len(list) != 1 {
		t.Errorf("%d tickets after the throttled refund", len(list))
	}
}
