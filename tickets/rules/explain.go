package rules

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"hub/tickets"
)

// testTicket is the JSON `hub rules test FILE --ticket JSON` reads: a
// ticket as the API renders it (GET /api/v1/tickets/{id} can be pasted
// as is; fields the rules do not use are ignored) plus what only an event
// knows.
type testTicket struct {
	Event     string     `json:"event"`      // default ticket.created
	Now       *time.Time `json:"now"`        // default: the time the command runs
	Topic     string     `json:"topic"`      // e.g. orders/create
	Message   string     `json:"message"`    // the customer's new message, for customer.message
	Language  string     `json:"language"`   // default: guessed from the text
	SLATarget string     `json:"sla_target"` // for sla.* events: first_response (default) or resolution
	Agents    struct {
		Away []string          `json:"away"`
		Open map[string]int    `json:"open"`
		Last map[string]string `json:"last"`
	} `json:"agents"`

	Subject     string   `json:"subject"`
	Description string   `json:"description"`
	Status      string   `json:"status"`
	Priority    string   `json:"priority"`
	Tags        []string `json:"tags"`
	Assignee    *string  `json:"assignee"`
	Team        string   `json:"team"`
	Source      string   `json:"source"`
	Store       string   `json:"store"`
	Customer    struct {
		Email  string `json:"email"`
		Stores []struct {
			Store       string  `json:"store"`
			OrdersCount *int    `json:"orders_count"`
			TotalSpent  decimal `json:"total_spent"`
			Currency    string  `json:"currency"`
		} `json:"stores"`
	} `json:"customer"`
	Orders []struct {
		Store             string          `json:"store"`
		OrderNumber       string          `json:"order_number"`
		FinancialStatus   string          `json:"financial_status"`
		FulfillmentStatus string          `json:"fulfillment_status"`
		Total             decimal         `json:"total"`
		Currency          string          `json:"currency"`
		Details           json.RawMessage `json:"details"`
	} `json:"orders"`
	SLA struct {
		Breached bool `json:"breached"`
		AtRisk   bool `json:"at_risk"`
	} `json:"sla"`
}

// decimal is an amount the API writes as a string; a hand-written test
// ticket may give a number.
type decimal string

func (d *decimal) UnmarshalJSON(b []byte) error {
	var s string
	if err := json.Unmarshal(b, &s); err == nil {
		*d = decimal(s)
		return nil
	}
	var n json.Number
	if err := json.Unmarshal(b, &n); err != nil {
		return fmt.Errorf("want an amount such as \"12.50\": %w", err)
	}
	*d = decimal(n)
	return nil
}

// Explain runs rs on the ticket in ticketJSON and tells what each rule
// did and what the ticket would become: the output of
// `hub rules test FILE --ticket JSON`. cal gives business hours; now is
// used unless the JSON says "now". Nothing is changed anywhere.
func Explain(rs *RuleSet, ticketJSON []byte, cal tickets.Calendar, now time.Time) (string, error) {
	c, ev, err := testContext(ticketJSON, cal, now)
	if err != nil {
		return "", err
	}
	return render(rs, c, Run(rs, ev, c)), nil
}

