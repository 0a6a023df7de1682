package web

import (
	"context"
	"html/template"
	"net/http"
	"strings"
	"sync"
	"time"

	"golang.org/x/sync/singleflight"

	"hub/tickets"
)

type listView struct {
	Filter  tickets.Filter
	Tickets []ticketRow
	Next    string
	Counts  tickets.ViewCounts
	Views   []tickets.View
	// Live is set on the first page of the newest-first order, where new
	// tickets can simply appear on top.
	Live  bool
	Since string // the newest ticket's creation time, for the event stream
	Error string // a filter that could not be applied
}

func (listView) PageTitle() string { return "Tickets" }

// ticketRow is a ticket as the list shows it, with its SLA judged now.
type ticketRow struct {
	T   tickets.Ticket
	SLA tickets.SLAState
	Due time.Time
	Now time.Time
}

func (s *Server) row(t tickets.Ticket, now time.Time) ticketRow {
	return ticketRow{T: t, SLA: s.cfg.Policy.State(t, now), Due: t.NextDue(), Now: now}
}

// listPage is the ticket list: a view, the API's filters and full-text
// search, newest first or by due time, in cursor pages.
func (s *Server) listPage(w http.ResponseWriter, r *http.Request) error {
	me := agentFrom(r.Context())
	now := s.now()
	f, err := filterFrom(r)
	f.Me, f.Now, f.Limit, f.Rows = me.Email, now, 50, true
	v := listView{Filter: f, Views: tickets.Views}
	counts, cerr := s.counts.get(r.Context(), me.Email, func(ctx context.Context) (tickets.ViewCounts, error) {
		return s.store.CountViews(ctx, me.Email, now)
	})
	if cerr != nil {
		return cerr
	}
	v.Counts = counts
	if err != nil {
		v.Error = tickets.ErrorMessage(err)
		return s.renderStatus(w, r, http.StatusBadRequest, "list", v)
	}
	list, next, err := s.store.ListTickets(r.Context(), f)
	if tickets.ErrorCode(err) == tickets.EINVALID {
		v.Error = tickets.ErrorMessage(err)
		return s.renderStatus(w, r, http.StatusBadRequest, "list", v)
	}
	if err != nil {
		return err
	}
	for _, t := range list {
		v.Tickets = append(v.Tickets, s.row(t, now))
	}
	v.Next = next
	v.Live = f.Cursor == "" && f.Sort == tickets.SortNewest
	// New means newer than the newest ticket anywhere, by the store's
	// clock: the first row of the unfiltered newest-first page is that
	// ticket. Elsewhere only a banner is shown, and now will do.
	v.Since = now.UTC().Format(time.RFC3339Nano)
	if v.Live && len(list) > 0 && f == (tickets.Filter{Me: f.Me, Now: f.Now, Limit: f.Limit, Rows: true}) {
		v.Since = list[0].CreatedAt.UTC().Format(time.RFC3339Nano)
	}
	return s.render(w, r, "list", v)
}

// filterFrom reads the list's query: the API's filter names plus view and
// sort.
func filterFrom(r *http.Request) (tickets.Filter, error) {
	q := r.URL.Query()
	f := tickets.Filter{
		Tag:      strings.TrimSpace(q.Get("tag")),
		Assignee: strings.TrimSpace(q.Get("assignee")),
		Email:    strings.TrimSpace(q.Get("email")),
		Order:    strings.TrimSpace(q.Get("order")),
		Query:    strings.TrimSpace(q.Get("q")),
		Cursor:   strings.TrimSpace(q.Get("cursor")),
	}
	var err error
	if v := q.Get("status"); v != "" {
		if f.Status, err = tickets.ParseStatus(v); err != nil {
			return f, err
		}
	}
	if v := q.Get("priority"); v != "" {
		if f.Priority, err = tickets.ParsePriority(v); err != nil {
			return f, err
		}
	}
	if f.View, err = tickets.ParseView(q.Get("view")); err != nil {
		return f, err
	}
	if f.Sort, err = tickets.ParseSort(q.Get("sort")); err != nil {
		return f, err
	}
	for _, s := range []string{f.Tag, f.Assignee, f.Email, f.Order, f.Query, f.Cursor} {
		if len(s) > 500 {
			return f, tickets.Invalid("q", "a filter is at most 500 characters")
		}
	}
	return f, nil
}

