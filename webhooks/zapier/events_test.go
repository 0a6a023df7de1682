package zapier_test

import (
	"bytes"
	"encoding/json"
	"flag"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"hub/tickets"
	"hub/webhooks/zapier"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/")

// story makes one of each event on one ticket.
func (b *bundle) story(t *testing.T) tickets.Ticket {
	t.Helper()
	tk := b.create(t, "Where is my order #1001?", "ada@example.com")
	b.clock.Advance(time.Minute)
	token, survey := tickets.NewSurvey(b.clock.Now())
	steps := []func() error{
		func() error {
			_, err := b.store.UpdateTicket(b.ctx, agent, tk.ID, tickets.Patch{Priority: ptr(tickets.PriorityUrgent), Tags: &[]string{"shipping"}})
			return err
		},
		func() error {
			_, err := b.store.UpdateTicket(b.ctx, agent, tk.ID, tickets.Patch{Status: ptr(tickets.StatusPending)})
			return err
		},
		func() error {
			_, _, err := b.store.AddMessage(b.ctx, agent, tk.ID, tickets.NewMessage{Kind: tickets.MessageReply, Body: "It ships today.", Survey: &survey, Resolve: true})
			return err
		},
		func() error {
			_, err := b.store.LinkOrder(b.ctx, agent, tk.ID, tickets.OrderRef{Store: "shopify:acme.myshopify.com", OrderID: "555", OrderNumber: "#1001", Total: "42.00", Currency: "EUR"})
			return err
		},
		func() error {
			_, err := b.store.UpdateTicket(b.ctx, agent, tk.ID, tickets.Patch{Status: ptr(tickets.StatusOpen)})
			return err
		},
		func() error {
			_, err := b.store.RateSurvey(b.ctx, token, tickets.Rating{Score: 4, Comment: "Quick answer"})
			return err
		},
	}
	for _, step := range steps {
		if err := step(); err != nil {
			t.Fatal(err)
		}
		b.clock.Advance(time.Minute)
	}
	b.clock.Advance(5 * time.Hour)
	if _, err := b.store.WarnSLA(b.ctx, b.clock.Now()); err != nil {
		t.Fatal(err)
	}
	return tk
}

func TestSampleListIsWhatHooksReceive(t *testing.T) {
	b := setup(t)
	for _, e := range zapier.Events {
		b.subscribe(t, e, e, "")
	}
	b.story(t)
	if errs := b.relay(t); len(errs) > 0 {
		t.Fatal(errs)
	}
	for _, e := range zapier.Events {
		var list []json.RawMessage
		if code := b.call(t, http.MethodGet, "/api/v1/events?event="+e+"&limit=3", "", "", &list); code != 200 || len(list) == 0 {
			t.Fatalf("%s: %d, %d items", e, code, len(list))
		}
		delivered := b.fake.Received(e)
		// Newest first: the list's first item is the last delivered.
		if !jsonEqual(t, list[0], delivered[len(delivered)-1]) {
			t.Errorf("%s: the sample differs from the delivery:\nlist      %s\ndelivered %s", e, list[0], delivered[len(delivered)-1])
		}
	}
}

func TestSampleListOrderLimitsAndGolden(t *testing.T) {
	b := setup(t)
	first := b.create(t, "First", "grace@example.com")
	tk := b.story(t)

	var created []zapier.Payload
	b.call(t, http.MethodGet, "/api/v1/events?event=ticket.created", "", "", &created)
	if len(created) != 2 || created[0].Ticket.ID != tk.ID || created[1].Ticket.ID != first.ID || created[0].ID == created[1].ID {
		t.Fatalf("not newest first with distinct ids: %+v", created)
	}
	var again []zapier.Payload
	b.call(t, http.MethodGet, "/api/v1/events?event=ticket.created", "", "", &again)
	if again[0].ID != created[0].ID {
		t.Errorf("ids are not stable: %s then %s", created[0].ID, again[0].ID)
	}
	for _, limit := range []string{"1", "0", "-5", "abc", "100000"} {
		var l []zapier.Payload
		if code := b.call(t, http.MethodGet, "/api/v1/events?event=ticket.created&limit="+limit, "", "", &l); code != 200 || len(l) == 0 {
			t.Errorf("limit=%s: %d with %d items", limit, code, len(l))
		}
	}
	var e apiError
	if code := b.call(t, http.MethodGet, "/api/v1/events?event=ticket.exploded", "", "", &e); code != 400 || e.Error.Field != "event" {
		t.Errorf("unknown event: %d %+v", code, e)
	}
	var replies []zapier.Payload
	b.call(t, http.MethodGet, "/api/v1/events?event=ticket.message_created&message_kind=reply", "", "", &replies)
	if len(replies) != 1 || replies[0].Message.Kind != "reply" {
		t.Errorf("replies: %+v", replies)
	}

	// The golden file shows each event's payload as Zapier gets it.
	golden := map[string]json.RawMessage{}
	for _, ev := range zapier.Events {
		var list []json.RawMessage
		b.call(t, http.MethodGet, "/api/v1/events?event="+ev+"&limit=1", "", "", &list)
		golden[ev] = list[0]
	}
	out, _ := json.MarshalIndent(golden, "", "  ")
	out = normalise(out, map[string]string{tk.ID: "<ticket-id>", tk.Customer.ID: "<customer-id>", b.key.ID: "<api-key-id>"})
	compareGolden(t, "events.golden.json", out)
}

func normalise(b []byte, ids map[string]string) []byte {
	s := string(b)
	for id, name := range ids {
		if id != "" {
			s = strings.ReplaceAll(s, id, name)
		}
	}
	return []byte(s + "\n")
}

func compareGolden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.MkdirAll("testdata", 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs (go test -update rewrites it):\n%s", path, got)
	}
}

func jsonEqual(t *testing.T, a, b []byte) bool {
	t.Helper()
	var x, y any
	if err := json.Unmarshal(a, &x); err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, &y); err != nil {
		t.Fatal(err)
	}
	xa, _ := json.Marshal(x)
	ya, _ := json.Marshal(y)
	return bytes.Equal(xa, ya)
}
