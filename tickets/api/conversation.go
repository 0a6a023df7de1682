package api

import (
	"net/http"
	"strings"

	"github.com/go-chi/chi/v5"

	"hub/tickets"
)

type messageBody struct {
	Body       string `json:"body"`
	Visibility string `json:"visibility"`
	// Reply names a saved reply, filled in from the ticket and sent after
	// Body (which may then be empty). Resolve makes it the resolution
	// reply; Survey adds a one-time satisfaction survey link to it.
	Reply   string `json:"reply"`
	Resolve bool   `json:"resolve"`
	Survey  bool   `json:"survey"`
}

type messageCreated struct {
	Message Message `json:"message"`
	Ticket  Ticket  `json:"ticket"`
}

// addMessage adds a note (visibility internal, the default) or a public
// reply to a ticket. A public reply may use a saved reply, resolve the
// ticket and carry a satisfaction survey link.
func (s *Server) addMessage(w http.ResponseWriter, r *http.Request) error {
	ref := chi.URLParam(r, "id")
	var b messageBody
	if err := decode(w, r, &b); err != nil {
		return err
	}
	m := tickets.NewMessage{Body: strings.TrimSpace(b.Body), Source: tickets.SourceAPI}
	switch strings.ToLower(strings.TrimSpace(b.Visibility)) {
	case "", "internal":
		m.Kind = tickets.MessageNote
	case "public":
		m.Kind = tickets.MessageReply
	default:
		return tickets.Invalid("visibility", "visibility must be internal or public (got %q)", b.Visibility)
	}
	if m.Kind == tickets.MessageReply && (b.Reply != "" || b.Resolve || b.Survey) {
		var err error
		if m, err = s.composeReply(r, ref, b); err != nil {
			return err
		}
	} else if m.Kind == tickets.MessageNote && (b.Resolve || b.Survey) {
		return tickets.Invalid("visibility", "only a public reply can resolve the ticket or ask for a rating")
	} else if b.Reply != "" {
		// A saved reply as an internal note: the template, filled in.
		var err error
		if m, err = s.composeReply(r, ref, b); err != nil {
			return err
		}
		m.Kind = tickets.MessageNote
	}
	if m.Body == "" {
		return tickets.Invalid("body", "body is required")
	}
	if m.Kind == tickets.MessageReply && s.reach != nil {
		t, err := s.store.GetTicket(r.Context(), ref)
		if err != nil {
			return err
		}
		if len(s.reach(r.Context(), t)) == 0 {
			return tickets.Errorf(tickets.ECONFLICT, "%s", NoChannelMessage(t))
		}
	}
	msg, t, err := s.store.AddMessage(r.Context(), actor(r), ref, m)
	if err != nil {
		return err
	}
	return s.reply(w, r, http.StatusCreated, messageCreated{Message: MessageJSON(msg), Ticket: s.ticketJSON(t, s.now())})
}

// composeReply fills in the saved reply b names for the ticket ref.
func (s *Server) composeReply(r *http.Request, ref string, b messageBody) (tickets.NewMessage, error) {
	d := tickets.ReplyDraft{Text: b.Body, Resolve: b.Resolve, Survey: b.Survey}
	if name := strings.TrimSpace(b.Reply); name != "" {
		st, err := s.replyStore()
		if err != nil {
			return tickets.NewMessage{}, err
		}
		saved, err := st.GetReply(r.Context(), name)
		if tickets.ErrorCode(err) == tickets.ENOTFOUND {
			return tickets.NewMessage{}, tickets.Invalid("reply", "no saved reply named %q", name)
		}
		if err != nil {
			return tickets.NewMessage{}, err
		}
		d.Saved = &saved
	}
	t, err := s.store.GetTicket(r.Context(), ref)
	if err != nil {
		return tickets.NewMessage{}, err
	}
	m, err := tickets.ComposeReply(t, actor(r).Name, d, s.now(), s.surveyURL)
	m.Source = tickets.SourceAPI
	return m, err
}

func (s *Server) listMessages(w http.ResponseWriter, r *http.Request) error {
	ref := chi.URLParam(r, "id")
	list, err := s.store.ListMessages(r.Context(), ref)
	if err != nil {
		return err
	}
	out := struct {
		Messages []Message `json:"messages"`
	}{make([]Message, 0, len(list))}
	for _, m := range list {
		out.Messages = append(out.Messages, MessageJSON(m))
	}
	return s.reply(w, r, http.StatusOK, out)
}

func (s *Server) listEvents(w http.ResponseWriter, r *http.Request) error {
	ref := chi.URLParam(r, "id")
	list, err := s.store.ListEvents(r.Context(), ref)
	if err != nil {
		return err
	}
	out := struct {
		Events []Event `json:"events"`
	}{make([]Event, 0, len(list))}
	for _, e := range list {
		out.Events = append(out.Events, EventJSON(e))
	}
	return s.reply(w, r, http.StatusOK, out)
}

type orderBody struct {
	Store       string   `json:"store"`
	OrderNumber idString `json:"order_number"`
	OrderID     idString `json:"order_id"`
}

// linkOrder links an order by what the caller knows of it; the enrichment
// fills in the rest later.
func (s *Server) linkOrder(w http.ResponseWriter, r *http.Request) error {
	ref := chi.URLParam(r, "id")
	var b orderBody
	if err := decode(w, r, &b); err != nil {
		return err
	}
	o := tickets.OrderRef{
		Store:       strings.TrimSpace(b.Store),
		OrderID:     strings.TrimSpace(string(b.OrderID)),
		OrderNumber: strings.TrimSpace(string(b.OrderNumber)),
	}
	if o.Store == "" {
		return tickets.Invalid("store", "store is required")
	}
	if o.OrderID == "" && o.OrderNumber == "" {
		return tickets.Invalid("order_number", "order_number or order_id is required")
	}
	if s.knownStore != nil {
		ok, err := s.knownStore(r.Context(), o.Store)
		if err != nil {
			return err
		}
		if !ok {
			return tickets.Errorf(tickets.ENOTFOUND, "store %q is not connected (a store is named like shopify:acme.myshopify.com or woocommerce:shop.example.com)", o.Store)
		}
	}
	t, err := s.store.LinkOrder(r.Context(), actor(r), ref, o)
	if err != nil {
		return err
	}
	return s.reply(w, r, http.StatusCreated, s.ticketJSON(t, s.now()))
}

// NoChannelMessage says why a public reply on t cannot be sent and what
// to connect so that it can.
func NoChannelMessage(t tickets.Ticket) string {
	who := "the customer"
	if t.Customer.Email == "" {
		who = "the customer (the ticket has no customer email address)"
	}
	return "no channel can reach " + who + " of " + t.Ref() + ": connect email (EMAIL_ADDRESS and EMAIL_SMTP_URL, or hub connect email), " +
		"a WooCommerce store with customer notes (hub connect woocommerce --customer-notes) for a linked order, " +
		"or a Zapier workflow on ticket.message_created; or add the text as an internal note"
}
