package postgres_test

import (
	"bytes"
	"testing"
	"time"

	"hub/tickets"
)

func TestResolutionReplyWithSurvey(t *testing.T) {
	b := setup(t)
	tk := b.create(t, tickets.NewTicket{Subject: "Broken mug", Customer: tickets.CustomerInput{Email: "ada@example.com", Name: "Ada"}})
	token, inv := tickets.NewSurvey(b.clock.Now())

	// A note cannot resolve or carry a survey.
	_, _, err := b.store.AddMessage(b.ctx, agent, tk.ID, tickets.NewMessage{Kind: tickets.MessageNote, Body: "x", Survey: &inv})
	wantCode(t, err, tickets.EINVALID)

	msg, got, err := b.store.AddMessage(b.ctx, agent, tk.ID, tickets.NewMessage{
		Kind: tickets.MessageReply, Body: tickets.WithSurveyLink("A new mug is on its way.", "https://hub.example/survey/"+token),
		Survey: &inv, Resolve: true})
	if err != nil {
		t.Fatal(err)
	}
	if got.Status != tickets.StatusResolved || got.FirstResponseAt == nil || got.CSAT != nil {
		t.Errorf("after the resolution reply: %+v", got)
	}
	if !bytes.Contains([]byte(msg.Body), []byte(token)) {
		t.Errorf("reply %q lacks the link", msg.Body)
	}
	// Only the hash is stored.
	if n := b.count(t, `select count(*) from surveys where token_hash = $1`, inv.TokenHash); n != 1 {
		t.Errorf("%d surveys by hash", n)
	}
	if n := b.count(t, `select count(*) from surveys where position($1::bytea in token_hash) > 0`, []byte(token)); n != 0 {
		t.Errorf("the token itself is stored")
	}

	sv, err := b.store.Survey(b.ctx, token)
	if err != nil || sv.State != tickets.SurveyOpen || sv.TicketRef != tk.Ref() {
		t.Fatalf("survey %+v %v", sv, err)
	}
	_, err = b.store.RateSurvey(b.ctx, token, tickets.Rating{Score: 6})
	wantCode(t, err, tickets.EINVALID)
	_, err = b.store.RateSurvey(b.ctx, "not-a-token", tickets.Rating{Score: 5})
	wantCode(t, err, tickets.ENOTFOUND)

	b.clock.Advance(time.Hour)
	sv, err = b.store.RateSurvey(b.ctx, token, tickets.Rating{Score: 4, Comment: " Quick, thanks "})
	if err != nil || sv.State != tickets.SurveyAnswered || sv.Rating.Score != 4 {
		t.Fatalf("rate %+v %v", sv, err)
	}
	// A link answers once.
	_, err = b.store.RateSurvey(b.ctx, token, tickets.Rating{Score: 1})
	wantCode(t, err, tickets.ECONFLICT)

	got, err = b.store.GetTicket(b.ctx, tk.ID)
	if err != nil || got.CSAT == nil || got.CSAT.Score != 4 || got.CSAT.Comment != "Quick, thanks" || !got.CSAT.At.Equal(b.clock.Now()) {
		t.Fatalf("ticket CSAT %+v %v", got.CSAT, err)
	}
	ev := b.events(t, tk.ID)
	last := ev[len(ev)-1]
	if last.Type != tickets.EventRated || last.Actor.Kind != tickets.ActorCustomer || last.After["rating"] != float64(4) {
		t.Errorf("last event %+v", last)
	}
}

func TestSurveyExpires(t *testing.T) {
	b := setup(t)
	tk := b.create(t, tickets.NewTicket{Subject: "Late"})
	token, inv := tickets.NewSurvey(b.clock.Now())
	if _, _, err := b.store.AddMessage(b.ctx, agent, tk.ID, tickets.NewMessage{Kind: tickets.MessageReply, Body: "Done", Survey: &inv, Resolve: true}); err != nil {
		t.Fatal(err)
	}
	b.clock.Advance(tickets.SurveyTTL)
	sv, err := b.store.Survey(b.ctx, token)
	if err != nil || sv.State != tickets.SurveyExpired {
		t.Fatalf("survey %+v %v", sv, err)
	}
	_, err = b.store.RateSurvey(b.ctx, token, tickets.Rating{Score: 5})
	wantCode(t, err, tickets.ECONFLICT)
}

// A reply that fails to resolve (the ticket is closed) leaves no survey.
func TestResolutionReplyOnClosedTicket(t *testing.T) {
	b := setup(t)
	tk := b.create(t, tickets.NewTicket{Subject: "Old"})
	if _, err := b.store.UpdateTicket(b.ctx, agent, tk.ID, tickets.Patch{Status: ptr(tickets.StatusClosed)}); err != nil {
		t.Fatal(err)
	}
	_, inv := tickets.NewSurvey(b.clock.Now())
	_, _, err := b.store.AddMessage(b.ctx, agent, tk.ID, tickets.NewMessage{Kind: tickets.MessageReply, Body: "Done", Survey: &inv, Resolve: true})
	wantCode(t, err, tickets.ECONFLICT)
	if n := b.count(t, `select count(*) from surveys`); n != 0 {
		t.Errorf("%d surveys left", n)
	}
}
