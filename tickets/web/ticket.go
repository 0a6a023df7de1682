package web

import (
	"cmp"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/go-chi/chi/v5"

	"hub/tickets"
)

type ticketView struct {
	T            tickets.Ticket
	SLA          tickets.SLAState
	Conversation []messageView
	Timeline     []timelineEntry
	Orders       []orderView
	Customer     tickets.Customer
	Others       []ticketRow
	Routes       []string
	Stores       []string
	OrderQuery   string
	Found        []orderView
	Agents       []tickets.Account
	Saved        []tickets.SavedReply
	Surveys      bool // a reply can ask for a rating
}

func (v ticketView) PageTitle() string { return v.T.Ref() + " " + v.T.Subject }

type messageView struct {
	M tickets.Message
	// Delivered says how a public reply reached the customer, once a
	// channel recorded it; Pending what is still being tried; Failed why
	// a channel gave up on it.
	Delivered []string
	Pending   []string
	Failed    []string
}

type timelineEntry struct {
	At    time.Time
	Who   string
	What  string
	Event bool // an audit event (else a system note)
}

type orderView struct {
	O tickets.OrderRef
	D tickets.OrderDetails
}

func orderViewOf(o tickets.OrderRef) orderView {
	v := orderView{O: o}
	if len(o.Details) > 0 {
		_ = json.Unmarshal(o.Details, &v.D) // a snapshot that does not parse shows the summary only
	}
	return v
}

func (s *Server) ticketPage(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	ref := chi.URLParam(r, "ref")
	t, err := s.store.GetTicket(ctx, ref)
	if err != nil {
		return err
	}
	now := s.now()
	v := ticketView{T: t, SLA: s.cfg.Policy.State(t, now), Customer: t.Customer}
	msgs, err := s.store.ListMessages(ctx, t.ID)
	if err != nil {
		return err
	}
	events, err := s.store.ListEvents(ctx, t.ID)
	if err != nil {
		return err
	}
	v.Conversation, v.Timeline = conversation(msgs, events)
	emailed, err := s.store.EmailReplyStatuses(ctx, t.ID)
	if err != nil {
		return err
	}
	markEmailed(v.Conversation, emailed)
	for _, o := range t.Orders {
		v.Orders = append(v.Orders, orderViewOf(o))
	}
	if t.Customer.Email != "" {
		// The customer and their store profiles came with the ticket; their
		// other tickets are list rows, read as the list reads them.
		others, _, err := s.store.ListTickets(ctx, tickets.Filter{Email: t.Customer.Email, Rows: true, Limit: 21})
		if err != nil {
			return err
		}
		for _, o := range others {
			if o.ID != t.ID && len(v.Others) < 20 {
				v.Others = append(v.Others, s.row(o, now))
			}
		}
	}
	v.Routes = s.cfg.ReplyRoutes(ctx, t)
	if v.Stores, err = s.storeKeys(r); err != nil {
		return err
	}
	if q := strings.TrimSpace(r.URL.Query().Get("order_q")); q != "" {
		v.OrderQuery = q
		found, err := s.store.SearchOrders(ctx, q, 20)
		if err != nil {
			return err
		}
		for _, o := range found {
			v.Found = append(v.Found, orderViewOf(o))
		}
	}
	if v.Agents, err = s.store.ListAccounts(ctx); err != nil {
		return err
	}
	if v.Saved, err = s.store.ListReplies(ctx); err != nil {
		return err
	}
	v.Surveys = s.cfg.SurveyURL != nil
	return s.render(w, r, "ticket", v)
}

// storeKeys lists the connected stores an order can be linked from.
func (s *Server) storeKeys(r *http.Request) ([]string, error) {
	var keys []string
	for _, kind := range []tickets.Source{tickets.SourceShopify, tickets.SourceWooCommerce} {
		conns, err := s.store.ListConnections(r.Context(), kind)
		if err != nil {
			return nil, err
		}
		for _, c := range conns {
			if c.Active {
				keys = append(keys, c.StoreKey())
			}
		}
	}
	return keys, nil
}

