package zapier_test

import (
	"errors"
	"net/http"
	"testing"
	"time"

	"github.com/hibiken/asynq"

	"hub/connectors/zapier/zapiertest"
	"hub/tickets"
	"hub/webhooks"
	"hub/webhooks/zapier"
)

func TestEveryEventReachesItsHooksOnce(t *testing.T) {
	b := setup(t)
	for _, e := range zapier.Events {
		b.subscribe(t, e, e, "")
	}
	b.subscribe(t, "created-too", tickets.EventCreated, "")

	tk := b.create(t, "Where is my order #1001?", "ada@example.com")
	b.clock.Advance(time.Minute)
	if _, err := b.store.UpdateTicket(b.ctx, agent, tk.ID, tickets.Patch{Priority: ptr(tickets.PriorityUrgent)}); err != nil {
		t.Fatal(err)
	}
	if _, err := b.store.UpdateTicket(b.ctx, agent, tk.ID, tickets.Patch{Status: ptr(tickets.StatusPending)}); err != nil {
		t.Fatal(err)
	}
	token, survey := tickets.NewSurvey(b.clock.Now())
	if _, _, err := b.store.AddMessage(b.ctx, agent, tk.ID, tickets.NewMessage{Kind: tickets.MessageReply, Body: "It ships today.", Survey: &survey, Resolve: true}); err != nil {
		t.Fatal(err)
	}
	if _, err := b.store.LinkOrder(b.ctx, agent, tk.ID, tickets.OrderRef{Store: "shopify:acme.myshopify.com", OrderID: "555", OrderNumber: "#1001", Total: "42.00", Currency: "EUR"}); err != nil {
		t.Fatal(err)
	}
	// An urgent ticket reopened and left alone breaches its SLA.
	if _, err := b.store.UpdateTicket(b.ctx, agent, tk.ID, tickets.Patch{Status: ptr(tickets.StatusOpen)}); err != nil {
		t.Fatal(err)
	}
	if _, err := b.store.RateSurvey(b.ctx, token, tickets.Rating{Score: 4, Comment: "Quick answer"}); err != nil {
		t.Fatal(err)
	}
	b.clock.Advance(5 * time.Hour)
	if n, err := b.store.WarnSLA(b.ctx, b.clock.Now()); err != nil || n == 0 {
		t.Fatalf("WarnSLA: %d warnings, %v", n, err)
	}

	if errs := b.relay(t); len(errs) > 0 {
		t.Fatalf("deliveries failed: %v", errs)
	}
	// A second run of every task (asynq retried, or the relay re-sent
	// them) posts nothing again.
	items, _ := b.store.PendingOutbox(b.ctx, b.clock.Now(), 1000)
	if len(items) != 0 {
		t.Fatalf("%d outbox items left pending", len(items))
	}
	events := b.allEvents(t, tk.ID)
	for _, e := range events {
		if err := b.svc.ProcessDeliver(b.ctx, zapier.NewDeliverTask(e.ID, e.Type)); err != nil {
			t.Fatal(err)
		}
	}

	want := map[string]int{}
	for _, e := range events {
		want[e.Type]++
	}
	for _, e := range zapier.Events {
		got := b.fake.ReceivedJSON(e)
		if len(got) != want[e] || want[e] == 0 {
			t.Errorf("hook for %s received %d posts, want %d (one per event)", e, len(got), want[e])
			continue
		}
		for _, p := range got {
			if p["event"] != e || p["id"] == "" {
				t.Errorf("hook for %s got %v", e, p)
			}
		}
	}
	if got := b.fake.Received("created-too"); len(got) != 1 {
		t.Errorf("second ticket.created hook got %d posts", len(got))
	}
	msg := b.fake.ReceivedJSON(tickets.EventMessageCreated)[0]["message"].(map[string]any)
	if msg["body"] != "It ships today." || msg["visibility"] != "public" {
		t.Errorf("message payload %v", msg)
	}
	order := b.fake.ReceivedJSON(tickets.EventOrderLinked)[0]["order"].(map[string]any)
	if order["order_number"] != "#1001" || order["total"] != "42.00" {
		t.Errorf("order payload %v", order)
	}
	sla := b.fake.ReceivedJSON(tickets.EventSLAWarning)[0]["sla_warning"].(map[string]any)
	if sla["level"] == "" || sla["target"] == "" {
		t.Errorf("sla payload %v", sla)
	}
	rated := b.fake.ReceivedJSON(tickets.EventRated)[0]
	if r, _ := rated["rating"].(map[string]any); r["rating"] != float64(4) || r["comment"] != "Quick answer" {
		t.Errorf("rating payload %v", rated["rating"])
	}
	if c, _ := rated["ticket"].(map[string]any)["csat"].(map[string]any); c["rating"] != float64(4) {
		t.Errorf("ticket.csat in the rated payload: %v", rated["ticket"])
	}
	changes := b.fake.ReceivedJSON(tickets.EventStatusChanged)[0]["changes"].(map[string]any)
	if st := changes["status"].(map[string]any); st["from"] != "open" || st["to"] != "pending" {
		t.Errorf("status change payload %v", changes)
	}
}

