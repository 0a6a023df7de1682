package enrich

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/hibiken/asynq"

	"hub/tickets"
)

// TypeEnrichTicket is the task that enriches one ticket. Its payload is
// taskPayload; follow-ups for one ticket coalesce while pending.
const TypeEnrichTicket = "enrich:ticket"

type taskPayload struct {
	TicketID string `json:"ticket_id"`
}

// Store is what the enrichment reads and writes.
type Store interface {
	GetTicket(ctx context.Context, ref string) (tickets.Ticket, error)
	ListMessages(ctx context.Context, ref string) ([]tickets.Message, error)
	ListEvents(ctx context.Context, ref string) ([]tickets.Event, error)
	Apply(ctx context.Context, actor tickets.Actor, cmds ...tickets.Command) error
}

// Sources lists the connected stores to ask, at the time of asking (stores
// are connected and disconnected while the hub runs).
type Sources func(ctx context.Context) ([]Source, error)

// Options tune an Enricher.
type Options struct {
	CacheTTL time.Duration // default 60s; negative disables the cache
	Now      func() time.Time
	Logger   *slog.Logger
}

// Enricher looks up order and customer context for tickets.
type Enricher struct {
	store   Store
	sources Sources
	cache   *cache
	log     *slog.Logger
}

// actor is who the audit trail names for what the enrichment links.
var actor = tickets.Actor{Kind: tickets.ActorSystem, ID: "enrich", Name: "Order lookup"}

// New returns an Enricher.
func New(store Store, sources Sources, opt Options) *Enricher {
	if opt.CacheTTL == 0 {
		opt.CacheTTL = time.Minute
	}
	if opt.Now == nil {
		opt.Now = time.Now
	}
	if opt.Logger == nil {
		opt.Logger = slog.New(slog.DiscardHandler)
	}
	return &Enricher{store: store, sources: sources, cache: newCache(opt.CacheTTL, 10000, opt.Now), log: opt.Logger}
}

// Followups asks for an enrichment when a ticket is created and when its
// customer writes (they may name an order).
func Followups(t tickets.Ticket, e tickets.Event) []tickets.Followup {
	switch {
	case e.Type == tickets.EventCreated,
		e.Type == tickets.EventMessageCreated && e.After["kind"] == string(tickets.MessageCustomer):
	default:
		return nil
	}
	b, _ := json.Marshal(taskPayload{TicketID: t.ID})
	return []tickets.Followup{{Type: TypeEnrichTicket, Payload: b, Unique: t.ID}}
}

// Register adds the task handler to mux.
func (en *Enricher) Register(mux *asynq.ServeMux) { mux.HandleFunc(TypeEnrichTicket, en.HandleTask) }

// HandleTask enriches the ticket named in the task.
func (en *Enricher) HandleTask(ctx context.Context, task *asynq.Task) error {
	var p taskPayload
	if err := json.Unmarshal(task.Payload(), &p); err != nil || p.TicketID == "" {
		return fmt.Errorf("enrich: bad payload %q: %w", task.Payload(), asynq.SkipRetry)
	}
	err := en.Ticket(ctx, p.TicketID)
	if tickets.ErrorCode(err) == tickets.ENOTFOUND {
		return fmt.Errorf("enrich: %w: %w", err, asynq.SkipRetry) // the ticket is gone (erased)
	}
	return err
}

// found is what one store answered.
type found struct {
	src       Source
	orders    []tickets.OrderRef
	customers []tickets.StoreCustomer
	err       error
}

// Ticket looks up the ticket's customer and orders in every connected store
// and applies what it finds. It is idempotent: links and notes are written
// once however often it runs. An error from a store (after the others'
// answers are applied) is returned so the task is retried; one that carries
// a Retry-After is retried after that delay.
func (en *Enricher) Ticket(ctx context.Context, ticketID string) error {
	t, err := en.store.GetTicket(ctx, ticketID)
	if err != nil {
		return err
	}
	q, err := en.query(ctx, t)
	if err != nil {
		return err
	}
	if q.Email == "" && q.Phone == "" && len(q.OrderNumbers) == 0 {
		return nil // nothing to look up
	}
	sources, err := en.sources(ctx)
	if err != nil {
		return fmt.Errorf("enrich: list stores: %w", err)
	}
	if len(sources) == 0 {
		return nil
	}
	results := en.ask(ctx, sources, q)
	cmds, errs := plan(t, q, results)
	if len(cmds) > 0 {
		if err := en.store.Apply(ctx, actor, cmds...); err != nil {
			return fmt.Errorf("enrich: apply: %w", err)
		}
	}
	return errors.Join(errs...)
}

// query gathers who and what the ticket is about.
func (en *Enricher) query(ctx context.Context, t tickets.Ticket) (Query, error) {
	q := Query{Email: t.Customer.Email, Phone: t.Customer.Phone}
	texts := []string{t.Subject, t.Description}
	msgs, err := en.store.ListMessages(ctx, t.ID)
	if err != nil {
		return q, err
	}
	for _, m := range msgs {
		if m.Kind == tickets.MessageCustomer && m.DeletedAt == nil {
			texts = append(texts, m.Body)
		}
	}
	q.OrderNumbers = OrderNumbers(texts...)
	// An order number given as a field at intake (Zapier, the API) is in the
	// created event.
	events, err := en.store.ListEvents(ctx, t.ID)
	if err != nil {
		return q, err
	}
	for _, e := range events {
		if n, ok := e.After["order_number"].(string); ok && e.Type == tickets.EventCreated {
			n = strings.TrimLeft(strings.TrimSpace(n), "#")
			if n != "" && !contains(q.OrderNumbers, n) {
				q.OrderNumbers = append([]string{n}, q.OrderNumbers...)
			}
		}
	}
	return q, nil
}