// countCache keeps each agent's view counts for a few seconds: counting
// reads every active ticket, and the list is loaded far more often than
// the counts change enough to matter. One count per agent runs at a time
// (singleflight); while it refreshes an expired entry, readers get the
// stale one instead of all counting at once.
type countCache struct {
	ttl   time.Duration
	group singleflight.Group
	mu    sync.Mutex
	m     map[string]countEntry
}

type countEntry struct {
	at     time.Time
	counts tickets.ViewCounts
}

func newCountCache(ttl time.Duration) *countCache {
	return &countCache{ttl: ttl, m: map[string]countEntry{}}
}

func (c *countCache) get(ctx context.Context, me string, load func(context.Context) (tickets.ViewCounts, error)) (tickets.ViewCounts, error) {
	c.mu.Lock()
	e, ok := c.m[me]
	c.mu.Unlock()
	if ok && time.Since(e.at) < c.ttl {
		return e.counts, nil
	}
	refresh := func() (any, error) {
		// Not the request's context: a refresh others wait on must not
		// end because the first asker went away.
		lctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 30*time.Second)
		defer cancel()
		counts, err := load(lctx)
		if err != nil {
			return nil, err
		}
		c.mu.Lock()
		if len(c.m) > 1000 { // agents come and go: never grow without bound
			clear(c.m)
		}
		c.m[me] = countEntry{at: time.Now(), counts: counts}
		c.mu.Unlock()
		return counts, nil
	}
	if ok {
		c.group.DoChan(me, refresh) // refresh in the background; serve stale now
		return e.counts, nil
	}
	v, err, _ := c.group.Do(me, refresh)
	if err != nil {
		return nil, err
	}
	return v.(tickets.ViewCounts), nil
}

// forget drops the cached counts after the agent changed something, so the
// page they land on agrees with what they did.
func (c *countCache) forget(me string) {
	c.mu.Lock()
	delete(c.m, me)
	c.mu.Unlock()
}

// HTML is the row as the list, the customer page, a ticket's "other
// tickets" and the live event stream show it. It is written in Go rather
// than as a template because it is the one fragment repeated fifty times a
// page: html/template calls its escapers and functions through reflection
// for every action, which made the rows most of a list page's cost. Every
// value from the ticket goes through esc; the rest is constant markup.
func (r ticketRow) HTML() template.HTML {
	esc := template.HTMLEscapeString
	t := r.T
	ref := esc(tickets.FormatNumber(t.Number))
	var b strings.Builder
	b.Grow(1024)
	w := func(ss ...string) {
		for _, s := range ss {
			b.WriteString(s)
		}
	}
	w(`<li class="ticket prio-`, esc(string(t.Priority)), `" data-ref="`, ref, `">`+"\n  ",
		`<a class="subject" href="/tickets/`, ref, `"><span class="num">`, ref, `</span> `, esc(t.Subject), `</a>`+"\n  ",
		`<span class="meta">`+"\n    ",
		`<span class="badge status-`, esc(string(t.Status)), `">`, esc(string(t.Status)), `</span>`+"\n    ",
		`<span class="badge prio">`, esc(string(t.Priority)), `</span>`+"\n    ")
	switch {
	case r.SLA.Breached:
		w(`<span class="badge sla-breached">breached</span>`)
	case r.SLA.AtRisk:
		w(`<span class="badge sla-risk">at risk</span>`)
	}
	w("\n    ")
	if !r.Due.IsZero() && (t.Status == tickets.StatusOpen || t.Status == tickets.StatusPending) {
		w(`<time datetime="`, iso(r.Due), `" title="`, stamp(r.Due), `">`, esc(until(r.Now, r.Due)), `</time>`)
	}
	who := "unknown customer"
	if t.Customer.Name != "" {
		who = t.Customer.Name
	} else if t.Customer.Email != "" {
		who = t.Customer.Email
	}
	assignee := "unassigned"
	if t.Assignee != "" {
		assignee = "→ " + t.Assignee
	}
	w("\n    ", `<span class="who">`, esc(who), `</span>`+"\n    ",
		`<span class="assignee">`, esc(assignee), `</span>`+"\n    ")
	for _, tag := range t.Tags {
		w(`<span class="tag">`, esc(tag), `</span>`)
	}
	w("\n    ", `<time class="created" datetime="`, iso(t.CreatedAt), `" title="`, stamp(t.CreatedAt), `">`, esc(ago(r.Now, t.CreatedAt)), `</time>`+"\n  ",
		`</span>`+"\n", `</li>`)
	return template.HTML(b.String())
}
