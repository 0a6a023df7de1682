package api_test

import (
	"bytes"
	"net/http"
	"slices"
	"strconv"
	"testing"

	"hub/tickets"
	"hub/tickets/api"
)

func TestDeliveries(t *testing.T) {
	tb := setup(t)
	ctx := t.Context()
	record := func(key string) int64 {
		d := &tickets.Delivery{
			Source:  tickets.SourceShopify,
			Tenant:  "acme.myshopify.com",
			Topic:   "orders/updated",
			Key:     key,
			Headers: map[string]string{"X-Shopify-Hmac-Sha256": "s3cret-signature"},
			Body:    []byte(`{"email": "private@example.com"}`),
		}
		if _, err := tb.store.RecordDelivery(ctx, d); err != nil {
			t.Fatal(err)
		}
		return d.ID
	}
	failed, ok := record("evt-1"), record("evt-2")
	if err := tb.store.FailDelivery(ctx, failed, "no such order"); err != nil {
		t.Fatal(err)
	}

	type list struct {
		Deliveries []api.Delivery `json:"deliveries"`
	}
	res := tb.do(t, "GET", "/deliveries?status=failed", nil)
	got := want[list](t, res, http.StatusOK).Deliveries
	if len(got) != 1 || got[0].ID != failed || got[0].Status != "failed" || got[0].Error != "no such order" ||
		got[0].Source != "shopify" || got[0].Topic != "orders/updated" || got[0].Key != "evt-1" || got[0].ReceivedAt.IsZero() {
		t.Fatalf("failed deliveries = %+v", got)
	}
	for _, secret := range []string{"private@example.com", "s3cret", `"body"`, `"headers"`} {
		if bytes.Contains(res.body, []byte(secret)) {
			t.Errorf("listing shows %s: %s", secret, res.body)
		}
	}
	all := want[list](t, tb.do(t, "GET", "/deliveries", nil), http.StatusOK).Deliveries
	if ids := []int64{all[0].ID, all[1].ID}; len(all) != 2 || !slices.Contains(ids, ok) {
		t.Errorf("all deliveries = %+v", all)
	}
	if one := want[list](t, tb.do(t, "GET", "/deliveries?limit=1", nil), http.StatusOK).Deliveries; len(one) != 1 {
		t.Errorf("limit=1 gave %d", len(one))
	}

	replayed := want[api.Delivery](t, tb.do(t, "POST", "/deliveries/"+strconv.FormatInt(failed, 10)+"/replay", nil), http.StatusAccepted)
	if replayed.ID != failed || replayed.Status != "received" {
		t.Errorf("replayed = %+v", replayed)
	}
	if !slices.Equal(tb.replayer.ids, []int64{failed}) {
		t.Errorf("replayer asked for %v", tb.replayer.ids)
	}
	if left := want[list](t, tb.do(t, "GET", "/deliveries?status=failed", nil), http.StatusOK).Deliveries; len(left) != 0 {
		t.Errorf("failed after replay = %+v", left)
	}
	// A delivery still in the pipeline cannot be replayed.
	res = tb.do(t, "POST", "/deliveries/"+strconv.FormatInt(ok, 10)+"/replay", nil)
	if e := want[apiError](t, res, http.StatusConflict); e.Error.Code != "conflict" {
		t.Errorf("replay of a received delivery: %s", res.body)
	}
}