func (b *bundle) allEvents(t *testing.T, ticketID string) []tickets.Event {
	t.Helper()
	list, err := b.store.ListEvents(b.ctx, ticketID)
	if err != nil {
		t.Fatal(err)
	}
	return list
}

func TestGoneRemovesTheHookAndServerErrorsAreRetried(t *testing.T) {
	b := setup(t)
	dead := b.subscribe(t, "dead", tickets.EventCreated, "")
	b.subscribe(t, "flaky", tickets.EventCreated, "")
	b.subscribe(t, "fine", tickets.EventCreated, "")
	b.fake.Script("dead", zapiertest.Reply{Status: http.StatusGone})
	b.fake.Script("flaky", zapiertest.Reply{Status: http.StatusInternalServerError}, zapiertest.Reply{Status: http.StatusOK})

	b.create(t, "Broken zipper", "lin@example.com")
	errs := b.relay(t)
	if len(errs) != 1 {
		t.Fatalf("first run: %v, want one retryable error", errs)
	}
	if webhooks.IsPermanent(errs[0]) || !webhooks.IsFailure(errs[0]) {
		t.Errorf("a 500 should be retried with backoff: %v", errs[0])
	}
	if got := len(b.fake.Received("flaky")); got != 0 {
		t.Fatalf("flaky got %d before its retry", got)
	}
	hooks, err := b.store.ListHooks(b.ctx, b.key.ID)
	if err != nil || len(hooks) != 2 {
		t.Fatalf("after the 410: %d hooks (%v), want the 2 others", len(hooks), err)
	}
	for _, h := range hooks {
		if h.ID == dead.ID {
			t.Fatal("the hook that answered 410 is still subscribed")
		}
	}

	// The retry: flaky now answers 200; fine is not posted to again.
	if errs := b.relay(t); len(errs) != 0 {
		t.Fatalf("retry: %v", errs)
	}
	if got := len(b.fake.Received("flaky")); got != 1 {
		t.Errorf("flaky got %d posts after the retry, want 1", got)
	}
	if got := len(b.fake.Received("fine")); got != 1 {
		t.Errorf("fine got %d posts, want exactly 1", got)
	}
	hooks, err = b.store.ListHooks(b.ctx, b.key.ID)
	if err != nil || len(hooks) != 2 {
		t.Errorf("%d hooks left, want 2", len(hooks))
	}
	for _, h := range hooks {
		if h.Failures != 0 {
			t.Errorf("hook %s failures %d after a success", h.ID, h.Failures)
		}
	}
}

func TestRateLimitedHookIsRetriedAfterItsRetryAfter(t *testing.T) {
	b := setup(t)
	b.subscribe(t, "busy", tickets.EventCreated, "")
	b.fake.Script("busy", zapiertest.Reply{Status: http.StatusTooManyRequests, Header: map[string]string{"Retry-After": "30"}})
	b.create(t, "Hello", "lin@example.com")
	errs := b.relay(t)
	if len(errs) != 1 {
		t.Fatalf("errors %v", errs)
	}
	d, ok := webhooks.RetryAfterOf(errs[0])
	if !ok || d != 30*time.Second {
		t.Errorf("RetryAfterOf = %v %v, want 30s", d, ok)
	}
	if webhooks.IsFailure(errs[0]) {
		t.Error("a rate limit should not use up a retry")
	}
	if got := webhooks.RetryDelay(1, errs[0], nil); got < 30*time.Second {
		t.Errorf("retry in %v, before the target allows", got)
	}
}

func TestRefusedTargetsAreNotRetried(t *testing.T) {
	b := setup(t)
	b.subscribe(t, "moved", tickets.EventCreated, "")
	b.fake.Script("moved", zapiertest.Reply{Status: http.StatusFound, Location: b.fake.HookURL("elsewhere")})
	b.create(t, "Hello", "lin@example.com")
	if errs := b.relay(t); len(errs) != 0 {
		t.Fatalf("a redirect should fail for good, not be retried: %v", errs)
	}
	if got := b.fake.Received("elsewhere"); len(got) != 0 {
		t.Errorf("the redirect was followed")
	}
	hooks, _ := b.store.ListHooks(b.ctx, b.key.ID)
	if len(hooks) != 1 || hooks[0].Failures != 1 || hooks[0].LastError == "" {
		t.Errorf("the refusal was not recorded: %+v", hooks)
	}
}

