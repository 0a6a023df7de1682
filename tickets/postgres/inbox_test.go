package postgres_test

import (
	"fmt"
	"sync"
	"testing"
	"time"

	"hub/tickets"
)

func delivery(key string) *tickets.Delivery {
	return &tickets.Delivery{Source: tickets.SourceShopify, Tenant: "acme.myshopify.com", Topic: "orders/create", Key: key,
		Headers: map[string]string{"X-Shopify-Topic": "orders/create"}, Body: []byte(`{"id":1}`)}
}

func TestRecordDeliveryDuplicates(t *testing.T) {
	b := setup(t)
	d := delivery("wh-1")
	d.AltKey = "evt-1"
	created, err := b.store.RecordDelivery(b.ctx, d)
	if err != nil || !created || d.ID == 0 {
		t.Fatalf("first: %v %v %d", created, err, d.ID)
	}
	got, err := b.store.GetDelivery(b.ctx, d.ID)
	if err != nil || got.Status != tickets.DeliveryReceived || string(got.Body) != `{"id":1}` ||
		got.Headers["X-Shopify-Topic"] != "orders/create" || !got.ReceivedAt.Equal(b.clock.Now()) {
		t.Errorf("stored = %+v, %v", got, err)
	}

	tests := []struct {
		name    string
		d       *tickets.Delivery
		created bool
	}{
		{"same key", delivery("wh-1"), false},
		{"same alt key", &tickets.Delivery{Source: tickets.SourceShopify, Key: "wh-2", AltKey: "evt-1"}, false},
		{"same key, other source", &tickets.Delivery{Source: tickets.SourceWooCommerce, Key: "wh-1"}, true},
		{"new key, empty alt key", &tickets.Delivery{Source: tickets.SourceShopify, Key: "wh-3"}, true},
		{"another empty alt key", &tickets.Delivery{Source: tickets.SourceShopify, Key: "wh-4"}, true},
	}
	for _, tt := range tests {
		created, err := b.store.RecordDelivery(b.ctx, tt.d)
		if err != nil || created != tt.created || tt.d.ID == 0 {
			t.Errorf("%s: created=%v id=%d %v; want created=%v", tt.name, created, tt.d.ID, err, tt.created)
		}
		if !tt.created && tt.d.ID != d.ID {
			t.Errorf("%s: id %d; want the original %d", tt.name, tt.d.ID, d.ID)
		}
	}
	_, err = b.store.RecordDelivery(b.ctx, &tickets.Delivery{Source: tickets.SourceShopify})
	wantCode(t, err, tickets.EINVALID)
	_, err = b.store.GetDelivery(b.ctx, 123456)
	wantCode(t, err, tickets.ENOTFOUND)

	// Identical deliveries racing: one row, every caller gets its id.
	const n = 10
	var wg sync.WaitGroup
	ids := make([]int64, n)
	createdN := make([]bool, n)
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			d := delivery("race")
			var err error
			createdN[i], err = b.store.RecordDelivery(b.ctx, d)
			if err != nil {
				t.Error(err)
			}
			ids[i] = d.ID
		}()
	}
	wg.Wait()
	count := 0
	for i := range n {
		if createdN[i] {
			count++
		}
		if ids[i] != ids[0] || ids[i] == 0 {
			t.Errorf("racer %d got id %d; want %d", i, ids[i], ids[0])
		}
	}
	if count != 1 || b.count(t, "select count(*) from deliveries where key = 'race'") != 1 {
		t.Errorf("%d racers created the delivery", count)
	}
}

func TestApplyDeliveryOnce(t *testing.T) {
	b := setup(t)
	d := delivery("apply-1")
	if _, err := b.store.RecordDelivery(b.ctx, d); err != nil {
		t.Fatal(err)
	}
	actor := tickets.Actor{Kind: tickets.ActorWebhook, ID: "delivery:apply-1"}
	cmds := []tickets.Command{
		tickets.NewTicket{Subject: "From a webhook", Source: tickets.SourceShopify, Customer: tickets.CustomerInput{Email: "x@example.com"}},
	}
	const n = 2
	var wg sync.WaitGroup
	applied := make([]bool, n)
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var err error
			if applied[i], err = b.store.ApplyDelivery(b.ctx, d.ID, actor, cmds); err != nil {
				t.Error(err)
			}
		}()
	}
	wg.Wait()
	if applied[0] == applied[1] {
		t.Errorf("applied = %v; want exactly one", applied)
	}
	if n := b.count(t, "select count(*) from tickets"); n != 1 {
		t.Errorf("%d tickets; want 1", n)
	}
	got, _ := b.store.GetDelivery(b.ctx, d.ID)
	if got.Status != tickets.DeliveryProcessed || got.Attempts != 1 || got.ProcessedAt == nil {
		t.Errorf("delivery = %+v", got)
	}
	list, _, _ := b.store.ListTickets(b.ctx, tickets.Filter{})
	if e := b.events(t, list[0].ID); e[0].Actor != actor {
		t.Errorf("event actor = %v; want %v", e[0].Actor, actor)
	}
	// A processed delivery cannot be failed or replayed.
	wantCode(t, b.store.FailDelivery(b.ctx, d.ID, "late"), tickets.ECONFLICT)
	_, err := b.store.ReplayDelivery(b.ctx, d.ID)
	wantCode(t, err, tickets.ECONFLICT)
	_, err = b.store.ApplyDelivery(b.ctx, 99999, actor, cmds)
	wantCode(t, err, tickets.ENOTFOUND)
}