func testContext(data []byte, cal tickets.Calendar, now time.Time) (Context, Event, error) {
	var in testTicket
	dec := json.NewDecoder(bytes.NewReader(data))
	if err := dec.Decode(&in); err != nil {
		return Context{}, "", fmt.Errorf("ticket JSON: %w", err)
	}
	ev := TicketCreated
	if in.Event != "" {
		var err error
		if ev, err = ParseEvent(in.Event); err != nil {
			return Context{}, "", fmt.Errorf("ticket JSON: event: %w", err)
		}
	}
	if in.Now != nil {
		now = *in.Now
	}
	pr, err := tickets.ParsePriority(in.Priority)
	if err != nil {
		return Context{}, "", fmt.Errorf("ticket JSON: %s", tickets.ErrorMessage(err))
	}
	c := Context{
		Subject: in.Subject, Body: in.Description, Message: in.Message,
		Source: tickets.Source(in.Source), Store: in.Store, Topic: in.Topic,
		Tags: in.Tags, Priority: pr, Status: tickets.Status(in.Status), Team: in.Team,
		Language: in.Language, Calendar: cal, Now: now,
		SLA:    tickets.SLAState{Breached: in.SLA.Breached, AtRisk: in.SLA.AtRisk && !in.SLA.Breached},
		Agents: Roster{Away: map[string]bool{}, Open: in.Agents.Open, Last: in.Agents.Last},
	}
	if in.Assignee != nil {
		c.Assignee = *in.Assignee
	}
	for _, a := range in.Agents.Away {
		c.Agents.Away[tickets.NormaliseEmail(a)] = true
	}
	// Profiles in a test ticket were looked up: that is what they say.
	cu := tickets.Customer{Email: in.Customer.Email}
	for _, s := range in.Customer.Stores {
		cu.Stores = append(cu.Stores, tickets.StoreCustomer{Store: s.Store, OrdersCount: s.OrdersCount,
			TotalSpent: string(s.TotalSpent), Currency: s.Currency, UpdatedAt: now})
	}
	c.Customer = CustomerFromProfiles(cu)
	if n := len(in.Orders); n > 0 {
		o := in.Orders[n-1]
		c.Order = OrderFromRef(tickets.OrderRef{Store: o.Store, OrderNumber: o.OrderNumber,
			FinancialStatus: o.FinancialStatus, FulfillmentStatus: o.FulfillmentStatus,
			Total: string(o.Total), Currency: o.Currency, Details: o.Details})
	}
	if ev == SLAAtRisk || ev == SLABreached {
		x := &Escalation{Target: FirstResponse, Level: AtRisk}
		if ev == SLABreached {
			x.Level = Breached
		}
		switch Target(in.SLATarget) {
		case "", FirstResponse:
		case Resolution:
			x.Target = Resolution
		default:
			return Context{}, "", fmt.Errorf("ticket JSON: sla_target %q: want first_response or resolution", in.SLATarget)
		}
		c.Escalation = x
	}
	return c, ev, nil
}

// render writes a Result for people: one line per rule that runs on the
// event, then the ticket as the rules leave it.
func render(rs *RuleSet, c Context, res Result) string {
	var b strings.Builder
	fmt.Fprintf(&b, "rules %s (digest %s): %s at %s\n", rs.File, rs.Digest, res.Event, c.Now.UTC().Format(time.RFC3339))
	fmt.Fprintf(&b, "ticket: %q\n", c.Subject)
	lang := orNone(res.Language)
	if c.Language == "" && res.Language != "" {
		lang += " (guessed)"
	}
	fmt.Fprintf(&b, "language: %s\n", lang)
	if x := c.Escalation; x != nil {
		fmt.Fprintf(&b, "sla: %s %s\n", x.Target, x.Level)
	}
	b.WriteString("\n")

	width := 0
	for _, s := range res.Steps {
		width = max(width, len(s.Rule))
	}
	indent := strings.Repeat(" ", width+10)
	for _, s := range res.Steps {
		var lines []string
		for _, d := range s.Decisions {
			lines = append(lines, d.String())
		}
		for _, n := range s.Notes {
			lines = append(lines, "note: "+n)
		}
		if s.Stopped {
			lines = append(lines, "stop: later rules do not run")
		}
		verdict := "no"
		switch {
		case s.Err != nil:
			verdict, lines = "error", append([]string{oneLine(s.Err.Error())}, lines...)
		case s.Matched && len(s.Decisions) == 0 && len(lines) == 0:
			verdict, lines = "yes", []string{"(no change)"}
		case s.Matched:
			verdict = "yes"
		}
		if len(lines) == 0 {
			fmt.Fprintf(&b, "  %-*s  %s\n", width, s.Rule, verdict)
			continue
		}
		fmt.Fprintf(&b, "  %-*s  %-6s", width, s.Rule, verdict)
		for i, l := range lines {
			if i > 0 {
				b.WriteString("\n" + indent)
			}
			b.WriteString("  " + l)
		}
		b.WriteString("\n")
	}
	if len(res.Steps) == 0 {
		fmt.Fprintf(&b, "  no rule runs on %s\n", res.Event)
	}

	channel := rs.Channel(res.Team)
	if channel == "" {
		channel = "the default channel"
	}
	fmt.Fprintf(&b, "\nresult: %d change(s)\n", len(res.Decisions))
	fmt.Fprintf(&b, "  priority  %s\n", res.Priority)
	fmt.Fprintf(&b, "  tags      [%s]\n", strings.Join(res.Tags, " "))
	fmt.Fprintf(&b, "  team      %s (Slack: %s)\n", orNone(res.Team), channel)
	fmt.Fprintf(&b, "  assignee  %s\n", orNone(res.Assignee))
	return b.String()
}

// oneLine keeps the first line of a run-time error (expr adds a snippet).
func oneLine(s string) string {
	first, _, _ := strings.Cut(s, "\n")
	return first
}
