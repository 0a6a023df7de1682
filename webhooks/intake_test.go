package webhooks_test

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"hub/tickets"
	"hub/webhooks"
)

func TestParseIntake(t *testing.T) {
	for _, tc := range []struct {
		name  string
		body  string
		check func(t *testing.T, nt tickets.NewTicket)
	}{
		{"flat customer", `{"subject":"Hi","email":"Ada@Example.com","name":"Ada","phone":"+44 20 7946 0958"}`, func(t *testing.T, nt tickets.NewTicket) {
			if nt.Customer.Email != "ada@example.com" || nt.Customer.Name != "Ada" || nt.Customer.Phone != "+442079460958" {
				t.Errorf("customer %+v", nt.Customer)
			}
		}},
		{"customer object wins", `{"subject":"Hi","email":"flat@example.com","customer":{"email":"obj@example.com"}}`, func(t *testing.T, nt tickets.NewTicket) {
			if nt.Customer.Email != "obj@example.com" {
				t.Errorf("email %q", nt.Customer.Email)
			}
		}},
		{"customer as a mailbox string", `{"subject":"Hi","customer":"Ada Lovelace <ada@example.com>"}`, func(t *testing.T, nt tickets.NewTicket) {
			if nt.Customer.Email != "ada@example.com" || nt.Customer.Name != "Ada Lovelace" {
				t.Errorf("customer %+v", nt.Customer)
			}
		}},
		{"tags as text, numbers as ids", `{"subject":"Hi","tags":"Shipping, urgent-ish ,","order_number":1001,"external_id":42,"priority":"High"}`, func(t *testing.T, nt tickets.NewTicket) {
			if strings.Join(nt.Tags, ",") != "shipping,urgent-ish" || nt.OrderNumber != "1001" || nt.ExternalRef != "42" || nt.Priority != tickets.PriorityHigh {
				t.Errorf("%+v", nt)
			}
		}},
		{"subject from the description, order number without #", `{"description":"\n  Where is #1001?\nThanks","order_number":"#1001","unknown":true}`, func(t *testing.T, nt tickets.NewTicket) {
			if nt.Subject != "Where is #1001?" || nt.OrderNumber != "1001" || nt.Priority != tickets.PriorityMedium {
				t.Errorf("%+v", nt)
			}
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			nt, err := webhooks.ParseIntake([]byte(tc.body), tickets.SourceZapier)
			if err != nil {
				t.Fatal(err)
			}
			tc.check(t, nt)
		})
	}
}

func TestParseIntakeErrorsNameTheField(t *testing.T) {
	long := strings.Repeat("x", 256)
	for _, tc := range []struct {
		body, field, says string
	}{
		{``, "", "the body is empty"},
		{`[{"subject":"x"}]`, "", "must be a JSON object"},
		{`{"subject":"x"`, "", "not valid JSON"},
		{`{"subject":"x"} {"subject":"y"}`, "", "nothing after it"},
		{`{"email":"ada@example.com"}`, "subject", "subject is required"},
		{`{"subject":5}`, "subject", "subject must be a string"},
		{`{"subject":"x","priority":"asap"}`, "priority", "priority must be one of urgent, high, medium, low"},
		{`{"subject":"x","tags":5}`, "tags", "tags must be a list of strings or a comma-separated string"},
		{`{"subject":"x","tags":"bad tag!"}`, "tags", "may contain only"},
		{`{"subject":"x","customer":5}`, "customer", "customer must be an object"},
		{`{"subject":"x","email":"not an email"}`, "customer.email", "is not an email address"},
		{`{"subject":"x","order_number":{"n":1}}`, "order_number", "order_number must be a string or a number"},
		{`{"subject":"x","external_id":"` + long + `"}`, "external_id", "at most 255"},
		{`{"subject":"a\u0000b"}`, "", "NUL"},
	} {
		_, err := webhooks.ParseIntake([]byte(tc.body), tickets.SourceZapier)
		var de *tickets.Error
		if !errors.As(err, &de) || de.Code != tickets.EINVALID {
			t.Errorf("%s: error %v, want EINVALID", tc.body, err)
			continue
		}
		if de.Field != tc.field || !strings.Contains(de.Message, tc.says) {
			t.Errorf("%.40s: field %q message %q; want field %q saying %q", tc.body, de.Field, de.Message, tc.field, tc.says)
		}
	}
}

