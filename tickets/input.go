package tickets

import "time"

// NewTicket is a request to open a ticket, from any source. Creating is
// idempotent on (Source, ExternalRef) when ExternalRef is set.
type NewTicket struct {
	Subject     string
	Description string
	Customer    CustomerInput
	Priority    Priority
	Tags        []string
	Assignee    string
	Team        string
	Source      Source
	ExternalRef string
	// RequestHash fingerprints the request that carried ExternalRef as an
	// idempotency key; a repeat with the same ref and another hash is
	// ECONFLICT. Empty means the source sends no such thing (webhooks,
	// whose repeats are the vendor's retries and may be re-rendered).
	RequestHash string
	Orders      []OrderRef
	// OrderNumber and Store ask for an order to be found and linked later
	// (by the enrichment) when the caller knows only the number.
	OrderNumber string
	Store       string
	// FollowUpOf links a follow-up ticket to the closed ticket it continues.
	FollowUpOf string
	// Attachments came with what opened the ticket (an email's files).
	Attachments []Attachment
}

// CustomerInput identifies a customer as a source knows them. The store
// matches it to one Customer by email (case-insensitive) or phone (normalised).
type CustomerInput struct {
	Email           string
	Name            string
	Phone           string
	Store           string // store key, when the source is a store
	StoreCustomerID string
}

// Patch changes a ticket's fields; nil fields are left alone.
type Patch struct {
	Status   *Status
	Priority *Priority
	Assignee *string
	Tags     *[]string
	Team     *string
}

// NewMessage adds to a ticket's conversation.
type NewMessage struct {
	Kind        MessageKind
	Body        string
	Source      Source
	ExternalRef string
	// Customer identifies the author of a customer message.
	Customer *CustomerInput
	// Survey, on a reply, is the satisfaction survey whose link the reply
	// carries; it is stored with the reply, so a link exists only if the
	// reply was sent.
	Survey *SurveyInvite
	// Resolve, on a reply, resolves the ticket with it: the resolution
	// reply.
	Resolve bool
	// Attachments are files that came with the message (an email's).
	Attachments []Attachment
}

// Attachment is a file that came with a customer's message. Data is nil
// when the file was too large to keep (Omitted): it is still listed, so
// the agent knows to ask for it another way.
type Attachment struct {
	ID          int64
	TicketID    string
	MessageID   int64 // 0 when it came with what opened the ticket
	Filename    string
	ContentType string
	Size        int64
	Omitted     bool
	Data        []byte
	CreatedAt   time.Time
}

// Filter selects tickets for a listing, newest first.
type Filter struct {
	Status   Status
	Priority Priority
	Tag      string
	Assignee string
	Email    string
	Order    string // order number or id
	Query    string // full-text over subjects and messages
	Limit    int
	Cursor   string // opaque, from the previous page

	// The dashboard's views and order; the API leaves them zero.
	View View
	Me   string    // the agent's email, for ViewMine
	Now  time.Time // the instant at-risk and breached are judged at; zero means the store's clock
	Sort Sort
	// Rows asks for what a list row shows: the tickets and their customers,
	// without each ticket's orders, the customer's store profiles and the
	// rating (three more reads a page). Those fields are left empty.
	Rows bool
}

// DeliveryStatus is where a webhook delivery is in the pipeline.
type DeliveryStatus string

// Delivery states. A failed delivery keeps its reason and can be replayed.
const (
	DeliveryReceived  DeliveryStatus = "received"
	DeliveryProcessed DeliveryStatus = "processed"
	DeliveryFailed    DeliveryStatus = "failed"
	DeliveryIgnored   DeliveryStatus = "ignored"
)

// Delivery is one webhook request as received and verified, kept in the
// durable inbox before it is acknowledged.
type Delivery struct {
	ID     int64
	Source Source
	// Tenant is the shop, store or workspace it came from.
	Tenant string
	Topic  string
	// Key is the source's dedupe key (delivery or event id, or a business
	// key). A second delivery with the same (Source, Key) is a duplicate.
	Key string
	// AltKey is an optional second dedupe key (e.g. Shopify's event id).
	AltKey  string
	Headers map[string]string
	Body    []byte
	Status  DeliveryStatus
	// Error is why it failed or was ignored; while it is still received,
	// why its last try did not succeed.
	Error string
	// Attempts counts the tries that ran: failed ones while it is retried,
	// and the one that finished it. Waiting for a vendor's rate limit or
	// for the hub's own database or Redis to come back is not a try.
	Attempts int
	// RetryAt is when the next try is due while a received delivery is
	// being retried; nil otherwise.
	RetryAt     *time.Time
	ReceivedAt  time.Time
	ProcessedAt *time.Time
}

// Followup is work a committed domain change asks for: an asynq task to run
// after the transaction (enrich a ticket, sync its Slack card, deliver a
// Zapier event). It is written to the outbox in the same transaction.
type Followup struct {
	Type    string // the asynq task type
	Payload []byte
	// Delay postpones the task (coalescing bursts).
	Delay time.Duration
	// Unique coalesces follow-ups with the same Type and Unique key that are
	// still pending: a second one is not written.
	Unique string
}

// OutboxItem is a stored Followup waiting to be enqueued or finished.
type OutboxItem struct {
	ID int64
	Followup
	CreatedAt time.Time
	RunAt     time.Time
}

// Followups decides which follow-up work a ticket event needs. Each package
// that owns follow-up work provides one; cmd/hub combines them.
type Followups func(t Ticket, e Event) []Followup