func TestApplyDeliveryAllCommands(t *testing.T) {
	b := setup(t)
	tk := b.create(t, tickets.NewTicket{Subject: "Existing"})
	d := delivery("apply-all")
	if _, err := b.store.RecordDelivery(b.ctx, d); err != nil {
		t.Fatal(err)
	}
	cmds := []tickets.Command{
		tickets.NewTicket{Subject: "Created", Source: tickets.SourceShopify, ExternalRef: "o-1"},
		tickets.UpdateTicket{Ref: tk.Ref(), Patch: tickets.Patch{Priority: ptr(tickets.PriorityUrgent)}},
		&tickets.AddMessage{Ref: tk.ID, Message: tickets.NewMessage{Kind: tickets.MessageCustomer, Body: "any news?"}},
		tickets.LinkOrder{Ref: tk.ID, Order: tickets.OrderRef{Store: "shopify:acme", OrderID: "1"}},
	}
	applied, err := b.store.ApplyDelivery(b.ctx, d.ID, webhook, cmds)
	if err != nil || !applied {
		t.Fatalf("applied=%v %v", applied, err)
	}
	got, _ := b.store.GetTicket(b.ctx, tk.ID)
	if got.Priority != tickets.PriorityUrgent || len(got.Orders) != 1 {
		t.Errorf("ticket = %+v", got)
	}
	if n := b.count(t, "select count(*) from messages where ticket_id = $1", tk.ID); n != 1 {
		t.Errorf("%d messages", n)
	}
	if n := b.count(t, "select count(*) from tickets"); n != 2 {
		t.Errorf("%d tickets; want 2", n)
	}
}

func TestDeliveryFailReplayIgnore(t *testing.T) {
	b := setup(t)
	d := delivery("bad-1")
	if _, err := b.store.RecordDelivery(b.ctx, d); err != nil {
		t.Fatal(err)
	}
	// The second command fails: the first is rolled back with it.
	cmds := []tickets.Command{
		tickets.NewTicket{Subject: "Would be created", Source: tickets.SourceShopify},
		tickets.UpdateTicket{Ref: "T-424242", Patch: tickets.Patch{Team: ptr("x")}},
	}
	applied, err := b.store.ApplyDelivery(b.ctx, d.ID, webhook, cmds)
	if applied || tickets.ErrorCode(err) != tickets.ENOTFOUND {
		t.Fatalf("applied=%v err=%v; want ENOTFOUND", applied, err)
	}
	if n := b.count(t, "select count(*) from tickets"); n != 0 {
		t.Errorf("%d tickets after a failed delivery", n)
	}
	if got, _ := b.store.GetDelivery(b.ctx, d.ID); got.Status != tickets.DeliveryReceived {
		t.Errorf("status = %s; want still received", got.Status)
	}
	if err := b.store.FailDelivery(b.ctx, d.ID, "ticket T-424242 not found"); err != nil {
		t.Fatal(err)
	}
	failed, _ := b.store.ListDeliveries(b.ctx, tickets.DeliveryFailed, 0)
	if len(failed) != 1 || failed[0].Error != "ticket T-424242 not found" || failed[0].Attempts != 1 {
		t.Fatalf("failed deliveries = %+v", failed)
	}
	if applied, err := b.store.ApplyDelivery(b.ctx, d.ID, webhook, cmds[:1]); applied || err != nil {
		t.Errorf("apply to a failed delivery: %v %v; want not applied", applied, err)
	}

	replayed, err := b.store.ReplayDelivery(b.ctx, d.ID)
	if err != nil || replayed.Status != tickets.DeliveryReceived || replayed.Error != "" {
		t.Fatalf("replay = %+v, %v", replayed, err)
	}
	_, err = b.store.ReplayDelivery(b.ctx, d.ID)
	wantCode(t, err, tickets.ECONFLICT)
	if applied, err := b.store.ApplyDelivery(b.ctx, d.ID, webhook, cmds[:1]); !applied || err != nil {
		t.Errorf("apply after replay: %v %v", applied, err)
	}

	ign := delivery("ignore-1")
	b.store.RecordDelivery(b.ctx, ign)
	if err := b.store.IgnoreDelivery(b.ctx, ign.ID, "unknown topic"); err != nil {
		t.Fatal(err)
	}
	wantCode(t, b.store.IgnoreDelivery(b.ctx, ign.ID, "again"), tickets.ECONFLICT)
	wantCode(t, b.store.FailDelivery(b.ctx, 424242, "x"), tickets.ENOTFOUND)
	_, err = b.store.ReplayDelivery(b.ctx, 424242)
	wantCode(t, err, tickets.ENOTFOUND)
	if r, err := b.store.ReplayDelivery(b.ctx, ign.ID); err != nil || r.Status != tickets.DeliveryReceived {
		t.Errorf("replay ignored: %+v %v", r, err)
	}
	all, _ := b.store.ListDeliveries(b.ctx, "", 10)
	if len(all) != 2 {
		t.Errorf("%d deliveries listed; want 2", len(all))
	}
}

