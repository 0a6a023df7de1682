package webhooks

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"net/http"
	"strings"

	"hub/tickets"
)

// Authenticator checks an API key and returns who it is, for the audit trail.
type Authenticator func(ctx context.Context, key string) (tickets.Actor, error)

// APIKeyFrom reads the key from "Authorization: Bearer" or X-API-Key.
func APIKeyFrom(r *http.Request) string {
	if k := strings.TrimSpace(r.Header.Get("X-API-Key")); k != "" {
		return k
	}
	if a := r.Header.Get("Authorization"); len(a) > 7 && strings.EqualFold(a[:7], "bearer ") {
		return strings.TrimSpace(a[7:])
	}
	return ""
}

// intake is the ticket intake body shared by "Webhooks by Zapier" and any
// other workflow tool: the API's create-ticket fields, with the flat
// customer fields Zapier users tend to map. Unknown fields are ignored, as
// Zapier sends whatever the user mapped.
type intake struct {
	Subject     string          `json:"subject"`
	Description string          `json:"description"`
	Customer    *intakeCustomer `json:"customer"`
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

// ParseIntake decodes and validates a ticket intake body into a NewTicket.
// Its errors are *tickets.Error with messages a Zapier user can act on.
func ParseIntake(body []byte, source tickets.Source) (tickets.NewTicket, error) {
	var in intake
	dec := json.NewDecoder(bytes.NewReader(body))
	if err := dec.Decode(&in); err != nil {
		return tickets.NewTicket{}, describeJSONError(err)
	}
	nt := tickets.NewTicket{
		Subject:     in.Subject,
		Description: in.Description,
		Source:      source,
		Store:       in.Store,
		Customer:    tickets.CustomerInput{Email: in.Email, Name: in.Name, Phone: in.Phone},
	}
	if in.Customer != nil {
		nt.Customer = tickets.CustomerInput{Email: in.Customer.Email, Name: in.Customer.Name, Phone: in.Customer.Phone}
	}
	var err error
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
	if err := tickets.ValidateNewTicket(&nt); err != nil {
		return nt, err
	}
	return nt, nil
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
		return tickets.Invalid(te.Field, "%s must be a %s", te.Field, jsonKind(te.Type.Kind().String()))
	}
	return tickets.Invalid("", "the body must be a JSON object: %s", strings.TrimPrefix(err.Error(), "json: "))
}

// ServeIntake handles POST /webhooks/zapier: a ticket from a workflow,
// authenticated by API key and idempotent by Idempotency-Key or external_id.
func (p *Pipeline) ServeIntake(auth Authenticator) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		const src = tickets.SourceZapier
		actor, err := auth(r.Context(), APIKeyFrom(r))
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
			WriteError(w, http.StatusBadRequest, "invalid", tickets.ErrorMessage(err))
			return
		}
		key := strings.TrimSpace(r.Header.Get("Idempotency-Key"))
		if key == "" {
			key = nt.ExternalRef
		}
		if key == "" {
			key = randomKey() // no idempotency asked for: every request is new
		}
		if len(key) > 255 {
			WriteError(w, http.StatusBadRequest, "invalid", "Idempotency-Key must be at most 255 characters")
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
		p.accept(w, r, d)
	}
}

// IntakeDecoder turns a recorded intake into a NewTicket, created by the API
// key that sent it and idempotent on its key.
func IntakeDecoder() Decoder {
	return DecoderFunc(func(_ context.Context, d tickets.Delivery) (Decoded, error) {
		nt, err := ParseIntake(d.Body, d.Source)
		if err != nil {
			return Decoded{}, Permanent(err)
		}
		nt.ExternalRef = d.Headers["Idempotency-Key"]
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

func jsonKind(k string) string {
	switch k {
	case "slice", "array":
		return "list"
	case "struct", "map":
		return "object"
	}
	return k
}
