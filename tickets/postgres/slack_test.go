package postgres_test

import (
	"testing"
	"time"

	"hub/tickets"
)

func TestTicketBySlackThread(t *testing.T) {
	b := setup(t)
	carded := b.create(t, tickets.NewTicket{Subject: "Card in the channel"})
	fromMsg := b.create(t, tickets.NewTicket{Subject: "Made from a message", Source: tickets.SourceSlack, ExternalRef: "msg:C9:1700000000.000200"})
	if err := b.store.SetSlackCard(b.ctx, carded.ID, tickets.SlackCard{Team: "T1", Channel: "C1", TS: "1700000000.000100"}); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		channel, ts string
		want        string
	}{
		{"C1", "1700000000.000100", carded.ID},
		{"C9", "1700000000.000200", fromMsg.ID},
		{"C1", "1700000000.000200", ""},
		{"C9", "1700000000.000100", ""},
		{"", "", ""},
	}
	for _, tt := range tests {
		got, err := b.store.TicketBySlackThread(b.ctx, tt.channel, tt.ts)
		if tt.want == "" {
			wantCode(t, err, tickets.ENOTFOUND)
			continue
		}
		if err != nil || got.ID != tt.want {
			t.Errorf("TicketBySlackThread(%s, %s) = %s, %v; want %s", tt.channel, tt.ts, got.ID, err, tt.want)
		}
	}
}

func TestTicketsWithoutSlackCard(t *testing.T) {
	b := setup(t)
	never := b.create(t, tickets.NewTicket{Subject: "never tried"})
	off := b.create(t, tickets.NewTicket{Subject: "slack was off"})
	carded := b.create(t, tickets.NewTicket{Subject: "has a card"})
	broken := b.create(t, tickets.NewTicket{Subject: "channel gone"})
	closed := b.create(t, tickets.NewTicket{Subject: "closed"})
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(b.store.SetSlackCard(b.ctx, off.ID, tickets.SlackCard{Error: "slack not configured"}))
	must(b.store.SetSlackCard(b.ctx, carded.ID, tickets.SlackCard{Channel: "C1", TS: "1.2"}))
	must(b.store.SetSlackCard(b.ctx, broken.ID, tickets.SlackCard{Error: "channel_not_found"}))
	_, err := b.store.UpdateTicket(b.ctx, agent, closed.ID, tickets.Patch{Status: ptr(tickets.StatusClosed)})
	must(err)

	ids, err := b.store.TicketsWithoutSlackCard(b.ctx, "slack not configured", b.clock.Now().Add(time.Second), 10)
	must(err)
	if len(ids) != 2 || ids[0] != never.ID || ids[1] != off.ID {
		t.Errorf("ids = %v, want [%s %s]", ids, never.ID, off.ID)
	}
	// A ticket younger than the cutoff that never tried is left to its own
	// sync; one that found Slack off is due whatever its age.
	ids, err = b.store.TicketsWithoutSlackCard(b.ctx, "slack not configured", never.CreatedAt, 10)
	must(err)
	if len(ids) != 1 || ids[0] != off.ID {
		t.Errorf("with the cutoff before both: %v, want [%s]", ids, off.ID)
	}
}

func TestSlackDeliveryBody(t *testing.T) {
	b := setup(t)
	d := &tickets.Delivery{Source: tickets.SourceSlack, Key: "Ev1", AltKey: "msg:T1:C1:1.2", Body: []byte(`{"x":1}`)}
	if _, err := b.store.RecordDelivery(b.ctx, d); err != nil {
		t.Fatal(err)
	}
	body, ok, err := b.store.SlackDeliveryBody(b.ctx, "msg:T1:C1:1.2")
	if err != nil || !ok || string(body) != `{"x":1}` {
		t.Errorf("found %q %v %v", body, ok, err)
	}
	if _, ok, err := b.store.SlackDeliveryBody(b.ctx, "msg:T1:C1:9.9"); ok || err != nil {
		t.Errorf("unknown key: %v %v", ok, err)
	}
	if _, ok, _ := b.store.SlackDeliveryBody(b.ctx, ""); ok {
		t.Error("the empty key found a delivery")
	}
}
