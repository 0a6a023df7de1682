package webhooks

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"strings"
	"time"

	"hub/tickets"
	"hub/tickets/api"
)

// Authenticator checks an API key and returns who it is, for the audit trail.
type Authenticator func(ctx context.Context, key string) (tickets.Actor, error)

// intake is the ticket intake body shared by "Webhooks by Zapier" and any
// other workflow tool: the API's create-ticket fields, with the flat
// customer fields Zapier users tend to map. Unknown fields are ignored, as
// Zapier sends whatever the user mapped.
type intake struct {
	Subject     string          `json:"subject"`
	Description string          `json:"description"`
	Customer    json.RawMessage `json:"customer"`
	Email       string          `json:"email"`
	Name        string          `json:"name"`
	Phone       string          `json:"phone"`
	Priority    string          `json:"priority"`
	Tags        json.RawMessage `json:"tags"`
	OrderNumber json.RawMessage `json:"order_number"`
	Store       string          `json:"store"`
	ExternalID  json.RawMessage `json:"external_id"`
}

type intakeCustomer struct {
	Email string `json:"email"`
	Name  string `json:"name"`
	Phone string `json:"phone"`
}

// maxIntakeKey caps an Idempotency-Key or external_id.
const maxIntakeKey = 255

// ParseIntake decodes and validates a ticket intake body into a NewTicket.
// Its errors are *tickets.Error naming the field, with messages a Zapier
// user can act on.
func ParseIntake(body []byte, source tickets.Source) (tickets.NewTicket, error) {
	body = bytes.TrimSpace(body)
	if len(body) == 0 {
		return tickets.NewTicket{}, tickets.Invalid("", "the body is empty: send a JSON object with at least a subject or a description")
	}
	if body[0] != '{' {
		return tickets.NewTicket{}, tickets.Invalid("", `the body must be a JSON object, such as {"subject": "Where is my order?", "email": "ada@example.com"}`)
	}
	var in intake
	dec := json.NewDecoder(bytes.NewReader(body))
	if err := dec.Decode(&in); err != nil {
		return tickets.NewTicket{}, describeJSONError(err)
	}
	if _, err := dec.Token(); err != io.EOF {
		return tickets.NewTicket{}, tickets.Invalid("", "the body must hold one JSON object and nothing after it")
	}
	nt := tickets.NewTicket{
		Subject:     in.Subject,
		Description: in.Description,
		Source:      source,
		Store:       in.Store,
		Customer:    tickets.CustomerInput{Email: in.Email, Name: in.Name, Phone: in.Phone},
	}
	var err error
	if nt.Customer, err = customerField(in.Customer, nt.Customer); err != nil {
		return nt, err
	}
	if nt.Priority, err = tickets.ParsePriority(in.Priority); err != nil {
		return nt, err
	}
	if nt.Tags, err = stringList(in.Tags, "tags"); err != nil {
		return nt, err
	}
	if nt.OrderNumber, err = scalarString(in.OrderNumber, "order_number"); err != nil {
		return nt, err
	}
	nt.OrderNumber = strings.TrimPrefix(strings.TrimSpace(nt.OrderNumber), "#")
	if nt.ExternalRef, err = scalarString(in.ExternalID, "external_id"); err != nil {
		return nt, err
	}
	if len(nt.ExternalRef) > maxIntakeKey {
		return nt, tickets.Invalid("external_id", "external_id must be at most %d characters", maxIntakeKey)
	}
	if strings.ContainsRune(string(body), 0) || strings.Contains(string(body), `\u0000`) {
		return nt, tickets.Invalid("", "the body must not contain NUL characters")
	}
	if err := tickets.ValidateNewTicket(&nt); err != nil {
		return nt, err
	}
	return nt, nil
}

// customerField reads "customer" as an object, or as one string holding an
// email ("Ada <ada@example.com>" too), which is what a Zapier user maps
// from an email trigger. The object wins over the flat fields.
func customerField(raw json.RawMessage, flat tickets.CustomerInput) (tickets.CustomerInput, error) {
	if len(raw) == 0 || string(raw) == "null" {
		return flat, nil
	}
	var c intakeCustomer
	if err := json.Unmarshal(raw, &c); err == nil {
		return tickets.CustomerInput{Email: c.Email, Name: c.Name, Phone: c.Phone}, nil
	}
	var email string
	if err := json.Unmarshal(raw, &email); err == nil {
		flat.Email = email
		return flat, nil
	}
	return flat, tickets.Invalid("customer", `customer must be an object such as {"email": "ada@example.com", "name": "Ada"} or an email address`)
}

// stringList accepts a JSON array of strings or one comma-separated string
// (what a Zapier text field holds).
func stringList(raw json.RawMessage, field string) ([]string, error) {
	if len(raw) == 0 || string(raw) == "null" {
		return nil, nil
	}
	var list []string
	if err := json.Unmarshal(raw, &list); err == nil {
		return list, nil
	}
	var s string
	if err := json.Unmarshal(raw, &s); err != nil {
		return nil, tickets.Invalid(field, "%s must be a list of strings or a comma-separated string", field)
	}
	for _, part := range strings.Split(s, ",") {
		if part = strings.TrimSpace(part); part != "" {
			list = append(list, part)
		}
	}
	return list, nil
}

