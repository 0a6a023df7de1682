package woocommerce_test

import (
	"context"
	"testing"

	"hub/tickets"
	woo "hub/webhooks/woocommerce"
)

func TestFollowupsAskForANoteOnPublicRepliesToWooOrders(t *testing.T) {
	woo1 := tickets.OrderRef{Store: "woocommerce:shop.example.com", OrderID: "1234", OrderNumber: "1234"}
	shop := tickets.OrderRef{Store: "shopify:acme.myshopify.com", OrderID: "55", OrderNumber: "1001"}
	provisional := tickets.OrderRef{Store: "woocommerce:shop.example.com", OrderID: "#99", OrderNumber: "99"}
	reply := tickets.Event{Type: tickets.EventMessageCreated, After: map[string]any{"message_id": float64(7), "kind": "reply"}}
	tests := []struct {
		name   string
		orders []tickets.OrderRef
		event  tickets.Event
		want   int
	}{
		{"public reply, woo order", []tickets.OrderRef{woo1}, reply, 1},
		{"public reply, woo and shopify orders", []tickets.OrderRef{woo1, shop}, reply, 1},
		{"public reply, shopify order only", []tickets.OrderRef{shop}, reply, 0},
		{"public reply, order known by number only", []tickets.OrderRef{provisional}, reply, 0},
		{"internal note", []tickets.OrderRef{woo1}, tickets.Event{Type: tickets.EventMessageCreated, After: map[string]any{"message_id": int64(7), "kind": "note"}}, 0},
		{"customer message", []tickets.OrderRef{woo1}, tickets.Event{Type: tickets.EventMessageCreated, After: map[string]any{"message_id": int64(7), "kind": "customer"}}, 0},
		{"other event", []tickets.OrderRef{woo1}, tickets.Event{Type: tickets.EventUpdated}, 0},
	}
	for _, tt := range tests {
		got := woo.Followups(tickets.Ticket{ID: "t1", Orders: tt.orders}, tt.event)
		if len(got) != tt.want {
			t.Errorf("%s: %d follow-ups, want %d", tt.name, len(got), tt.want)
		}
		if len(got) == 1 && (got[0].Type != woo.TypeOrderNote || got[0].Unique != "7") {
			t.Errorf("%s: follow-up %+v", tt.name, got[0])
		}
	}
}

func TestRepliesBecomeOneCustomerNote(t *testing.T) {
	b := setup(t)
	ctx := context.Background()
	agent := tickets.Actor{Kind: tickets.ActorAgent, ID: "sam@shop.example"}
	tk, _, err := b.store.CreateTicket(ctx, agent, tickets.NewTicket{Subject: "Where is my scarf?", Source: tickets.SourceAPI,
		Customer: tickets.CustomerInput{Email: "maya.patel@example.com"},
		Orders:   []tickets.OrderRef{{Store: b.storeKey, OrderID: "1234", OrderNumber: "1234"}}})
	if err != nil {
		t.Fatal(err)
	}
	send := func(body string, allowed bool) tickets.Message {
		t.Helper()
		msg, _, err := b.store.AddMessage(ctx, agent, tk.ID, tickets.NewMessage{Kind: tickets.MessageReply, Body: body})
		if err != nil {
			t.Fatal(err)
		}
		stores := b.stores
		if allowed {
			stores = b.allowNotes(t)
		}
		n := &woo.Notes{Stores: stores, Messages: b.store}
		for range 2 { // a retried task posts nothing more
			if err := n.Send(ctx, tk.ID, msg.ID, b.storeKey, "1234", "1234"); err != nil {
				t.Fatal(err)
			}
		}
		return msg
	}

	send("Not allowed yet.", false)
	if got := len(b.shop.Notes(1234)); got != 0 {
		t.Fatalf("%d notes posted by a store that does not allow them", got)
	}
	send("Your scarf ships today.", true)
	// The same words again are a new reply and a new note.
	send("Your scarf ships today.", true)
	notes := b.shop.Notes(1234)
	if len(notes) != 2 || notes[0]["note"] != "Your scarf ships today." || notes[0]["customer_note"] != true {
		t.Fatalf("notes %v", notes)
	}

	// A crash after posting and before recording: the retry finds the note.
	msg, _, _ := b.store.AddMessage(ctx, agent, tk.ID, tickets.NewMessage{Kind: tickets.MessageReply, Body: "Refund issued."})
	st, _ := b.stores.Get(ctx, b.storeKey)
	if _, err := st.Client.AddNote(ctx, 1234, "Refund issued.", true); err != nil {
		t.Fatal(err)
	}
	if err := (&woo.Notes{Stores: b.allowNotes(t), Messages: b.store}).Send(ctx, tk.ID, msg.ID, b.storeKey, "1234", "1234"); err != nil {
		t.Fatal(err)
	}
	if got := len(b.shop.Notes(1234)); got != 3 {
		t.Errorf("%d notes after the retry, want 3 (no second copy)", got)
	}
	msgs, _ := b.store.ListMessages(ctx, tk.ID)
	recorded := 0
	for _, m := range msgs {
		if m.Kind == tickets.MessageSystem && m.Source == tickets.SourceWooCommerce {
			recorded++
		}
	}
	if recorded != 3 {
		t.Errorf("%d timeline entries for sent notes, want 3", recorded)
	}
}

// allowNotes is b's store registry with customer notes allowed.
func (b *bundle) allowNotes(t *testing.T) *woo.Stores {
	t.Helper()
	s, err := woo.NewStores(b.store, woo.StoresOptions{CustomerNotes: true,
		Env: &woo.EnvStore{URL: b.shop.URL(), ConsumerKey: b.shop.Key, ConsumerSecret: b.shop.Secret, WebhookSecret: webhookSecret}})
	if err != nil {
		t.Fatal(err)
	}
	return s
}