// intakeServer serves the intake of b's pipeline, waiting for the ticket
// up to wait; the one valid key is "good-key".
func intakeServer(t *testing.T, b *bundle, wait time.Duration) *httptest.Server {
	t.Helper()
	auth := func(_ context.Context, key string) (tickets.Actor, error) {
		if key != "good-key" {
			return tickets.Actor{}, tickets.Errorf(tickets.EUNAUTHORIZED, "bad key")
		}
		return tickets.Actor{Kind: tickets.ActorAPIKey, ID: "key-1", Name: "zapier"}, nil
	}
	find := func(ctx context.Context, d tickets.Delivery) (any, bool, error) {
		tk, found, err := b.store.TicketByExternalRef(ctx, d.Source, webhooks.IntakeKey(d))
		return map[string]any{"id": tk.ID, "ref": tk.Ref()}, found, err
	}
	srv := httptest.NewServer(b.pipe.ServeIntake(auth, webhooks.WaitForTicket(wait, find, b.store, 64)))
	t.Cleanup(srv.Close)
	return srv
}

type intakeAnswer struct {
	DeliveryID int64  `json:"delivery_id"`
	Duplicate  bool   `json:"duplicate"`
	Status     string `json:"status"`
	Ticket     *struct {
		ID  string `json:"id"`
		Ref string `json:"ref"`
	} `json:"ticket"`
	Error *struct {
		Code, Message, Field string
	} `json:"error"`
}

func postIntake(t *testing.T, url, body string, header map[string]string) (int, intakeAnswer) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodPost, url, strings.NewReader(body))
	req.Header.Set("Authorization", "Bearer good-key")
	for k, v := range header {
		req.Header.Set(k, v)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var a intakeAnswer
	if err := json.NewDecoder(resp.Body).Decode(&a); err != nil {
		t.Fatalf("answer is not JSON: %v", err)
	}
	return resp.StatusCode, a
}

func TestIntakeAnswersWithTheSameTicketOnARepeat(t *testing.T) {
	b := setup(t, setupOpts{})
	b.startWorker(t)
	srv := intakeServer(t, b, 30*time.Second)
	body := `{"subject":"Parcel lost","email":"lin@example.com"}`

	code, first := postIntake(t, srv.URL, body, map[string]string{"Idempotency-Key": "zap-1"})
	if code != http.StatusCreated || first.Ticket == nil || first.Duplicate || !strings.HasPrefix(first.Ticket.Ref, "T-") {
		t.Fatalf("first intake: %d %+v", code, first)
	}
	code, again := postIntake(t, srv.URL, body, map[string]string{"Idempotency-Key": "zap-1"})
	if code != http.StatusOK || !again.Duplicate || again.Ticket == nil || again.Ticket.ID != first.Ticket.ID || again.DeliveryID != first.DeliveryID {
		t.Fatalf("repeat: %d %+v, want 200 with ticket %s", code, again, first.Ticket.ID)
	}

	// external_id in the body is the key when there is no header.
	withID := `{"subject":"Refund","email":"lin@example.com","external_id":"row-7"}`
	_, a := postIntake(t, srv.URL, withID, nil)
	_, b2 := postIntake(t, srv.URL, withID, nil)
	if a.Ticket == nil || b2.Ticket == nil || a.Ticket.ID != b2.Ticket.ID || !b2.Duplicate {
		t.Fatalf("external_id repeat: %+v then %+v", a, b2)
	}
	if n := countTickets(t, b); n != 2 {
		t.Errorf("%d tickets, want 2", n)
	}

	// A caller that will not wait gets 202 at once.
	code, async := postIntake(t, srv.URL, `{"subject":"Later"}`, map[string]string{"Prefer": "respond-async"})
	if code != http.StatusAccepted || async.Ticket != nil || async.DeliveryID == 0 {
		t.Errorf("Prefer: respond-async: %d %+v", code, async)
	}
}