// scalarString accepts a string or a number (order numbers and ids arrive as
// either), keeping a number's exact digits.
func scalarString(raw json.RawMessage, field string) (string, error) {
	if len(raw) == 0 || string(raw) == "null" {
		return "", nil
	}
	var s string
	if err := json.Unmarshal(raw, &s); err == nil {
		return strings.TrimSpace(s), nil
	}
	var n json.Number
	if err := json.Unmarshal(raw, &n); err == nil {
		return n.String(), nil
	}
	return "", tickets.Invalid(field, "%s must be a string or a number", field)
}

func describeJSONError(err error) error {
	var te *json.UnmarshalTypeError
	if errors.As(err, &te) && te.Field != "" {
		return tickets.Invalid(te.Field, "%s must be %s (got %s)", te.Field, jsonKind(te.Type.Kind().String()), te.Value)
	}
	var se *json.SyntaxError
	if errors.As(err, &se) {
		return tickets.Invalid("", "the body is not valid JSON (at byte %d): %s", se.Offset, se.Error())
	}
	if errors.Is(err, io.ErrUnexpectedEOF) {
		return tickets.Invalid("", "the body is not valid JSON: it ends too early")
	}
	return tickets.Invalid("", "the body must be a JSON object: %s", strings.TrimPrefix(err.Error(), "json: "))
}

func jsonKind(k string) string {
	switch k {
	case "slice", "array":
		return "a list"
	case "struct", "map":
		return "an object"
	case "string":
		return "a string"
	}
	return "a " + k
}

// IntakeOption tunes ServeIntake.
type IntakeOption func(*intakeConfig)

type intakeConfig struct {
	wait    time.Duration
	find    IntakeResult
	waiters *waiters
}

// IntakeResult finds what a processed intake delivery made (the ticket, as
// the caller renders it); found is false when there is none.
type IntakeResult func(ctx context.Context, d tickets.Delivery) (ticket any, found bool, err error)

// WaitForTicket makes the intake wait up to wait for the worker to process
// the delivery and answer with the ticket: 201 for a new delivery, 200 for
// a repeat (the same ticket). Past the wait, or with "Prefer:
// respond-async", it answers 202 as without this option. Waiting is no work
// on the request path: the worker does it; the request only watches, with
// every other waiting request, through one query a tick (read), and holds
// no admission slot. At most maxWaiting requests wait at once; beyond that,
// and while the pipeline is behind, the answer is 202 at once.
func WaitForTicket(wait time.Duration, find IntakeResult, read StatusReader, maxWaiting int) IntakeOption {
	return func(c *intakeConfig) { c.wait, c.find, c.waiters = wait, find, newWaiters(read, maxWaiting) }
}

// IntakeKey is the idempotency key a recorded intake delivery was made
// under; its ticket's ExternalRef is the same.
func IntakeKey(d tickets.Delivery) string { return d.Headers["Idempotency-Key"] }

