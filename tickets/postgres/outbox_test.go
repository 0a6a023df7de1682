package postgres_test

import (
	"testing"
	"time"

	"hub/tickets"
	"hub/tickets/postgres"
)

func TestOutboxFollowups(t *testing.T) {
	var seen []string
	followups := func(tk tickets.Ticket, e tickets.Event) []tickets.Followup {
		seen = append(seen, e.Type+":"+string(tk.Status))
		out := []tickets.Followup{
			// Slack card sync: bursts coalesce into one pending task per ticket.
			{Type: "slack:sync", Payload: []byte(tk.ID), Delay: 5 * time.Second, Unique: tk.ID},
		}
		if e.Type == tickets.EventStatusChanged || e.Type == tickets.EventCreated {
			out = append(out, tickets.Followup{Type: "zapier:deliver", Payload: []byte(e.Type)})
		}
		return out
	}
	b := setup(t, func(o *postgres.Options) { o.Followups = followups })

	tk := b.create(t, tickets.NewTicket{Subject: "Outbox"})
	created := b.clock.Now()
	b.clock.Advance(time.Second)
	if _, err := b.store.UpdateTicket(b.ctx, agent, tk.ID, tickets.Patch{Status: ptr(tickets.StatusPending), Team: ptr("t")}); err != nil {
		t.Fatal(err)
	}
	// A failed change writes no follow-up.
	if _, err := b.store.UpdateTicket(b.ctx, agent, tk.ID, tickets.Patch{Status: ptr(tickets.StatusOpen), Tags: &[]string{"no way"}}); err == nil {
		t.Fatal("want an error")
	}
	if len(seen) != 3 || seen[1] != "ticket.status_changed:pending" {
		t.Errorf("followups saw %v", seen)
	}
	if n := b.count(t, "select count(*) from outbox where type = 'slack:sync'"); n != 1 {
		t.Errorf("%d slack:sync rows; want 1 (coalesced)", n)
	}
	if n := b.count(t, "select count(*) from outbox where type = 'zapier:deliver'"); n != 2 {
		t.Errorf("%d zapier:deliver rows; want 2", n)
	}

	// Not yet due: the delayed sync waits.
	items, err := b.store.PendingOutbox(b.ctx, created, 10)
	if err != nil || len(items) != 1 || items[0].Type != "zapier:deliver" || string(items[0].Payload) != tickets.EventCreated {
		t.Fatalf("due at creation: %+v, %v", items, err)
	}
	items, err = b.store.PendingOutbox(b.ctx, created.Add(10*time.Second), 10)
	if err != nil || len(items) != 3 {
		t.Fatalf("pending = %+v, %v", items, err)
	}
	var sync tickets.OutboxItem
	for _, it := range items {
		if it.Type == "slack:sync" {
			sync = it
		}
	}
	if sync.Unique != tk.ID || string(sync.Payload) != tk.ID || !sync.RunAt.Equal(created.Add(5*time.Second)) || !sync.CreatedAt.Equal(created) {
		t.Errorf("slack:sync item = %+v", sync)
	}
	if !items[0].RunAt.Before(items[2].RunAt) && !items[0].RunAt.Equal(items[2].RunAt) {
		t.Errorf("not oldest first: %+v", items)
	}

	// Once done, the next change queues a new sync.
	if err := b.store.CompleteOutbox(b.ctx, sync.ID); err != nil {
		t.Fatal(err)
	}
	if err := b.store.CompleteOutbox(b.ctx, sync.ID); err != nil {
		t.Errorf("completing twice: %v", err)
	}
	wantCode(t, b.store.CompleteOutbox(b.ctx, 987654), tickets.ENOTFOUND)
	if _, _, err := b.store.AddMessage(b.ctx, agent, tk.ID, tickets.NewMessage{Kind: tickets.MessageNote, Body: "n"}); err != nil {
		t.Fatal(err)
	}
	if n := b.count(t, "select count(*) from outbox where type = 'slack:sync' and done_at is null"); n != 1 {
		t.Errorf("%d pending slack:sync rows; want 1", n)
	}
	if n := b.count(t, "select count(*) from outbox where type = 'slack:sync'"); n != 2 {
		t.Errorf("%d slack:sync rows; want 2", n)
	}
}