// ask queries every store at once; each store's package paces its own calls.
func (en *Enricher) ask(ctx context.Context, sources []Source, q Query) []found {
	out := make([]found, len(sources))
	var wg sync.WaitGroup
	for i, src := range sources {
		wg.Add(1)
		go func() {
			defer wg.Done()
			out[i] = en.askOne(ctx, src, q)
		}()
	}
	wg.Wait()
	return out
}

func (en *Enricher) askOne(ctx context.Context, src Source, q Query) found {
	key := src.Store() + "\x00" + q.Email + "\x00" + q.Phone + "\x00" + strings.Join(q.OrderNumbers, ",")
	if v, ok := en.cache.get(key); ok {
		return v.(found)
	}
	f := found{src: src}
	// Not found (or not shown) is an answer: the plan says so on the ticket.
	orders, err := src.FindOrders(ctx, q)
	if err != nil && !errors.Is(err, ErrNotFound) {
		f.err = fmt.Errorf("enrich: %s: find orders: %w", src.Store(), err)
		return f
	}
	f.orders = orders
	if q.Email != "" || q.Phone != "" {
		customers, err := src.FindCustomers(ctx, q)
		if err != nil && !errors.Is(err, ErrNotFound) {
			f.err = fmt.Errorf("enrich: %s: find customers: %w", src.Store(), err)
			return f
		}
		f.customers = customers
	}
	en.cache.put(key, f)
	return f
}

// plan decides what to write from the stores' answers: pure, so the rules
// read as a table in the tests.
func plan(t tickets.Ticket, q Query, results []found) ([]tickets.Command, []error) {
	var cmds []tickets.Command
	var errs []error
	note := func(ref, body string) {
		cmds = append(cmds, tickets.AddMessage{Ref: t.ID, Message: tickets.NewMessage{
			Kind: tickets.MessageSystem, Body: body, Source: "enrich", ExternalRef: ref}})
	}
	link := func(o tickets.OrderRef) {
		cmds = append(cmds, tickets.LinkOrder{Ref: t.ID, Order: o})
	}
	answered := true
	var byNumber = map[string][]tickets.OrderRef{}
	for _, f := range results {
		if f.err != nil {
			errs = append(errs, f.err)
			answered = false
			continue
		}
		// A store's profile of the customer; two matches are an ambiguity
		// to show, not to guess.
		switch len(f.customers) {
		case 0:
		case 1:
			c := f.customers[0]
			if c.Store == "" {
				c.Store = f.src.Store()
			}
			cmds = append(cmds, tickets.CustomerChanged{Profile: c})
		default:
			var names []string
			for _, c := range f.customers {
				orders := ""
				if c.OrdersCount != nil {
					orders = fmt.Sprintf(", %d orders", *c.OrdersCount)
				}
				names = append(names, fmt.Sprintf("%s (id %s%s)", firstOf(c.Name, c.Email), c.CustomerID, orders))
			}
			note("enrich:ambiguous-customer:"+f.src.Store(), fmt.Sprintf("%d customers in %s match this customer: %s. None was linked.",
				len(f.customers), f.src.Store(), strings.Join(names, "; ")))
		}
		if len(q.OrderNumbers) == 0 {
			// Nothing named: the customer's most recent order in each store.
			if o, ok := latest(f.orders); ok {
				link(o)
			}
			continue
		}
		for _, o := range f.orders {
			n := strings.TrimLeft(o.OrderNumber, "#")
			byNumber[n] = append(byNumber[n], o)
		}
	}
	for _, n := range q.OrderNumbers {
		matches := byNumber[n]
		switch {
		case len(matches) == 1:
			link(matches[0])
		case len(matches) > 1:
			sort.Slice(matches, func(i, j int) bool { return matches[i].Key() < matches[j].Key() })
			var where []string
			for _, o := range matches {
				where = append(where, fmt.Sprintf("%s (%s %s, %s)", o.Store, o.Total, o.Currency, firstOf(o.CustomerEmail, "no email")))
			}
			note("enrich:ambiguous-order:"+n, fmt.Sprintf("Order #%s matches %d orders: %s. Link the right one by hand.",
				n, len(matches), strings.Join(where, "; ")))
		case answered:
			note("enrich:order-not-found:"+n, fmt.Sprintf("Order #%s was not found in any connected store (it may be older than the store lets the hub read).", n))
		}
	}
	return cmds, errs
}

func latest(orders []tickets.OrderRef) (tickets.OrderRef, bool) {
	if len(orders) == 0 {
		return tickets.OrderRef{}, false
	}
	best := orders[0]
	for _, o := range orders[1:] {
		if o.SourceUpdatedAt.After(best.SourceUpdatedAt) {
			best = o
		}
	}
	return best, true
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

func firstOf(vals ...string) string {
	for _, v := range vals {
		if v != "" {
			return v
		}
	}
	return ""
}
