package tickets

import "time"

// Hook is a REST hook subscription: ticket events of one type POSTed to a
// target URL on behalf of the API key that subscribed (Zapier's instant
// triggers).
type Hook struct {
	ID        string
	APIKeyID  string
	TargetURL string // a bearer secret: never log it
	Event     string
	// MessageKind narrows ticket.message_created to one kind ("" = all).
	MessageKind   string
	CreatedAt     time.Time
	Failures      int // consecutive failed deliveries
	LastError     string
	LastSuccessAt *time.Time
	PausedAt      *time.Time
}
