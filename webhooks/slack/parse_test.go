package slack

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	slackapi "hub/connectors/slack"
	"hub/tickets"
)

func TestParseCommand(t *testing.T) {
	tests := []struct {
		text string
		want command
		err  string
	}{
		{"", command{verb: "help"}, ""},
		{"help", command{verb: "help"}, ""},
		{"  MINE ", command{verb: "mine"}, ""},
		{"T-1042", command{verb: "show", ref: "T-1042"}, ""},
		{"1042", command{verb: "show", ref: "1042"}, ""},
		{"new Broken &amp; bent lid", command{verb: "new", subject: "Broken & bent lid"}, ""},
		{"new", command{}, "Say what"},
		{"link T-1042 #1001", command{verb: "link", ref: "T-1042", order: "1001"}, ""},
		{"link t-1042 1001 shopify:acme.myshopify.com", command{verb: "link", ref: "t-1042", order: "1001", store: "shopify:acme.myshopify.com"}, ""},
		{"link #1001 T-1042", command{}, "not a ticket number"},
		{"link T-1042", command{}, "Use `link"},
		{"T-1042 extra", command{}, "I don't know"},
		{"close T-1", command{}, "I don't know"},
	}
	for _, tt := range tests {
		got, err := parseCommand(tt.text)
		if tt.err != "" {
			if err == nil || !strings.Contains(err.Error(), tt.err) {
				t.Errorf("parseCommand(%q) error %v, want %q", tt.text, err, tt.err)
			}
			continue
		}
		if err != nil || got != tt.want {
			t.Errorf("parseCommand(%q) = %+v, %v; want %+v", tt.text, got, err, tt.want)
		}
	}
}

func TestRoutes(t *testing.T) {
	rs, err := ParseRoutes(" tag:Billing=C0BILL , source:shopify=C0SHOP,team:vip=G0VIP,store:shopify:acme.myshopify.com=C0ACME,priority:urgent=C0URG")
	if err != nil {
		t.Fatal(err)
	}
	if got := rs.String(); got != "tag:billing=C0BILL,source:shopify=C0SHOP,team:vip=G0VIP,store:shopify:acme.myshopify.com=C0ACME,priority:urgent=C0URG" {
		t.Errorf("String() = %s", got)
	}
	tests := []struct {
		name string
		t    tickets.Ticket
		want string
	}{
		{"first rule wins", tickets.Ticket{Tags: []string{"billing"}, Source: tickets.SourceShopify}, "C0BILL"},
		{"source", tickets.Ticket{Source: tickets.SourceShopify}, "C0SHOP"},
		{"team, any case", tickets.Ticket{Team: "VIP", Source: tickets.SourceZapier}, "G0VIP"},
		{"store of the ticket", tickets.Ticket{Store: "shopify:acme.myshopify.com"}, "C0ACME"},
		{"store of an order", tickets.Ticket{Orders: []tickets.OrderRef{{Store: "shopify:acme.myshopify.com"}}}, "C0ACME"},
		{"priority", tickets.Ticket{Priority: tickets.PriorityUrgent}, "C0URG"},
		{"default", tickets.Ticket{Source: tickets.SourceAPI, Tags: []string{"other"}}, "C0DEFAULT"},
	}
	for _, tt := range tests {
		if got := rs.Channel(tt.t, "C0DEFAULT"); got != tt.want {
			t.Errorf("%s: %s, want %s", tt.name, got, tt.want)
		}
	}
	for _, bad := range []string{"tag:billing", "tag=C0X", "color:red=C0X", "tag:x=#general", "tag:=C0X"} {
		if _, err := ParseRoutes(bad); err == nil {
			t.Errorf("ParseRoutes(%q) accepted", bad)
		}
	}
}

