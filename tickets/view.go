package tickets

import "time"

// View is a saved slice of the ticket list that the dashboard offers: the
// queues an agent works from. The empty view is every ticket.
type View string

// Views. All but ViewAll look at active tickets only (open or pending).
const (
	ViewAll        View = ""
	ViewMine       View = "mine"       // assigned to the agent looking
	ViewUnassigned View = "unassigned" // active and nobody's
	ViewAtRisk     View = "at_risk"    // open, clock running, next target close
	ViewBreached   View = "breached"   // open, clock running, next target past due
	ViewWaiting    View = "waiting"    // pending: waiting on the customer
)

// Views lists the views in the order the dashboard shows them.
var Views = []View{ViewAll, ViewMine, ViewUnassigned, ViewAtRisk, ViewBreached, ViewWaiting}

// ParseView validates s.
func ParseView(s string) (View, error) {
	for _, v := range Views {
		if string(v) == s {
			return v, nil
		}
	}
	return "", Invalid("view", "view must be one of mine, unassigned, at_risk, breached, waiting (got %q)", s)
}

// Sort orders a ticket listing.
type Sort string

// Sorts: newest first (the API's order), or the next SLA due time first.
const (
	SortNewest Sort = ""
	SortDue    Sort = "due"
)

// ParseSort validates s.
func ParseSort(s string) (Sort, error) {
	switch Sort(s) {
	case SortNewest, "newest":
		return SortNewest, nil
	case SortDue:
		return SortDue, nil
	}
	return "", Invalid("sort", "sort must be newest or due (got %q)", s)
}

// NextDue is the due time the team works against now: the first response
// while it is owed, else the resolution. Zero when the ticket has none.
func (t Ticket) NextDue() time.Time {
	if t.FirstResponseAt == nil && !t.SLA.FirstResponseDue.IsZero() &&
		(t.SLA.ResolutionDue.IsZero() || t.SLA.FirstResponseDue.Before(t.SLA.ResolutionDue)) {
		return t.SLA.FirstResponseDue
	}
	return t.SLA.ResolutionDue
}

// ViewCounts is how many tickets each view holds.
type ViewCounts map[View]int

// Account is an agent who signs in to the dashboard. The password is kept
// only as a hash; a disabled account cannot sign in and its sessions end.
type Account struct {
	Email        string
	Name         string
	Admin        bool
	PasswordHash string
	DisabledAt   *time.Time
	CreatedAt    time.Time
}

// Actor is the account as the audit trail records it.
func (a Account) Actor() Actor { return Actor{Kind: ActorAgent, ID: a.Email, Name: a.Name} }

// SourceHealth is what the inbox says about one connected source: when it
// last delivered, and how many of its deliveries failed lately.
type SourceHealth struct {
	Source       Source
	Tenant       string
	LastReceived time.Time
	Received     int // in the window
	Failed       int // in the window, still failed
}

// SourceWeb is the dashboard, as the source of what agents write there.
const SourceWeb Source = "web"

// ReplyDelivery is where sending one public reply through one channel
// stands.
type ReplyDelivery struct {
	Channel  string // "email"
	To       string
	Status   string // "sending", "sent" or "failed"
	Error    string
	Attempts int
}
