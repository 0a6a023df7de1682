package rules

import (
	"reflect"
	"strings"
	"time"

	"hub/tickets"
)

// env is what a rule's `if` expression sees. The expr tags are the names a
// rules file uses, so every name here is part of the file format and is
// documented in the README's rules reference.
type env struct {
	Event         string      `expr:"event"`
	Subject       string      `expr:"subject"`
	Body          string      `expr:"body"`
	Message       string      `expr:"message"`
	Text          string      `expr:"text"`
	Source        string      `expr:"source"`
	Store         string      `expr:"store"`
	Topic         string      `expr:"topic"`
	Tags          []string    `expr:"tags"`
	Priority      string      `expr:"priority"`
	Status        string      `expr:"status"`
	Team          string      `expr:"team"`
	Assignee      string      `expr:"assignee"`
	Language      string      `expr:"language"`
	Customer      customerEnv `expr:"customer"`
	Order         orderEnv    `expr:"order"`
	SLA           slaEnv      `expr:"sla"`
	Now           time.Time   `expr:"now"`
	BusinessHours bool        `expr:"business_hours"`
	Hour          int         `expr:"hour"`
	Weekday       string      `expr:"weekday"`
}

type customerEnv struct {
	Known    bool    `expr:"known"`
	Email    string  `expr:"email"`
	Orders   int     `expr:"orders"` // -1 when unknown
	Spent    float64 `expr:"spent"`  // -1 when unknown
	Currency string  `expr:"currency"`
}

type orderEnv struct {
	Linked            bool      `expr:"linked"`
	Store             string    `expr:"store"`
	Number            string    `expr:"number"`
	FinancialStatus   string    `expr:"financial_status"`
	FulfillmentStatus string    `expr:"fulfillment_status"`
	FraudRisk         string    `expr:"fraud_risk"`
	Total             float64   `expr:"total"`
	Currency          string    `expr:"currency"`
	CreatedAt         time.Time `expr:"created_at"`
	AgeDays           float64   `expr:"age_days"` // -1 when unknown
	Cancelled         bool      `expr:"cancelled"`
}

type slaEnv struct {
	Target   string `expr:"target"` // first_response or resolution, on sla.* events
	Level    string `expr:"level"`  // at_risk or breached, on sla.* events
	AtRisk   bool   `expr:"at_risk"`
	Breached bool   `expr:"breached"`
}

// newEnv computes the parts of the environment that rules cannot change:
// everything but tags, priority, team and assignee, which Evaluate updates
// from its running state before each rule.
func newEnv(ev Event, c Context) env {
	e := env{
		Event:    string(ev),
		Subject:  c.Subject,
		Body:     c.Body,
		Message:  c.Message,
		Text:     text(c.Subject, c.Body, c.Message),
		Source:   string(c.Source),
		Store:    c.Store,
		Topic:    c.Topic,
		Status:   string(c.Status),
		Language: c.Language,
		Customer: customerEnv{Known: c.Customer.Known, Email: c.Customer.Email, Orders: -1, Spent: -1, Currency: c.Customer.Currency},
		Order:    orderEnv{AgeDays: -1},
		SLA:      slaEnv{AtRisk: c.SLA.AtRisk, Breached: c.SLA.Breached},
		Now:      c.Now,
	}
	if e.Language == "" {
		e.Language = DetectLanguage(e.Text)
	}
	if c.Customer.Known {
		e.Customer.Orders, e.Customer.Spent = c.Customer.Orders, c.Customer.Spent
	}
	if o := c.Order; o != nil {
		e.Order = orderEnv{
			Linked: true, Store: o.Store, Number: o.Number,
			FinancialStatus: o.FinancialStatus, FulfillmentStatus: o.FulfillmentStatus, FraudRisk: o.FraudRisk,
			Total: o.Total, Currency: o.Currency, CreatedAt: o.CreatedAt, AgeDays: -1, Cancelled: o.Cancelled,
		}
		if !o.CreatedAt.IsZero() {
			e.Order.AgeDays = c.Now.Sub(o.CreatedAt).Hours() / 24
		}
	}
	if x := c.Escalation; x != nil {
		e.SLA.Target, e.SLA.Level = string(x.Target), string(x.Level)
	}
	cal := c.Calendar
	if cal.Location == nil {
		cal = tickets.DefaultCalendar()
	}
	local := c.Now.In(cal.Location)
	e.BusinessHours = cal.IsOpen(c.Now)
	e.Hour = local.Hour()
	e.Weekday = strings.ToLower(local.Weekday().String()[:3])
	return e
}

// text is what keyword rules look at: the parts lower-cased, with every run
// of white space one space, so that a phrase matches across a line break.
func text(parts ...string) string {
	var b strings.Builder
	for _, p := range parts {
		for w := range strings.FieldsSeq(p) {
			if b.Len() > 0 {
				b.WriteByte(' ')
			}
			b.WriteString(w)
		}
	}
	return strings.ToLower(b.String())
}

// envNames returns every name an expression can use, nested ones as
// "customer.spent", for suggesting the name a misspelling meant; and maps the
// nested structs' Go type names to their names in the file, so error
// messages speak of "customer", not "rules.customerEnv".
func envNames() (names []string, types map[string]string) {
	types = map[string]string{}
	root := reflect.TypeFor[env]()
	for i := range root.NumField() {
		f := root.Field(i)
		name := f.Tag.Get("expr")
		names = append(names, name)
		if nested := fieldNames(f.Type); nested != nil {
			types[f.Type.String()] = name
			for _, n := range nested {
				names = append(names, name+"."+n)
			}
		}
	}
	return append(names, "mentions"), types
}

// fieldNames returns the expression names of the fields of t when t is one
// of env's nested structs (not time.Time), else nil.
func fieldNames(t reflect.Type) []string {
	if t.Kind() != reflect.Struct || t.PkgPath() != reflect.TypeFor[env]().PkgPath() {
		return nil
	}
	out := make([]string, t.NumField())
	for i := range out {
		out[i] = t.Field(i).Tag.Get("expr")
	}
	return out
}

// nestedNames returns the field names of the nested struct the file calls
// name ("customer").
func nestedNames(name string) []string {
	root := reflect.TypeFor[env]()
	for i := range root.NumField() {
		if f := root.Field(i); f.Tag.Get("expr") == name {
			return fieldNames(f.Type)
		}
	}
	return nil
}