// ServeIntake handles POST /webhooks/zapier: a ticket from a workflow,
// authenticated by API key and idempotent by Idempotency-Key or external_id.
func (p *Pipeline) ServeIntake(auth Authenticator, opts ...IntakeOption) http.HandlerFunc {
	var cfg intakeConfig
	for _, o := range opts {
		o(&cfg)
	}
	return func(w http.ResponseWriter, r *http.Request) {
		const src = tickets.SourceZapier
		actor, err := auth(r.Context(), api.RequestKey(r))
		if err != nil {
			p.opt.Metrics.Rejected(src, "unauthorized")
			if tickets.ErrorCode(err) == tickets.EUNAUTHORIZED {
				WriteError(w, http.StatusUnauthorized, "unauthorized", "a valid API key is required (Authorization: Bearer <key> or X-API-Key)")
			} else {
				WriteError(w, http.StatusServiceUnavailable, "unavailable", "could not check the API key; retry later")
			}
			return
		}
		body, ok := p.readOr(w, r, src, MaxZapierBody)
		if !ok {
			return
		}
		nt, err := ParseIntake(body, src)
		if err != nil {
			p.opt.Metrics.Rejected(src, "invalid")
			api.WriteError(w, r, err, p.opt.Logger, nil) // 400, naming the field
			return
		}
		key := strings.TrimSpace(r.Header.Get("Idempotency-Key"))
		byHeader := key != ""
		if key == "" {
			key = nt.ExternalRef
		}
		if key == "" {
			key = randomKey() // no idempotency asked for: every request is new
		}
		if len(key) > maxIntakeKey || strings.ContainsRune(key, 0) {
			p.opt.Metrics.Rejected(src, "invalid")
			api.WriteError(w, r, tickets.Invalid("Idempotency-Key", "Idempotency-Key must be at most %d characters", maxIntakeKey), p.opt.Logger, nil)
			return
		}
		d := &tickets.Delivery{
			Source:  src,
			Tenant:  actor.ID,
			Topic:   "ticket.create",
			Key:     actor.ID + ":" + key,
			Headers: map[string]string{"Idempotency-Key": key, "X-Actor": actor.ID, "X-Actor-Name": actor.Name},
			Body:    body,
		}
		dup, ok := Record(w, r, p, d, p.opt.Logger)
		if !ok {
			return
		}
		if dup && byHeader {
			// An Idempotency-Key names one request: the same key with
			// another body is the caller's bug, not a retry, and answering
			// with the first ticket would hide it (Stripe answers 409 too).
			// An external_id alone keeps its meaning, "this record's
			// ticket", whatever else changed.
			same, err := p.sameIntake(r.Context(), d.ID, nt)
			if err != nil {
				WriteError(w, http.StatusServiceUnavailable, "unavailable", "could not check the earlier request; retry later")
				return
			}
			if !same {
				p.opt.Metrics.Rejected(src, "idempotency_conflict")
				api.WriteError(w, r, tickets.Errorf(tickets.ECONFLICT,
					"Idempotency-Key %q was already used for a different request; send a new key for a new ticket", key), p.opt.Logger, nil)
				return
			}
		}
		answer := map[string]any{"delivery_id": d.ID, "duplicate": dup}
		ReleaseSlot(r.Context())
		if cfg.find != nil && !strings.Contains(strings.ToLower(r.Header.Get("Prefer")), "respond-async") {
			if t, status := p.waitIntake(r.Context(), d.ID, cfg); t != nil {
				answer["ticket"] = t
				code := http.StatusCreated
				if dup {
					code = http.StatusOK
				}
				WriteJSON(w, code, answer)
				return
			} else if status != "" {
				answer["status"] = status
			}
		}
		WriteJSON(w, http.StatusAccepted, answer)
	}
}

// sameIntake reports whether the recorded delivery id asked for the same
// ticket as nt: both bodies are compared as parsed, so whitespace, key
// order and the spelling of tags (a list or a comma-separated string) do
// not matter.
func (p *Pipeline) sameIntake(ctx context.Context, id int64, nt tickets.NewTicket) (bool, error) {
	d, err := p.store.GetDelivery(ctx, id)
	if err != nil {
		return false, err
	}
	first, err := ParseIntake(d.Body, d.Source)
	if err != nil {
		return false, nil // it was recorded, so it parsed then; anything else differs
	}
	a, err1 := json.Marshal(first)
	b, err2 := json.Marshal(nt)
	return err1 == nil && err2 == nil && bytes.Equal(a, b), nil
}

// waitIntake waits until the worker has processed the delivery, then
// finds its ticket. It gives up (nil) at the wait's end, when the delivery
// failed, when too many requests wait already or the pipeline is behind
// (a ticket would not come in time anyway), or on an error, returning the
// delivery's last known status.
func (p *Pipeline) waitIntake(ctx context.Context, id int64, cfg intakeConfig) (any, tickets.DeliveryStatus) {
	if cfg.waiters == nil || p.behind() {
		return nil, tickets.DeliveryReceived
	}
	ctx, cancel := context.WithTimeout(ctx, cfg.wait)
	defer cancel()
	st, ok := cfg.waiters.wait(ctx, id)
	if !ok || st != tickets.DeliveryProcessed {
		return nil, st
	}
	d, err := p.store.GetDelivery(ctx, id)
	if err != nil {
		return nil, st
	}
	t, found, err := cfg.find(ctx, d)
	if err != nil || !found {
		return nil, d.Status
	}
	return t, d.Status
}

// behind reports whether the queue holds more than a few seconds of work:
// waiting for a ticket would only hold a connection until the wait ends.
func (p *Pipeline) behind() bool {
	return p.opt.Backlog != nil && p.opt.Backlog() > maxWaitBacklog
}

// maxWaitBacklog is the most tasks waiting for a worker at which the
// intake still waits for its ticket.
const maxWaitBacklog = 1000

// IntakeDecoder turns a recorded intake into a NewTicket, created by the API
// key that sent it and idempotent on its key.
func IntakeDecoder() Decoder {
	return DecoderFunc(func(_ context.Context, d tickets.Delivery) (Decoded, error) {
		nt, err := ParseIntake(d.Body, d.Source)
		if err != nil {
			return Decoded{}, Permanent(err)
		}
		nt.ExternalRef = IntakeKey(d)
		return Decoded{
			Actor:    tickets.Actor{Kind: tickets.ActorAPIKey, ID: d.Headers["X-Actor"], Name: d.Headers["X-Actor-Name"]},
			Commands: []tickets.Command{nt},
		}, nil
	})
}

func randomKey() string {
	b := make([]byte, 16)
	_, _ = rand.Read(b)
	return "auto-" + hex.EncodeToString(b)
}
