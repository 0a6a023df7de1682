package postgres_test

import (
	"reflect"
	"testing"
	"time"

	"hub/tickets"
)

func TestUpdateLifecycleEvents(t *testing.T) {
	b := setup(t)
	tk := b.create(t, tickets.NewTicket{Subject: "Lifecycle", Priority: tickets.PriorityMedium})
	slackUser := tickets.Actor{Kind: tickets.ActorSlack, ID: "U123", Name: "dee"}

	steps := []struct {
		name   string
		actor  tickets.Actor
		patch  tickets.Patch
		events []tickets.Event // written by this step
		check  func(t *testing.T, tk tickets.Ticket)
	}{
		{
			name: "pending pauses the clock", actor: agent, patch: tickets.Patch{Status: ptr(tickets.StatusPending)},
			events: []tickets.Event{{Type: tickets.EventStatusChanged, Actor: agent,
				Before: map[string]any{"status": "open"}, After: map[string]any{"status": "pending"}}},
			check: func(t *testing.T, tk tickets.Ticket) {
				if tk.SLA.PausedAt == nil {
					t.Error("SLA not paused")
				}
			},
		},
		{
			name: "reopen", actor: slackUser, patch: tickets.Patch{Status: ptr(tickets.StatusOpen)},
			events: []tickets.Event{{Type: tickets.EventStatusChanged, Actor: slackUser,
				Before: map[string]any{"status": "pending"}, After: map[string]any{"status": "open"}}},
			check: func(t *testing.T, tk tickets.Ticket) {
				if tk.SLA.PausedAt != nil || tk.SLA.Paused != time.Hour {
					t.Errorf("SLA after resume = %+v; want an hour paused", tk.SLA)
				}
			},
		},
		{
			name: "several fields in one event", actor: agent,
			patch: tickets.Patch{Priority: ptr(tickets.PriorityUrgent), Assignee: ptr("Ann@Example.com"), Tags: &[]string{"VIP", "vip"}, Team: ptr(" billing ")},
			events: []tickets.Event{{Type: tickets.EventUpdated, Actor: agent,
				Before: map[string]any{"priority": "medium", "assignee": "", "tags": []any{}, "team": ""},
				After:  map[string]any{"priority": "urgent", "assignee": "ann@example.com", "tags": []any{"vip"}, "team": "billing"}}},
			check: func(t *testing.T, tk tickets.Ticket) {
				if tk.Assignee != "ann@example.com" || tk.Team != "billing" || len(tk.Tags) != 1 {
					t.Errorf("ticket = %+v", tk)
				}
			},
		},
		{
			name: "status and field together", actor: agent, patch: tickets.Patch{Status: ptr(tickets.StatusResolved), Assignee: ptr("")},
			events: []tickets.Event{
				{Type: tickets.EventStatusChanged, Actor: agent, Before: map[string]any{"status": "open"}, After: map[string]any{"status": "resolved"}},
				{Type: tickets.EventUpdated, Actor: agent, Before: map[string]any{"assignee": "ann@example.com"}, After: map[string]any{"assignee": ""}},
			},
			check: func(t *testing.T, tk tickets.Ticket) {
				if tk.ResolvedAt == nil || !tk.ResolvedAt.Equal(tk.UpdatedAt) {
					t.Errorf("resolved_at = %v", tk.ResolvedAt)
				}
			},
		},
		{
			name: "no-op patch writes nothing", actor: agent, patch: tickets.Patch{Status: ptr(tickets.StatusResolved), Team: ptr("billing"), Tags: &[]string{"vip"}},
		},
		{name: "empty patch writes nothing", actor: agent},
		{
			name: "close", actor: agent, patch: tickets.Patch{Status: ptr(tickets.StatusClosed)},
			events: []tickets.Event{{Type: tickets.EventStatusChanged, Actor: agent,
				Before: map[string]any{"status": "resolved"}, After: map[string]any{"status": "closed"}}},
		},
	}
	seen := len(b.events(t, tk.ID))
	for _, st := range steps {
		b.clock.Advance(time.Hour)
		before, _ := b.store.GetTicket(b.ctx, tk.ID)
		got, err := b.store.UpdateTicket(b.ctx, st.actor, tk.Ref(), st.patch)
		if err != nil {
			t.Fatalf("%s: %v", st.name, err)
		}
		all := b.events(t, tk.ID)
		written := all[seen:]
		seen = len(all)
		if len(written) != len(st.events) {
			t.Fatalf("%s: %d events written; want %d: %+v", st.name, len(written), len(st.events), written)
		}
		for i, want := range st.events {
			e := written[i]
			if e.Type != want.Type || e.Actor != want.Actor || !reflect.DeepEqual(e.Before, want.Before) || !reflect.DeepEqual(e.After, want.After) {
				t.Errorf("%s: event %d = %s by %s %v → %v; want %s by %s %v → %v", st.name, i,
					e.Type, e.Actor, e.Before, e.After, want.Type, want.Actor, want.Before, want.After)
			}
			if !e.At.Equal(b.clock.Now()) {
				t.Errorf("%s: event at %v; want the clock's %v", st.name, e.At, b.clock.Now())
			}
		}
		if len(st.events) == 0 && !got.UpdatedAt.Equal(before.UpdatedAt) {
			t.Errorf("%s: updated_at moved", st.name)
		}
		if len(st.events) > 0 && !got.UpdatedAt.Equal(b.clock.Now()) {
			t.Errorf("%s: updated_at = %v; want %v", st.name, got.UpdatedAt, b.clock.Now())
		}
		if st.check != nil {
			st.check(t, got)
		}
	}
}

