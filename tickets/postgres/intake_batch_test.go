package postgres_test

import (
	"context"
	"fmt"
	"sync"
	"testing"

	"hub/tickets"
)

// Many webhooks at once through the batcher: each distinct delivery gets
// one row and is reported created exactly once; every duplicate (same key,
// same alternative key, in the same group or not) gets the original's id;
// a row Postgres refuses fails alone, its group neighbours are recorded.
func TestIntakeBatcherGroupsAndDedupes(t *testing.T) {
	b := setup(t)
	ctx, cancel := context.WithCancel(b.ctx)
	defer cancel()
	batcher := b.store.NewIntakeBatcher(ctx, 2, 16)

	const distinct, copies = 60, 3
	type result struct {
		key     string
		id      int64
		created bool
		err     error
	}
	results := make(chan result, distinct*copies+1)
	var wg sync.WaitGroup
	for i := range distinct {
		for c := range copies {
			wg.Add(1)
			go func() {
				defer wg.Done()
				d := delivery(fmt.Sprintf("batch-%d", i))
				if c == 2 {
					// The third copy carries another key but the same
					// alternative key, as a redelivery with a new id would.
					d.Key = fmt.Sprintf("batch-%d-again", i)
				}
				d.AltKey = fmt.Sprintf("evt-%d", i)
				created, err := batcher.RecordDelivery(b.ctx, d)
				results <- result{fmt.Sprint(i), d.ID, created, err}
			}()
		}
	}
	// A key Postgres refuses (a NUL byte in text), in the same rush.
	wg.Add(1)
	go func() {
		defer wg.Done()
		d := delivery("bad\x00key")
		created, err := batcher.RecordDelivery(b.ctx, d)
		results <- result{"bad", d.ID, created, err}
	}()
	wg.Wait()
	close(results)

	ids := map[string]map[int64]bool{}
	created := map[string]int{}
	for r := range results {
		if r.key == "bad" {
			if r.err == nil || r.created {
				t.Errorf("a key with a NUL byte: created=%v err=%v; want an error", r.created, r.err)
			}
			continue
		}
		if r.err != nil || r.id == 0 {
			t.Fatalf("delivery %s: id %d, %v", r.key, r.id, r.err)
		}
		if ids[r.key] == nil {
			ids[r.key] = map[int64]bool{}
		}
		ids[r.key][r.id] = true
		if r.created {
			created[r.key]++
		}
	}
	for i := range distinct {
		k := fmt.Sprint(i)
		if created[k] != 1 || len(ids[k]) != 1 {
			t.Errorf("delivery %s: created %d times, ids %v; want once, one id", k, created[k], ids[k])
		}
	}
	var rows int
	if err := b.pool.QueryRow(b.ctx, `select count(*) from deliveries where key like 'batch-%'`).Scan(&rows); err != nil {
		t.Fatal(err)
	}
	if rows != distinct {
		t.Errorf("%d rows, want %d", rows, distinct)
	}
	got, err := b.store.GetDelivery(b.ctx, firstID(ids["7"]))
	if err != nil || got.Status != tickets.DeliveryReceived || string(got.Body) != `{"id":1}` || got.Headers["X-Shopify-Topic"] != "orders/create" {
		t.Errorf("stored = %+v, %v", got, err)
	}

	// Stopped, it records straight through the store.
	cancel()
	d := delivery("after-stop")
	if created, err := batcher.RecordDelivery(b.ctx, d); err != nil || !created || d.ID == 0 {
		t.Errorf("after stop: %v %v %d", created, err, d.ID)
	}
}

func firstID(m map[int64]bool) int64 {
	for id := range m {
		return id
	}
	return 0
}