func TestEventDelivery(t *testing.T) {
	ws := Workspace{TeamID: "T1", BotUserID: "UBOT"}
	env := func(e slackapi.Event) slackapi.Envelope {
		return slackapi.Envelope{Type: "event_callback", TeamID: "T1", EventID: "Ev1", Event: e}
	}
	msg := func(m slackapi.InboundMessage) *slackapi.InboundMessage { return &m }
	tests := []struct {
		name          string
		e             slackapi.Event
		topic, altKey string // topic "" means not recorded
	}{
		{"a person's message", slackapi.Event{Type: "message", User: "U1", Channel: "C1", TS: "1.1"}, "event:message", "msg:T1:C1:1.1"},
		{"a thread reply", slackapi.Event{Type: "message", User: "U1", Channel: "C1", TS: "1.2", ThreadTS: "1.1"}, "event:message", "msg:T1:C1:1.2"},
		{"also sent to the channel", slackapi.Event{Type: "message", Subtype: "thread_broadcast", User: "U1", Channel: "C1", TS: "1.3", ThreadTS: "1.1"}, "event:message", "msg:T1:C1:1.3"},
		{"the hub's bot", slackapi.Event{Type: "message", User: "UBOT", Channel: "C1", TS: "1.4"}, "", ""},
		{"any bot", slackapi.Event{Type: "message", BotID: "B9", Channel: "C1", TS: "1.5"}, "", ""},
		{"bot_message", slackapi.Event{Type: "message", Subtype: "bot_message", Channel: "C1", TS: "1.6"}, "", ""},
		{"a join", slackapi.Event{Type: "message", Subtype: "channel_join", User: "U1", Channel: "C1", TS: "1.7"}, "", ""},
		{"an edit", slackapi.Event{Type: "message", Subtype: "message_changed", Channel: "C1", EventTS: "2.0",
			Message: msg(slackapi.InboundMessage{User: "U1", TS: "1.2", ThreadTS: "1.1"})}, "event:message_changed", "edit:T1:C1:1.2:2.0"},
		{"the card's update echoed", slackapi.Event{Type: "message", Subtype: "message_changed", Channel: "C1",
			Message: msg(slackapi.InboundMessage{BotID: "B1", TS: "1.1"})}, "", ""},
		{"a deletion", slackapi.Event{Type: "message", Subtype: "message_deleted", Channel: "C1", DeletedTS: "1.2",
			PreviousMessage: msg(slackapi.InboundMessage{User: "U1", TS: "1.2"})}, "event:message_deleted", "del:T1:C1:1.2"},
		{":ticket:", slackapi.Event{Type: "reaction_added", User: "U1", Reaction: "ticket", Item: itemOf("message", "C1", "1.1")}, "event:reaction_added", ""},
		{"another reaction", slackapi.Event{Type: "reaction_added", User: "U1", Reaction: "eyes", Item: itemOf("message", "C1", "1.1")}, "", ""},
		{"the bot's :ticket:", slackapi.Event{Type: "reaction_added", User: "UBOT", Reaction: "ticket", Item: itemOf("message", "C1", "1.1")}, "", ""},
		{"app_mention (the message event covers it)", slackapi.Event{Type: "app_mention", User: "U1", Channel: "C1", TS: "1.1"}, "", ""},
		{"unknown", slackapi.Event{Type: "team_join"}, "", ""},
	}
	for _, tt := range tests {
		d := eventDelivery(env(tt.e), ws, []byte("{}"))
		switch {
		case tt.topic == "" && d != nil:
			t.Errorf("%s: recorded as %s", tt.name, d.Topic)
		case tt.topic != "" && d == nil:
			t.Errorf("%s: not recorded", tt.name)
		case d != nil && (d.Topic != tt.topic || d.AltKey != tt.altKey || d.Key != "Ev1"):
			t.Errorf("%s: topic %s key %s alt %s; want %s %s", tt.name, d.Topic, d.Key, d.AltKey, tt.topic, tt.altKey)
		}
	}
}

func itemOf(typ, channel, ts string) (it struct {
	Type    string `json:"type"`
	Channel string `json:"channel"`
	TS      string `json:"ts"`
}) {
	it.Type, it.Channel, it.TS = typ, channel, ts
	return it
}

