package postgres_test

import (
	"fmt"
	"testing"
	"time"

	"hub/tickets"
	"hub/tickets/postgres"
)

func (b *testBundle) apiKey(t *testing.T, name string) postgres.APIKey {
	t.Helper()
	_, k, err := b.store.CreateAPIKey(b.ctx, name)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

func TestSaveHookUpsertsAndCaps(t *testing.T) {
	b := setup(t)
	k := b.apiKey(t, "zapier")
	h := postgres.Hook{APIKeyID: k.ID, TargetURL: "https://hooks.zapier.com/hooks/standard/1/a/", Event: tickets.EventCreated}

	first, created, err := b.store.SaveHook(b.ctx, h, 3)
	if err != nil || !created || first.ID == "" {
		t.Fatalf("first subscribe: %+v created=%v err=%v", first, created, err)
	}
	// A paused hook subscribed again comes back to life with the same id.
	if _, err := b.store.HookFailed(b.ctx, first.ID, 0, "boom", 1, 0); err != nil {
		t.Fatal(err)
	}
	again, created, err := b.store.SaveHook(b.ctx, h, 3)
	if err != nil || created || again.ID != first.ID || again.PausedAt != nil || again.Failures != 0 || again.LastError != "" {
		t.Fatalf("same subscribe again: %+v created=%v err=%v", again, created, err)
	}

	for i := 2; i <= 3; i++ {
		h.TargetURL = fmt.Sprintf("https://hooks.zapier.com/hooks/standard/1/%d/", i)
		if _, _, err := b.store.SaveHook(b.ctx, h, 3); err != nil {
			t.Fatal(err)
		}
	}
	h.TargetURL = "https://hooks.zapier.com/hooks/standard/1/over/"
	_, _, err = b.store.SaveHook(b.ctx, h, 3)
	wantCode(t, err, tickets.ECONFLICT)
	// The cap is per key.
	other := b.apiKey(t, "other")
	h.APIKeyID = other.ID
	if _, created, err := b.store.SaveHook(b.ctx, h, 3); err != nil || !created {
		t.Fatalf("another key's subscribe: created=%v %v", created, err)
	}
	if err := b.store.RevokeAPIKey(b.ctx, other.ID); err != nil {
		t.Fatal(err)
	}
	_, _, err = b.store.SaveHook(b.ctx, h, 3)
	wantCode(t, err, tickets.EUNAUTHORIZED)
}

func TestDeleteHookIsIdempotentAndScopedToTheKey(t *testing.T) {
	b := setup(t)
	mine, theirs := b.apiKey(t, "mine"), b.apiKey(t, "theirs")
	h, _, err := b.store.SaveHook(b.ctx, postgres.Hook{APIKeyID: theirs.ID, TargetURL: "https://hooks.zapier.com/x/", Event: tickets.EventUpdated}, 50)
	if err != nil {
		t.Fatal(err)
	}
	wantCode(t, b.store.DeleteHook(b.ctx, mine.ID, h.ID), tickets.ENOTFOUND)
	if err := b.store.DeleteHook(b.ctx, theirs.ID, h.ID); err != nil {
		t.Fatal(err)
	}
	for _, id := range []string{h.ID, "not-a-uuid", "00000000-0000-0000-0000-000000000000"} {
		if err := b.store.DeleteHook(b.ctx, mine.ID, id); err != nil {
			t.Errorf("DeleteHook(%q) of a hook that is gone: %v", id, err)
		}
	}
	if n := b.count(t, `select count(*) from hooks`); n != 0 {
		t.Errorf("%d hooks left", n)
	}
}

func TestHooksForSkipsPausedHooksAndRevokedKeys(t *testing.T) {
	b := setup(t)
	live, revoked := b.apiKey(t, "live"), b.apiKey(t, "revoked")
	save := func(key, target, event string) postgres.Hook {
		h, _, err := b.store.SaveHook(b.ctx, postgres.Hook{APIKeyID: key, TargetURL: target, Event: event}, 50)
		if err != nil {
			t.Fatal(err)
		}
		return h
	}
	a := save(live.ID, "https://hooks.zapier.com/a/", tickets.EventCreated)
	paused := save(live.ID, "https://hooks.zapier.com/p/", tickets.EventCreated)
	save(live.ID, "https://hooks.zapier.com/u/", tickets.EventUpdated)
	save(revoked.ID, "https://hooks.zapier.com/r/", tickets.EventCreated)
	if err := b.store.RevokeAPIKey(b.ctx, revoked.ID); err != nil {
		t.Fatal(err)
	}
	if p, err := b.store.HookFailed(b.ctx, paused.ID, 0, "500", 1, 0); err != nil || !p {
		t.Fatalf("HookFailed at the limit: paused=%v %v", p, err)
	}
	list, err := b.store.HooksFor(b.ctx, tickets.EventCreated)
	if err != nil {
		t.Fatal(err)
	}
	if len(list) != 1 || list[0].ID != a.ID {
		t.Errorf("HooksFor = %+v, want only %s", list, a.ID)
	}
}

func TestHookDeliveryClaims(t *testing.T) {
	b := setup(t)
	k := b.apiKey(t, "k")
	h, _, err := b.store.SaveHook(b.ctx, postgres.Hook{APIKeyID: k.ID, TargetURL: "https://hooks.zapier.com/a/", Event: tickets.EventCreated}, 50)
	if err != nil {
		t.Fatal(err)
	}
	tk := b.create(t, tickets.NewTicket{Subject: "Hello"})
	ev := b.events(t, tk.ID)[0]
	claim := func() bool {
		t.Helper()
		ok, err := b.store.ClaimHookDelivery(b.ctx, h.ID, ev.ID, time.Minute)
		if err != nil {
			t.Fatal(err)
		}
		return ok
	}

	if !claim() {
		t.Fatal("first claim refused")
	}
	if claim() {
		t.Fatal("a claim in flight was taken twice")
	}
	// A failure releases the claim for the retry and counts.
	if paused, err := b.store.HookFailed(b.ctx, h.ID, ev.ID, "status 500", 3, 0); err != nil || paused {
		t.Fatalf("HookFailed: paused=%v %v", paused, err)
	}
	if !claim() {
		t.Fatal("the retry could not claim after a failure")
	}
	// The worker died mid-POST: after the lease another may take over.
	b.clock.Advance(2 * time.Minute)
	if !claim() {
		t.Fatal("an expired claim was not taken over")
	}
	if err := b.store.HookDelivered(b.ctx, h.ID, ev.ID); err != nil {
		t.Fatal(err)
	}
	b.clock.Advance(time.Hour)
	if claim() {
		t.Fatal("a delivered event was claimed again")
	}
	hooks, _ := b.store.ListHooks(b.ctx, k.ID)
	if len(hooks) != 1 || hooks[0].Failures != 0 || hooks[0].LastSuccessAt == nil || hooks[0].LastError != "" {
		t.Errorf("after a success: %+v", hooks)
	}
	// A hook unsubscribed meanwhile is simply not claimed.
	if err := b.store.RemoveHook(b.ctx, h.ID); err != nil {
		t.Fatal(err)
	}
	if ok, err := b.store.ClaimHookDelivery(b.ctx, h.ID, ev.ID+1000, time.Minute); ok || err != nil {
		t.Errorf("claim for a removed hook: %v %v", ok, err)
	}
}

func TestHookFailuresPauseAtTheLimit(t *testing.T) {
	b := setup(t)
	k := b.apiKey(t, "k")
	h, _, _ := b.store.SaveHook(b.ctx, postgres.Hook{APIKeyID: k.ID, TargetURL: "https://hooks.zapier.com/a/", Event: tickets.EventCreated}, 50)
	fail := func() bool {
		t.Helper()
		paused, err := b.store.HookFailed(b.ctx, h.ID, 1, "status 500", 3, time.Hour)
		if err != nil {
			t.Fatal(err)
		}
		return paused
	}
	// A burst of failures within the window (Zapier down for a minute,
	// many events in flight) pauses nothing.
	for i := 1; i <= 5; i++ {
		if fail() {
			t.Fatalf("failure %d within the window paused the hook", i)
		}
		b.clock.Advance(time.Minute)
	}
	// Still failing an hour after the first failure: paused, once.
	b.clock.Advance(time.Hour)
	if !fail() {
		t.Fatal("a hook failing for over an hour was not paused")
	}
	if fail() {
		t.Error("an already paused hook was reported paused again")
	}
	hooks, _ := b.store.ListHooks(b.ctx, k.ID)
	if hooks[0].PausedAt == nil || hooks[0].Failures != 7 || hooks[0].LastError != "status 500" {
		t.Errorf("hook %+v", hooks[0])
	}
}

func TestRecentEventsAndLookups(t *testing.T) {
	b := setup(t)
	first := b.create(t, tickets.NewTicket{Subject: "First", Source: tickets.SourceZapier, ExternalRef: "zap-1"})
	second := b.create(t, tickets.NewTicket{Subject: "Second"})
	if _, _, err := b.store.AddMessage(b.ctx, agent, second.ID, tickets.NewMessage{Kind: tickets.MessageReply, Body: "On its way"}); err != nil {
		t.Fatal(err)
	}
	note, _, err := b.store.AddMessage(b.ctx, agent, second.ID, tickets.NewMessage{Kind: tickets.MessageNote, Body: "internal"})
	if err != nil {
		t.Fatal(err)
	}

	created, err := b.store.RecentEvents(b.ctx, tickets.EventCreated, "", 0)
	if err != nil {
		t.Fatal(err)
	}
	if len(created) != 2 || created[0].TicketID != second.ID || created[1].TicketID != first.ID {
		t.Errorf("created events not newest first: %+v", created)
	}
	if one, _ := b.store.RecentEvents(b.ctx, tickets.EventCreated, "", 1); len(one) != 1 {
		t.Errorf("limit 1: %d events", len(one))
	}
	replies, _ := b.store.RecentEvents(b.ctx, tickets.EventMessageCreated, "reply", 10)
	all, _ := b.store.RecentEvents(b.ctx, tickets.EventMessageCreated, "", 10)
	if len(replies) != 1 || len(all) != 2 || replies[0].After["kind"] != "reply" {
		t.Errorf("message events: replies=%+v all=%d", replies, len(all))
	}

	got, err := b.store.GetEvent(b.ctx, created[0].ID)
	if err != nil || got.Type != tickets.EventCreated || got.TicketID != second.ID {
		t.Errorf("GetEvent: %+v %v", got, err)
	}
	_, err = b.store.GetEvent(b.ctx, 999999)
	wantCode(t, err, tickets.ENOTFOUND)

	m, err := b.store.GetMessage(b.ctx, note.ID)
	if err != nil || m.Body != "internal" || m.TicketID != second.ID {
		t.Errorf("GetMessage: %+v %v", m, err)
	}

	tk, found, err := b.store.TicketByExternalRef(b.ctx, tickets.SourceZapier, "zap-1")
	if err != nil || !found || tk.ID != first.ID {
		t.Errorf("TicketByExternalRef: %v %v %v", tk.ID, found, err)
	}
	if _, found, _ := b.store.TicketByExternalRef(b.ctx, tickets.SourceAPI, "zap-1"); found {
		t.Error("found a ticket under another source")
	}
}