// markEmailed adds the email channel's word on each reply.
func markEmailed(conv []messageView, emailed map[int64]tickets.ReplyDelivery) {
	for i := range conv {
		d, ok := emailed[conv[i].M.ID]
		if !ok {
			continue
		}
		switch d.Status {
		case "sent":
			conv[i].Delivered = append(conv[i].Delivered, "by email to "+d.To)
		case "failed":
			conv[i].Failed = append(conv[i].Failed, "the email to "+d.To+" could not be sent: "+d.Error)
		default:
			p := "emailing " + d.To
			if d.Error != "" {
				p += fmt.Sprintf(" (attempt %d failed: %s; retrying)", d.Attempts, d.Error)
			}
			conv[i].Pending = append(conv[i].Pending, p)
		}
	}
}

// conversation splits a ticket's messages into the conversation (what the
// customer and the agents wrote) and the timeline (system notes and the
// audit trail), and marks each reply with how it was delivered.
func conversation(msgs []tickets.Message, events []tickets.Event) ([]messageView, []timelineEntry) {
	delivered := map[int64][]string{}
	var conv []messageView
	var tl []timelineEntry
	for _, m := range msgs {
		if m.Kind != tickets.MessageSystem {
			conv = append(conv, messageView{M: m})
			continue
		}
		// A channel that delivered a reply records it keyed by the reply
		// ("order-note:<message id>:<note id>").
		if rest, ok := strings.CutPrefix(m.ExternalRef, "order-note:"); ok {
			id, _, _ := strings.Cut(rest, ":")
			if n, err := strconv.ParseInt(id, 10, 64); err == nil {
				delivered[n] = append(delivered[n], "as a WooCommerce order note")
			}
		}
		tl = append(tl, timelineEntry{At: m.CreatedAt, Who: actorName(m.Author), What: m.Body})
	}
	for i := range conv {
		conv[i].Delivered = delivered[conv[i].M.ID]
	}
	for _, e := range events {
		tl = append(tl, timelineEntry{At: e.At, Who: actorName(e.Actor), What: describeEvent(e), Event: true})
	}
	sort.SliceStable(tl, func(i, j int) bool { return tl[i].At.Before(tl[j].At) })
	return conv, tl
}

func actorName(a tickets.Actor) string {
	switch {
	case a.Name != "":
		return a.Name
	case a.ID != "":
		return a.ID
	case a.Kind != "":
		return string(a.Kind)
	}
	return "hub"
}

// describeEvent says in words what an audit event changed.
func describeEvent(e tickets.Event) string {
	switch e.Type {
	case tickets.EventCreated:
		return "opened the ticket"
	case tickets.EventStatusChanged:
		return fmt.Sprintf("changed the status from %v to %v", e.Before["status"], e.After["status"])
	case tickets.EventMessageCreated:
		switch e.After["kind"] {
		case string(tickets.MessageReply):
			return "replied to the customer"
		case string(tickets.MessageNote):
			return "added an internal note"
		case string(tickets.MessageCustomer):
			return "wrote (customer message)"
		}
		return "added a message"
	case tickets.EventOrderLinked:
		return fmt.Sprintf("linked order %v", firstOf(e.After, "order_number", "order_id"))
	case tickets.EventSLAWarning:
		return fmt.Sprintf("SLA %v: %v", e.After["target"], e.After["level"])
	case tickets.EventUpdated:
		var parts []string
		keys := make([]string, 0, len(e.After))
		for k := range e.After {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			parts = append(parts, fmt.Sprintf("%s from %s to %s", k, show(e.Before[k]), show(e.After[k])))
		}
		if len(parts) == 0 {
			return "updated the ticket"
		}
		return "changed " + strings.Join(parts, ", ")
	}
	return strings.ReplaceAll(e.Type, "_", " ")
}