func TestClaimStaleDeliveries(t *testing.T) {
	b := setup(t)
	var recorded []int64
	for _, key := range []string{"s1", "s2", "s3", "s4"} {
		d := delivery(key)
		b.store.RecordDelivery(b.ctx, d)
		recorded = append(recorded, d.ID)
		b.clock.Advance(time.Minute)
	}
	if _, err := b.store.ApplyDelivery(b.ctx, recorded[1], webhook, nil); err != nil {
		t.Fatal(err)
	}
	now := b.clock.Now()
	ids, err := b.store.ClaimStaleDeliveries(b.ctx, start.Add(150*time.Second), now, 10)
	if err != nil || len(ids) != 2 || ids[0] != recorded[0] || ids[1] != recorded[2] {
		t.Errorf("claimed = %v, %v; want [%d %d]", ids, err, recorded[0], recorded[2])
	}
	// Claimed rows are due again from now: the next claim with the same
	// cutoff moves on to the one behind them instead of seeing them again.
	ids, _ = b.store.ClaimStaleDeliveries(b.ctx, now, now, 10)
	if len(ids) != 1 || ids[0] != recorded[3] {
		t.Errorf("second claim = %v; want only [%d]", ids, recorded[3])
	}
	ids, _ = b.store.ClaimStaleDeliveries(b.ctx, now, now, 10)
	if len(ids) != 0 {
		t.Errorf("third claim = %v; want none", ids)
	}
}

// A page of deliveries that stays stuck never hides the ones behind it,
// and two sweepers claiming at once never take the same row.
func TestClaimStaleDeliveriesPagesThroughEveryRow(t *testing.T) {
	b := setup(t)
	const n = 1200
	want := map[int64]bool{}
	for i := range n {
		d := delivery(fmt.Sprintf("page-%d", i))
		if _, err := b.store.RecordDelivery(b.ctx, d); err != nil {
			t.Fatal(err)
		}
		want[d.ID] = true
	}
	b.clock.Advance(time.Hour)
	cutoff := b.clock.Now()
	seen := map[int64]int{}
	var mu sync.Mutex
	var wg sync.WaitGroup
	for range 2 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				ids, err := b.store.ClaimStaleDeliveries(b.ctx, cutoff, cutoff, 100)
				if err != nil {
					t.Error(err)
					return
				}
				if len(ids) == 0 {
					return
				}
				mu.Lock()
				for _, id := range ids {
					seen[id]++
				}
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	if len(seen) != n {
		t.Fatalf("claimed %d distinct deliveries, want %d", len(seen), n)
	}
	for id, c := range seen {
		if c != 1 || !want[id] {
			t.Fatalf("delivery %d claimed %d times", id, c)
		}
	}
}

func TestRetryDeliveryShowsTheTruth(t *testing.T) {
	b := setup(t)
	d := delivery("r-1")
	if _, err := b.store.RecordDelivery(b.ctx, d); err != nil {
		t.Fatal(err)
	}
	next := b.clock.Now().Add(30 * time.Second)
	n, err := b.store.RetryDelivery(b.ctx, d.ID, "shopify: 500 internal error", next, true)
	if err != nil || n != 1 {
		t.Fatalf("RetryDelivery = %d, %v; want 1 attempt", n, err)
	}
	// A rate limit is not a try.
	if n, err = b.store.RetryDelivery(b.ctx, d.ID, "shopify: throttled", next.Add(time.Minute), false); err != nil || n != 1 {
		t.Fatalf("RetryDelivery (rate limit) = %d, %v; want still 1", n, err)
	}
	got, _ := b.store.GetDelivery(b.ctx, d.ID)
	if got.Status != tickets.DeliveryReceived || got.Attempts != 1 || got.Error != "shopify: throttled" ||
		got.RetryAt == nil || !got.RetryAt.Equal(next.Add(time.Minute)) {
		t.Errorf("delivery in retry = %+v", got)
	}
	// The sweeper leaves it alone until its next try is due.
	if ids, _ := b.store.ClaimStaleDeliveries(b.ctx, next, next, 10); len(ids) != 0 {
		t.Errorf("claimed %v before its retry was due", ids)
	}
	if _, err := b.store.ApplyDelivery(b.ctx, d.ID, webhook, nil); err != nil {
		t.Fatal(err)
	}
	got, _ = b.store.GetDelivery(b.ctx, d.ID)
	if got.Attempts != 2 || got.RetryAt != nil || got.Error != "" {
		t.Errorf("processed after a retry = %+v", got)
	}
	if _, err := b.store.RetryDelivery(b.ctx, d.ID, "late", next, true); tickets.ErrorCode(err) != tickets.ECONFLICT {
		t.Errorf("RetryDelivery on a processed delivery = %v; want a conflict", err)
	}
}