func TestFollowups(t *testing.T) {
	s := New(Options{SyncDelay: 2 * time.Second})
	tk := tickets.Ticket{ID: "t1", Description: "help"}
	slackUser := tickets.Actor{Kind: tickets.ActorSlack, ID: "U1"}
	api := tickets.Actor{Kind: tickets.ActorAPIKey, ID: "k", Name: "zap"}
	tests := []struct {
		name   string
		t      tickets.Ticket
		e      tickets.Event
		thread bool
	}{
		// The card quotes the first message: a new ticket is one post.
		{"created with a description", tk, tickets.Event{Type: tickets.EventCreated, Actor: api}, false},
		{"created without one", tickets.Ticket{ID: "t1"}, tickets.Event{Type: tickets.EventCreated, Actor: api}, false},
		{"created from a Slack message", tickets.Ticket{ID: "t1", Description: "x", Source: tickets.SourceSlack, ExternalRef: "msg:C1:1.1"}, tickets.Event{Type: tickets.EventCreated, Actor: slackUser}, false},
		{"customer message", tk, tickets.Event{Type: tickets.EventMessageCreated, Actor: api, After: map[string]any{"message_id": int64(7), "kind": "customer"}}, true},
		{"note from the thread", tk, tickets.Event{Type: tickets.EventMessageCreated, Actor: slackUser, After: map[string]any{"message_id": int64(8), "kind": "note"}}, false},
		{"reply from the Slack modal", tk, tickets.Event{Type: tickets.EventMessageCreated, Actor: slackUser, After: map[string]any{"message_id": int64(9), "kind": "reply"}}, true},
		{"status by the API", tk, tickets.Event{Type: tickets.EventStatusChanged, Actor: api, Before: map[string]any{"status": "open"}, After: map[string]any{"status": "resolved"}}, true},
		{"status from Slack", tk, tickets.Event{Type: tickets.EventStatusChanged, Actor: slackUser}, false},
		{"order linked by an agent", tk, tickets.Event{Type: tickets.EventOrderLinked, Actor: api, After: map[string]any{"order_number": "1001"}}, true},
		{"order found by the lookup", tk, tickets.Event{Type: tickets.EventOrderLinked, Actor: tickets.Actor{Kind: tickets.ActorSystem, ID: "enrich"}, After: map[string]any{"order_number": "1001"}}, false},
		{"order fulfilled", tk, tickets.Event{Type: tickets.EventOrderUpdated, After: map[string]any{"timeline": "Order #1001 fulfilled"}}, true},
		{"SLA warning", tk, tickets.Event{Type: tickets.EventSLAWarning, After: map[string]any{"target": "first_response", "level": "at_risk"}}, true},
		{"priority change", tk, tickets.Event{Type: tickets.EventUpdated, Actor: api}, false},
		{"customer rated", tk, tickets.Event{Type: tickets.EventRated, Actor: tickets.Actor{Kind: tickets.ActorCustomer}, After: map[string]any{"rating": 4, "comment": "the help was fine"}}, true},
	}
	for _, tt := range tests {
		fs := s.Followups(tt.t, tt.e)
		// A new ticket's card goes out at once; later changes coalesce.
		delay := 2 * time.Second
		if tt.e.Type == tickets.EventCreated {
			delay = 0
		}
		if len(fs) == 0 || fs[0].Type != TypeSync || fs[0].Unique != "t1" || fs[0].Delay != delay {
			t.Errorf("%s: first follow-up %+v; want the sync after %s", tt.name, fs, delay)
			continue
		}
		if got := len(fs) == 2 && fs[1].Type == TypeThread; got != tt.thread {
			t.Errorf("%s: thread post %v, want %v", tt.name, got, tt.thread)
		}
		if len(fs) == 2 && strings.Contains(string(fs[1].Payload), "help") {
			t.Errorf("%s: the outbox payload carries the ticket's text: %s", tt.name, fs[1].Payload)
		}
	}
}

func TestCardDataFollowsTheTicket(t *testing.T) {
	three := 3
	p := tickets.DefaultPolicy()
	now := time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC) // a Monday
	tk := tickets.Ticket{ID: "t1", Number: 1042, Subject: "s", Status: tickets.StatusResolved, Priority: tickets.PriorityHigh,
		SLA: p.Start(tickets.PriorityHigh, now.Add(-time.Hour)), UpdatedAt: now,
		Customer: tickets.Customer{Name: "Ada", Stores: []tickets.StoreCustomer{{Store: "s1", CustomerID: "1"}, {Store: "s2", OrdersCount: &three, TotalSpent: "10.00", Currency: "EUR"}}},
		Orders: []tickets.OrderRef{{Store: "s2", OrderID: "#1001", Details: mustJSON(tickets.OrderDetails{AdminURL: "https://a.example/o/1",
			Tracking: []tickets.Tracking{{Company: "UPS", Number: "1Z"}}, Refunds: []tickets.Refund{{Amount: "1"}}})}},
	}
	d := cardData(tk, p, now)
	if strings.Join(d.Transitions, ",") != "closed,open" {
		t.Errorf("resolved transitions %v; want closed, then open (Reopen)", d.Transitions)
	}
	if len(d.Customer.Profiles) != 1 || d.Customer.Profiles[0].Store != "s2" {
		t.Errorf("profiles %+v: a store id without a profile is not shown", d.Customer.Profiles)
	}
	if o := d.Orders[0]; o.Number != "1001" || o.URL != "https://a.example/o/1" || o.Refunds != 1 || len(o.Tracking) != 1 {
		t.Errorf("order %+v", o)
	}
	if d.Rating != nil {
		t.Errorf("unrated ticket shows rating %+v", d.Rating)
	}
	tk.CSAT = &tickets.Rating{Score: 4, Comment: "ok"}
	if d := cardData(tk, p, now); d.Rating == nil || d.Rating.Score != 4 || d.Rating.Comment != "ok" {
		t.Errorf("rating on the card %+v", d.Rating)
	}
	tk.Status = tickets.StatusOpen
	if d := cardData(tk, p, now); strings.Join(d.Transitions, ",") != "pending,resolved,closed" || d.Ref != "T-1042" {
		t.Errorf("open: %v %s", d.Transitions, d.Ref)
	}
}

func mustJSON(v any) []byte {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	return b
}