func firstOf(m map[string]any, keys ...string) any {
	for _, k := range keys {
		if v, ok := m[k]; ok && v != "" && v != nil {
			return v
		}
	}
	return ""
}

func show(v any) string {
	switch x := v.(type) {
	case nil:
		return "none"
	case string:
		if x == "" {
			return "none"
		}
		return x
	case []any:
		var s []string
		for _, e := range x {
			s = append(s, fmt.Sprint(e))
		}
		if len(s) == 0 {
			return "none"
		}
		return strings.Join(s, ", ")
	}
	return fmt.Sprint(v)
}

// back sends the agent to the ticket page, where the flash says what
// happened.
func (s *Server) back(w http.ResponseWriter, r *http.Request, t tickets.Ticket, anchor string) {
	s.counts.forget(agentFrom(r.Context()).Email)
	http.Redirect(w, r, "/tickets/"+url.PathEscape(t.Ref())+anchor, http.StatusSeeOther)
}

// failBack shows an action's refusal on the ticket page itself.
func (s *Server) failBack(w http.ResponseWriter, r *http.Request, err error) error {
	code := tickets.ErrorCode(err)
	if code != tickets.EINVALID && code != tickets.ECONFLICT {
		return err
	}
	s.setFlash(r.Context(), "error", tickets.ErrorMessage(err))
	http.Redirect(w, r, "/tickets/"+url.PathEscape(chi.URLParam(r, "ref")), http.StatusSeeOther)
	return nil
}

// reply posts a public reply and says where it went, or that it could not
// go anywhere.
func (s *Server) reply(w http.ResponseWriter, r *http.Request) error {
	return s.addMessage(w, r, tickets.MessageReply)
}

func (s *Server) note(w http.ResponseWriter, r *http.Request) error {
	return s.addMessage(w, r, tickets.MessageNote)
}

func (s *Server) addMessage(w http.ResponseWriter, r *http.Request, kind tickets.MessageKind) error {
	ctx := r.Context()
	me := agentFrom(ctx)
	ref := chi.URLParam(r, "ref")
	body := strings.TrimSpace(r.PostFormValue("body"))
	msg := tickets.NewMessage{Kind: kind, Body: body, Source: tickets.SourceWeb}
	if kind == tickets.MessageReply {
		// The same composition as the API's and Slack's: the agent's text,
		// then the saved reply with the ticket's values, and a survey link
		// when the reply resolves the ticket and asks for a rating.
		d := tickets.ReplyDraft{Text: body, Resolve: r.PostFormValue("resolve") != "", Survey: r.PostFormValue("survey") != ""}
		if name := strings.TrimSpace(r.PostFormValue("saved")); name != "" {
			saved, err := s.store.GetReply(ctx, name)
			if tickets.ErrorCode(err) == tickets.ENOTFOUND {
				return s.failBack(w, r, tickets.Invalid("saved", "no saved reply named %q", name))
			}
			if err != nil {
				return err
			}
			d.Saved = &saved
		}
		t, err := s.store.GetTicket(ctx, ref)
		if err != nil {
			return err
		}
		if msg, err = tickets.ComposeReply(t, me.Name, d, s.now(), s.cfg.SurveyURL); err != nil {
			return s.failBack(w, r, err)
		}
		msg.Source = tickets.SourceWeb
	} else if body == "" {
		return s.failBack(w, r, tickets.Invalid("body", "write something first"))
	}
	m, t, err := s.store.AddMessage(ctx, me.Actor(), ref, msg)
	if err != nil {
		return s.failBack(w, r, err)
	}
	resolved := ""
	if msg.Resolve {
		resolved = " The ticket is resolved."
	}
	if kind == tickets.MessageNote {
		s.setFlash(ctx, "ok", "Internal note added. The customer does not see it.")
	} else if routes := s.cfg.ReplyRoutes(ctx, t); len(routes) == 0 {
		s.setFlash(ctx, "error", "Reply saved on the ticket, but it could not be delivered: the hub has no channel to this customer "+
			"(no email channel, no WooCommerce order that sends customer notes, no Zapier workflow for replies). Contact them another way."+resolved)
	} else {
		s.setFlash(ctx, "ok", "Reply sent. It goes to the customer as "+strings.Join(routes, "; and as ")+"."+resolved)
	}
	s.back(w, r, t, "#m"+strconv.FormatInt(m.ID, 10))
	return nil
}

