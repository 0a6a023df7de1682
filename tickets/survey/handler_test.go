package survey_test

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/go-chi/chi/v5"

	"hub/tickets"
	"hub/tickets/postgres"
	"hub/tickets/postgres/pgtest"
	"hub/tickets/survey"
)

type clock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *clock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.now }
func (c *clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

// setup serves the page over a fresh database with a resolved ticket whose
// resolution reply carried a survey; it returns the server, the token and
// the store.
func setup(t *testing.T) (*httptest.Server, string, *postgres.Store, *clock) {
	t.Helper()
	ctx := context.Background()
	clk := &clock{now: time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC)}
	store := postgres.New(pgtest.New(t), postgres.Options{Now: clk.Now})
	who := tickets.Actor{Kind: tickets.ActorAgent, ID: "ann@example.com", Name: "Ann"}
	tk, _, err := store.CreateTicket(ctx, who, tickets.NewTicket{Subject: "Cracked mug", Source: tickets.SourceAPI,
		Customer: tickets.CustomerInput{Email: "ada@example.com", Name: "Ada"}})
	if err != nil {
		t.Fatal(err)
	}
	token, inv := tickets.NewSurvey(clk.Now())
	if _, _, err := store.AddMessage(ctx, who, tk.ID, tickets.NewMessage{Kind: tickets.MessageReply, Body: "Replaced.", Survey: &inv, Resolve: true}); err != nil {
		t.Fatal(err)
	}
	r := chi.NewRouter()
	r.Mount("/survey", survey.New(store, nil).Routes())
	srv := httptest.NewServer(r)
	t.Cleanup(srv.Close)
	return srv, token, store, clk
}

func get(t *testing.T, u string) (int, http.Header, string) {
	t.Helper()
	res, err := http.Get(u)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return res.StatusCode, res.Header, string(b)
}

func post(t *testing.T, u string, form url.Values) (int, string) {
	t.Helper()
	res, err := http.PostForm(u, form)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return res.StatusCode, string(b)
}

func TestSurveyPage(t *testing.T) {
	srv, token, store, _ := setup(t)
	link := srv.URL + "/survey/" + token

	status, hdr, body := get(t, link)
	if status != 200 || !strings.Contains(body, `name="rating"`) || !strings.Contains(body, "Cracked mug") {
		t.Fatalf("GET: %d %s", status, body)
	}
	if hdr.Get("Referrer-Policy") != "no-referrer" || hdr.Get("Cache-Control") != "no-store" || !strings.HasPrefix(hdr.Get("Content-Type"), "text/html") {
		t.Errorf("headers %v", hdr)
	}

	status, body = post(t, link, url.Values{"rating": {"seven"}, "comment": {"kept"}})
	if status != 400 || !strings.Contains(body, "Choose a rating from 1 to 5.") || !strings.Contains(body, ">kept</textarea>") {
		t.Errorf("bad rating: %d %s", status, body)
	}

	status, body = post(t, link, url.Values{"rating": {"2"}, "comment": {"Took a while"}})
	if status != 200 || !strings.Contains(body, "Your rating of 2 out of 5") {
		t.Fatalf("answer: %d %s", status, body)
	}
	tk, _, err := store.ListTickets(context.Background(), tickets.Filter{Limit: 1})
	if err != nil || len(tk) != 1 || tk[0].CSAT == nil || tk[0].CSAT.Score != 2 || tk[0].CSAT.Comment != "Took a while" {
		t.Fatalf("ticket after answer: %+v %v", tk, err)
	}

	// A reused link is refused, by GET and POST alike.
	status, body = post(t, link, url.Values{"rating": {"5"}})
	if status != http.StatusGone || !strings.Contains(body, "answered already") {
		t.Errorf("reuse: %d %s", status, body)
	}
	if status, _, body = get(t, link); status != http.StatusGone || !strings.Contains(body, "answered already") {
		t.Errorf("GET after answer: %d %s", status, body)
	}
	if status, _, body = get(t, srv.URL+"/survey/"+token+"x"); status != 404 || !strings.Contains(body, "not valid") {
		t.Errorf("unknown token: %d %s", status, body)
	}
}

func TestSurveyPageExpired(t *testing.T) {
	srv, token, _, clk := setup(t)
	clk.Advance(tickets.SurveyTTL + time.Second)
	link := srv.URL + "/survey/" + token
	if status, _, body := get(t, link); status != http.StatusGone || !strings.Contains(body, "expired") {
		t.Errorf("GET: %d %s", status, body)
	}
	if status, body := post(t, link, url.Values{"rating": {"5"}}); status != http.StatusGone || !strings.Contains(body, "expired") {
		t.Errorf("POST: %d %s", status, body)
	}
}
