package postgres_test

import (
	"strings"
	"testing"
	"time"

	"hub/tickets"
)

var customer = tickets.Actor{Kind: tickets.ActorCustomer, ID: "kim@example.com", Name: "Kim"}

func TestAddMessageOutcomes(t *testing.T) {
	b := setup(t)
	tk := b.create(t, tickets.NewTicket{Subject: "Broken zip", Customer: tickets.CustomerInput{Email: "kim@example.com"},
		Priority: tickets.PriorityHigh, Tags: []string{"quality"}, Assignee: "ann@example.com"})

	// A note changes no clock; the first public reply stops the first-response clock.
	b.clock.Advance(time.Minute)
	_, got, err := b.store.AddMessage(b.ctx, agent, tk.ID, tickets.NewMessage{Kind: tickets.MessageNote, Body: "checking stock"})
	if err != nil || got.FirstResponseAt != nil {
		t.Fatalf("note: %v, first response %v", err, got.FirstResponseAt)
	}
	b.clock.Advance(time.Minute)
	msg, got, err := b.store.AddMessage(b.ctx, agent, tk.ID, tickets.NewMessage{Kind: tickets.MessageReply, Body: "Sorry! A new one is on its way.", Source: tickets.SourceSlack})
	if err != nil {
		t.Fatal(err)
	}
	if got.FirstResponseAt == nil || !got.FirstResponseAt.Equal(b.clock.Now()) || msg.Author != agent || msg.TicketID != tk.ID {
		t.Errorf("reply: first response %v, message %+v", got.FirstResponseAt, msg)
	}

	// Pending, then the customer writes: reopened, with a status event naming them.
	if _, err := b.store.UpdateTicket(b.ctx, agent, tk.ID, tickets.Patch{Status: ptr(tickets.StatusPending)}); err != nil {
		t.Fatal(err)
	}
	b.clock.Advance(time.Hour)
	_, got, err = b.store.AddMessage(b.ctx, customer, tk.ID, tickets.NewMessage{Kind: tickets.MessageCustomer, Body: "Still nothing", Source: tickets.SourceShopify})
	if err != nil || got.Status != tickets.StatusOpen || got.ID != tk.ID {
		t.Fatalf("customer message on pending: %s %v", got.Status, err)
	}
	events := b.events(t, tk.ID)
	last2 := events[len(events)-2:]
	if last2[0].Type != tickets.EventStatusChanged || last2[0].Actor != customer || last2[0].After["status"] != "open" ||
		last2[1].Type != tickets.EventMessageCreated {
		t.Errorf("events after reopen: %+v", last2)
	}

	// Closed: the customer's message opens a follow-up ticket for the same customer.
	if _, err := b.store.UpdateTicket(b.ctx, agent, tk.ID, tickets.Patch{Status: ptr(tickets.StatusClosed)}); err != nil {
		t.Fatal(err)
	}
	b.clock.Advance(24 * time.Hour)
	msg, follow, err := b.store.AddMessage(b.ctx, customer, tk.Ref(), tickets.NewMessage{Kind: tickets.MessageCustomer, Body: "It broke again", Source: tickets.SourceZapier, ExternalRef: "mail-7"})
	if err != nil {
		t.Fatal(err)
	}
	if follow.ID == tk.ID || follow.FollowUpOf != tk.ID || follow.Customer.ID != tk.Customer.ID || follow.Status != tickets.StatusOpen ||
		follow.Subject != "Re: Broken zip" || follow.Source != tickets.SourceZapier || follow.Priority != tickets.PriorityHigh || msg.TicketID != follow.ID {
		t.Errorf("follow-up = %+v, message on %s", follow, msg.TicketID)
	}
	closed, _ := b.store.GetTicket(b.ctx, tk.ID)
	if closed.Status != tickets.StatusClosed {
		t.Errorf("closed ticket is now %s", closed.Status)
	}
	// A repeat of the same message (same source and external ref) is the same message.
	again, where, err := b.store.AddMessage(b.ctx, customer, tk.ID, tickets.NewMessage{Kind: tickets.MessageCustomer, Body: "It broke again", Source: tickets.SourceZapier, ExternalRef: "mail-7"})
	if err != nil || again.ID != msg.ID || where.ID != follow.ID {
		t.Errorf("repeat: message %d on %s, %v; want %d on %s", again.ID, where.ID, err, msg.ID, follow.ID)
	}
	// Another message to the closed ticket joins the open follow-up.
	_, where, err = b.store.AddMessage(b.ctx, customer, tk.ID, tickets.NewMessage{Kind: tickets.MessageCustomer, Body: "Hello?", Source: tickets.SourceZapier})
	if err != nil || where.ID != follow.ID {
		t.Errorf("second message landed on %s, %v; want the follow-up", where.ID, err)
	}
	if n := b.count(t, "select count(*) from tickets where follow_up_of = $1", tk.ID); n != 1 {
		t.Errorf("%d follow-ups; want 1", n)
	}
	fe := b.events(t, follow.ID)
	if len(fe) != 3 || fe[0].Type != tickets.EventCreated || fe[1].Type != tickets.EventMessageCreated {
		t.Errorf("follow-up events: %+v", fe)
	}

	msgs, err := b.store.ListMessages(b.ctx, tk.ID)
	if err != nil || len(msgs) != 3 || msgs[0].Kind != tickets.MessageNote || msgs[2].Body != "Still nothing" {
		t.Errorf("messages: %+v, %v", msgs, err)
	}
}

func TestAddMessageIdempotentAndInvalid(t *testing.T) {
	b := setup(t)
	tk := b.create(t, tickets.NewTicket{Subject: "Slack thread"})
	m := tickets.NewMessage{Kind: tickets.MessageReply, Body: "On it", Source: tickets.SourceSlack, ExternalRef: "1700000000.000100"}
	first, _, err := b.store.AddMessage(b.ctx, agent, tk.ID, m)
	if err != nil {
		t.Fatal(err)
	}
	second, _, err := b.store.AddMessage(b.ctx, agent, tk.ID, m)
	if err != nil || second.ID != first.ID {
		t.Errorf("repeat = %d, %v; want %d", second.ID, err, first.ID)
	}
	if n := b.count(t, "select count(*) from events where type = $1", tickets.EventMessageCreated); n != 1 {
		t.Errorf("%d message events; want 1", n)
	}

	for name, nm := range map[string]tickets.NewMessage{
		"no kind":    {Body: "x"},
		"bad kind":   {Kind: "shout", Body: "x"},
		"empty body": {Kind: tickets.MessageNote, Body: " \n\t"},
		"too long":   {Kind: tickets.MessageNote, Body: strings.Repeat("x", 64<<10+1)},
	} {
		_, _, err := b.store.AddMessage(b.ctx, agent, tk.ID, nm)
		if tickets.ErrorCode(err) != tickets.EINVALID {
			t.Errorf("%s: %v; want invalid", name, err)
		}
	}
	_, _, err = b.store.AddMessage(b.ctx, agent, "T-424242", tickets.NewMessage{Kind: tickets.MessageNote, Body: "x"})
	wantCode(t, err, tickets.ENOTFOUND)
}