func TestUpdateInvalidChangesNothing(t *testing.T) {
	b := setup(t)
	closed := b.create(t, tickets.NewTicket{Subject: "closed"})
	if _, err := b.store.UpdateTicket(b.ctx, agent, closed.ID, tickets.Patch{Status: ptr(tickets.StatusClosed)}); err != nil {
		t.Fatal(err)
	}
	resolved := b.create(t, tickets.NewTicket{Subject: "resolved"})
	if _, err := b.store.UpdateTicket(b.ctx, agent, resolved.ID, tickets.Patch{Status: ptr(tickets.StatusResolved)}); err != nil {
		t.Fatal(err)
	}

	tests := []struct {
		name  string
		ref   string
		patch tickets.Patch
		code  tickets.Code
	}{
		{"closed cannot reopen", closed.ID, tickets.Patch{Status: ptr(tickets.StatusOpen), Team: ptr("x")}, tickets.ECONFLICT},
		{"resolved cannot go pending", resolved.ID, tickets.Patch{Status: ptr(tickets.StatusPending), Priority: ptr(tickets.PriorityHigh)}, tickets.ECONFLICT},
		{"unknown status", resolved.ID, tickets.Patch{Status: ptr(tickets.Status("done"))}, tickets.EINVALID},
		{"unknown priority", resolved.ID, tickets.Patch{Team: ptr("x"), Priority: ptr(tickets.Priority("asap"))}, tickets.EINVALID},
		{"assignee not an email", resolved.ID, tickets.Patch{Assignee: ptr("bob")}, tickets.EINVALID},
		{"bad tag", resolved.ID, tickets.Patch{Tags: &[]string{"a b"}}, tickets.EINVALID},
		{"missing ticket", "T-999999", tickets.Patch{Team: ptr("x")}, tickets.ENOTFOUND},
		{"not a uuid", "0000-zzzz", tickets.Patch{Team: ptr("x")}, tickets.ENOTFOUND},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var before tickets.Ticket
			var eventsBefore int
			if tt.code != tickets.ENOTFOUND {
				before, _ = b.store.GetTicket(b.ctx, tt.ref)
				eventsBefore = len(b.events(t, tt.ref))
			}
			b.clock.Advance(time.Minute)
			_, err := b.store.UpdateTicket(b.ctx, agent, tt.ref, tt.patch)
			wantCode(t, err, tt.code)
			if tt.code == tickets.ENOTFOUND {
				return
			}
			after, _ := b.store.GetTicket(b.ctx, tt.ref)
			if !reflect.DeepEqual(before, after) {
				t.Errorf("ticket changed:\n%+v\n%+v", before, after)
			}
			if n := len(b.events(t, tt.ref)); n != eventsBefore {
				t.Errorf("%d events written", n-eventsBefore)
			}
		})
	}
}