func TestIntakeFallsBackTo202WhenTheWorkerIsSlow(t *testing.T) {
	b := setup(t, setupOpts{}) // no worker
	srv := intakeServer(t, b, 300*time.Millisecond)
	code, a := postIntake(t, srv.URL, `{"subject":"Anyone there?"}`, nil)
	if code != http.StatusAccepted || a.Ticket != nil || a.Status != "received" || a.DeliveryID == 0 {
		t.Fatalf("no worker: %d %+v", code, a)
	}
}

func TestIntakeRefusals(t *testing.T) {
	b := setup(t, setupOpts{})
	srv := intakeServer(t, b, time.Second)

	code, a := postIntake(t, srv.URL, `{"subject":"x"}`, map[string]string{"Authorization": "Bearer wrong"})
	if code != http.StatusUnauthorized || a.Error == nil || a.Error.Code != "unauthorized" {
		t.Errorf("bad key: %d %+v", code, a)
	}
	code, a = postIntake(t, srv.URL, `{"subject":"x","priority":"asap"}`, nil)
	if code != http.StatusBadRequest || a.Error == nil || a.Error.Field != "priority" || !strings.Contains(a.Error.Message, "urgent, high, medium, low") {
		t.Errorf("bad priority: %d %+v", code, a.Error)
	}
	code, a = postIntake(t, srv.URL, `{"subject":"x"}`, map[string]string{"Idempotency-Key": strings.Repeat("k", 300)})
	if code != http.StatusBadRequest || a.Error == nil || a.Error.Field != "Idempotency-Key" {
		t.Errorf("long key: %d %+v", code, a.Error)
	}
	code, a = postIntake(t, srv.URL, `{"subject":"`+strings.Repeat("x", webhooks.MaxZapierBody)+`"}`, nil)
	if code != http.StatusRequestEntityTooLarge || a.Error == nil || a.Error.Code != "too_large" {
		t.Errorf("oversized: %d %+v", code, a.Error)
	}
	// No worker runs here, so tickets prove nothing: nothing may be recorded.
	if ds, err := b.store.ListDeliveries(context.Background(), "", 10); err != nil || len(ds) != 0 {
		t.Errorf("refused intakes recorded %d deliveries (%v)", len(ds), err)
	}
}

// TestIntakeKeyReusedWithAnotherBody: an Idempotency-Key names one request;
// the same key with a different body is 409, not the first ticket. The same
// request spelt differently is still a replay, and an external_id alone
// still means "this record's ticket".
func TestIntakeKeyReusedWithAnotherBody(t *testing.T) {
	b := setup(t, setupOpts{}) // no worker: the answers are 202, the check is before
	srv := intakeServer(t, b, 0)
	code, first := postIntake(t, srv.URL, `{"subject":"Parcel lost","email":"lin@example.com","tags":["shipping","vip"]}`,
		map[string]string{"Idempotency-Key": "zap-9"})
	if code != http.StatusAccepted || first.Duplicate {
		t.Fatalf("first intake: %d %+v", code, first)
	}
	code, same := postIntake(t, srv.URL, `{ "email": "lin@example.com", "tags": "shipping, vip", "subject": "Parcel lost" }`,
		map[string]string{"Idempotency-Key": "zap-9"})
	if code != http.StatusAccepted || !same.Duplicate || same.DeliveryID != first.DeliveryID {
		t.Errorf("the same request respelt: %d %+v, want a duplicate of %d", code, same, first.DeliveryID)
	}
	code, other := postIntake(t, srv.URL, `{"subject":"Refund please","email":"lin@example.com"}`,
		map[string]string{"Idempotency-Key": "zap-9"})
	if code != http.StatusConflict || other.Error == nil || other.Error.Code != "conflict" || !strings.Contains(other.Error.Message, "zap-9") {
		t.Errorf("key reused for another request: %d %+v, want 409", code, other)
	}

	_, a := postIntake(t, srv.URL, `{"subject":"Refund","external_id":"row-8"}`, nil)
	code, changed := postIntake(t, srv.URL, `{"subject":"Refund (updated)","external_id":"row-8"}`, nil)
	if code != http.StatusAccepted || !changed.Duplicate || changed.DeliveryID != a.DeliveryID {
		t.Errorf("external_id with a changed record: %d %+v, want the first delivery", code, changed)
	}
}