func TestAHookThatKeepsFailingIsPaused(t *testing.T) {
	b := setup(t, func(c *zapier.Config) { c.PauseAfter, c.PauseWindow = 3, 30*time.Minute })
	b.subscribe(t, "down", tickets.EventCreated, "")
	b.fake.Script("down", zapiertest.Reply{Status: http.StatusBadGateway})
	b.create(t, "One", "lin@example.com")
	for i := 0; i < 4; i++ {
		errs := b.relay(t)
		b.clock.Advance(15 * time.Minute)
		if i < 2 && len(errs) != 1 {
			t.Fatalf("attempt %d: %v", i, errs)
		}
	}
	hooks, err := b.store.ListHooks(b.ctx, b.key.ID)
	if err != nil || len(hooks) != 1 {
		t.Fatalf("the failing hook should be kept, paused: %d hooks (%v)", len(hooks), err)
	}
	if hooks[0].PausedAt == nil {
		t.Fatalf("hook not paused after failing for 45 minutes: %+v", hooks[0])
	}
	// Paused: the event is done (no more retries) and new events skip it.
	if errs := b.relay(t); len(errs) != 0 {
		t.Errorf("still retrying a paused hook: %v", errs)
	}
	b.fake.Script("down") // it would answer 200 now
	b.create(t, "Two", "lin@example.com")
	b.relay(t)
	if got := b.fake.Received("down"); len(got) != 0 {
		t.Errorf("a paused hook got %d posts", len(got))
	}
}

func TestMessageKindNarrowsMessageHooks(t *testing.T) {
	b := setup(t)
	b.subscribe(t, "replies", tickets.EventMessageCreated, "reply")
	b.subscribe(t, "all", tickets.EventMessageCreated, "")
	tk := b.create(t, "Hello", "lin@example.com")
	for _, m := range []tickets.NewMessage{
		{Kind: tickets.MessageNote, Body: "internal only"},
		{Kind: tickets.MessageReply, Body: "Hi Lin, on its way."},
	} {
		if _, _, err := b.store.AddMessage(b.ctx, agent, tk.ID, m); err != nil {
			t.Fatal(err)
		}
	}
	b.relay(t)
	replies := b.fake.ReceivedJSON("replies")
	if len(replies) != 1 || replies[0]["message"].(map[string]any)["kind"] != "reply" {
		t.Errorf("reply hook got %v", replies)
	}
	if got := len(b.fake.Received("all")); got != 2 {
		t.Errorf("unfiltered hook got %d, want 2", got)
	}
}

func TestDeliverTaskPayloadErrorsSkipRetry(t *testing.T) {
	b := setup(t)
	err := b.svc.ProcessDeliver(b.ctx, asynq.NewTask(zapier.TypeDeliver, []byte("nope")))
	if !errors.Is(err, asynq.SkipRetry) {
		t.Errorf("bad payload: %v", err)
	}
	// An event whose ticket is gone (erased) is done, not an error.
	b.subscribe(t, "x", tickets.EventCreated, "")
	if err := b.svc.ProcessDeliver(b.ctx, zapier.NewDeliverTask(987654, tickets.EventCreated)); err != nil {
		t.Errorf("missing event: %v", err)
	}
}

func ptr[T any](v T) *T { return &v }

// A worker killed between claiming a hook delivery and recording its
// outcome leaves the claim behind. The retry must not take the claim for a
// delivery: it waits (using up no retry) until the claim runs out, then
// posts. Found by the chaos test that kills workers under load.
func TestAClaimLeftByADeadWorkerIsRetriedNotDropped(t *testing.T) {
	const lease = 2 * time.Minute
	b := setup(t, func(c *zapier.Config) { c.Lease = lease })
	h := b.subscribe(t, "after-kill", tickets.EventCreated, "")
	tk := b.create(t, "Parcel lost", "lin@example.com")
	var created tickets.Event
	for _, e := range b.allEvents(t, tk.ID) {
		if e.Type == tickets.EventCreated {
			created = e
		}
	}
	// The dead worker's claim: made, never followed by an outcome.
	if ok, err := b.store.ClaimHookDelivery(b.ctx, h.ID, created.ID, lease); err != nil || !ok {
		t.Fatalf("claim: %v %v", ok, err)
	}
	b.clock.Advance(30 * time.Second)

	err := b.svc.ProcessDeliver(b.ctx, zapier.NewDeliverTask(created.ID, created.Type))
	if err == nil {
		t.Fatal("the retry counted a dead attempt's claim as delivered")
	}
	if d, ok := webhooks.RetryAfterOf(err); !ok || d != 90*time.Second {
		t.Errorf("retry in %v (%v), want when the claim runs out (90s)", d, ok)
	}
	if webhooks.IsFailure(err) || webhooks.IsPermanent(err) {
		t.Errorf("waiting for a claim should use up no retry: %v", err)
	}
	if got := len(b.fake.Received("after-kill")); got != 0 {
		t.Fatalf("posted %d times while the claim held", got)
	}

	b.clock.Advance(lease)
	if err := b.svc.ProcessDeliver(b.ctx, zapier.NewDeliverTask(created.ID, created.Type)); err != nil {
		t.Fatal(err)
	}
	if got := len(b.fake.Received("after-kill")); got != 1 {
		t.Fatalf("hook got %d posts, want 1", got)
	}
	// Delivered now: a further run neither posts nor waits.
	if err := b.svc.ProcessDeliver(b.ctx, zapier.NewDeliverTask(created.ID, created.Type)); err != nil {
		t.Fatal(err)
	}
	if got := len(b.fake.Received("after-kill")); got != 1 {
		t.Fatalf("hook got %d posts after a repeat, want 1", got)
	}
}