// update applies the properties form: only what changed is patched, so the
// audit trail records exactly what the agent changed.
func (s *Server) update(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	ref := chi.URLParam(r, "ref")
	t, err := s.store.GetTicket(ctx, ref)
	if err != nil {
		return err
	}
	var p tickets.Patch
	var said []string
	if v := r.PostFormValue("status"); v != "" {
		st, err := tickets.ParseStatus(v)
		if err != nil {
			return s.failBack(w, r, err)
		}
		if st != t.Status {
			p.Status = &st
			said = append(said, "status is now "+string(st))
		}
	}
	if v := r.PostFormValue("priority"); v != "" {
		pr, err := tickets.ParsePriority(v)
		if err != nil {
			return s.failBack(w, r, err)
		}
		if pr != t.Priority {
			p.Priority = &pr
			said = append(said, "priority is now "+string(pr))
		}
	}
	if _, ok := r.PostForm["assignee"]; ok {
		a := tickets.NormaliseEmail(r.PostFormValue("assignee"))
		if a == "me" {
			a = agentFrom(ctx).Email
		}
		if a != t.Assignee {
			p.Assignee = &a
			if a == "" {
				said = append(said, "unassigned")
			} else {
				said = append(said, "assigned to "+a)
			}
		}
	}
	if _, ok := r.PostForm["tags"]; ok {
		tags, err := formTags(r.PostFormValue("tags"))
		if err != nil {
			return s.failBack(w, r, err)
		}
		if !slices.Equal(tags, t.Tags) {
			p.Tags = &tags
			said = append(said, "tags are now "+cmp.Or(strings.Join(tags, ", "), "none"))
		}
	}
	if len(said) == 0 {
		s.setFlash(ctx, "ok", "Nothing changed.")
		s.back(w, r, t, "")
		return nil
	}
	t, err = s.store.UpdateTicket(ctx, agentFrom(ctx).Actor(), t.ID, p)
	if err != nil {
		return s.failBack(w, r, err)
	}
	s.setFlash(ctx, "ok", "Saved: "+strings.Join(said, "; ")+".")
	s.back(w, r, t, "")
	return nil
}

// formTags reads the tags field (separated by commas or spaces) as the
// store keeps tags: normalised, sorted, without repeats, so that the same
// tags in another order are no change.
func formTags(s string) ([]string, error) {
	return tickets.NormaliseTags(strings.FieldsFunc(s, func(r rune) bool { return r == ',' || r == ' ' }))
}

// linkOrder links an order found by the search, or one named by store and
// number (the enrichment fills in the rest).
func (s *Server) linkOrder(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	o := tickets.OrderRef{
		Store:       strings.TrimSpace(r.PostFormValue("store")),
		OrderID:     strings.TrimSpace(r.PostFormValue("order_id")),
		OrderNumber: strings.TrimSpace(r.PostFormValue("order_number")),
	}
	if o.Store == "" {
		return s.failBack(w, r, tickets.Invalid("store", "pick the store the order is in"))
	}
	if o.OrderID == "" && o.OrderNumber == "" {
		return s.failBack(w, r, tickets.Invalid("order_number", "give the order number"))
	}
	t, err := s.store.LinkOrder(ctx, agentFrom(ctx).Actor(), chi.URLParam(r, "ref"), o)
	if err != nil {
		return s.failBack(w, r, err)
	}
	name := o.OrderNumber
	if name == "" {
		name = o.OrderID
	}
	s.setFlash(ctx, "ok", fmt.Sprintf("Order %s from %s linked.", name, o.Store))
	s.back(w, r, t, "#orders")
	return nil
}
