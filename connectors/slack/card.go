package slack

import (
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/slack-go/slack"
)

// Action ids on the card and in its modals. The ticket's id travels in each
// block_id (and in button values), so a click maps back to its ticket
// without a lookup; the receiver still checks the user and the ticket.
const (
	ActionAssignMe  = "assign_me"
	ActionAssignTo  = "assign_to"
	ActionPriority  = "priority"
	ActionStatus    = "status:" // + the status to set
	ActionLinkOrder = "link_order"
	ActionReply     = "reply"

	// Modal callback ids and their input blocks.
	ViewReply      = "reply"
	ViewLinkOrder  = "link_order"
	InputReplyBody = "reply_body"
	// InputReplySaved chooses a saved reply; InputReplyOptions holds the
	// OptionResolve and OptionSurvey checkboxes.
	InputReplySaved   = "reply_saved"
	InputReplyOptions = "reply_options"
	OptionResolve     = "resolve"
	OptionSurvey      = "survey"
	InputOrder        = "order_number"
	InputOrderStore   = "order_store"
)

// blockPrefix marks block ids that carry a ticket id.
const blockPrefix = "t:"

// TicketOfBlock returns the ticket id a card block_id carries.
func TicketOfBlock(blockID string) (string, bool) {
	rest, ok := strings.CutPrefix(blockID, blockPrefix)
	if !ok {
		return "", false
	}
	id, _, _ := strings.Cut(rest, ":")
	return id, id != ""
}

func ticketBlock(ticketID, part string) string { return blockPrefix + ticketID + ":" + part }

// CardData is what the ticket card shows. The caller fills it from its own
// ticket; text in it is raw (unescaped) and is escaped here.
type CardData struct {
	TicketID string
	Ref      string // "T-1042"
	Subject  string
	// Description is the customer's first message, folded into the card
	// so that a new ticket costs one post, not a card and a thread reply.
	Description string
	Status      string // open, pending, resolved, closed
	Priority    string // urgent, high, medium, low
	Assignee    string // the agent's email, "" when unassigned
	Tags        []string
	Team        string
	Source      string
	Customer    CardCustomer
	Orders      []CardOrder
	SLA         CardSLA
	// Transitions are the statuses the ticket may move to now, in button
	// order; the lifecycle rules are the caller's.
	Transitions []string
	// FollowUpOf is the ref of the closed ticket this one continues.
	FollowUpOf string
	// ReplyError says why the last public reply did not reach the
	// customer; the card warns until one does.
	ReplyError string
	// Rating is the customer's latest satisfaction answer, if any.
	Rating    *CardRating
	UpdatedAt time.Time
	// Location is the time zone due times are shown in (UTC when nil).
	Location *time.Location
}

// CardCustomer is the ticket's customer as the stores know them.
type CardCustomer struct {
	Name     string
	Email    string
	Profiles []CardProfile
}

// CardProfile is the customer in one store.
type CardProfile struct {
	Store    string
	Orders   *int   // nil when the store did not say
	Spent    string // decimal text
	Currency string
}

// CardOrder is a linked order.
type CardOrder struct {
	Number      string
	Store       string
	Financial   string
	Fulfillment string
	Total       string
	Currency    string
	URL         string // the store's admin page
	Tracking    []CardTracking
	Refunds     int
}

// CardTracking is one shipment.
type CardTracking struct {
	Company string
	Number  string
	URL     string
}

// CardRating is a customer's satisfaction answer: 1 to 5 and a comment.
type CardRating struct {
	Score   int
	Comment string
}

// maxCardComment is how much of a rating's comment the card quotes.
const maxCardComment = 300

// CardSLA is where the ticket stands against its targets.
type CardSLA struct {
	FirstResponseDue time.Time // zero when none or met
	ResolutionDue    time.Time
	FirstResponded   bool
	AtRisk           bool
	Breached         bool
	Paused           bool
	// Summoned is who the SLA escalation called (agents' emails) while the
	// ticket is at risk or breached; the thread has the mention itself.
	Summoned []string
}

const maxCardOrders = 5

// maxCardDescription is how much of the first message the card quotes;
// the rest is on the ticket.
const maxCardDescription = 600

var statusIcon = map[string]string{
	"open": ":large_blue_circle:", "pending": ":hourglass_flowing_sand:",
	"resolved": ":white_check_mark:", "closed": ":lock:",
}

var priorityIcon = map[string]string{
	"urgent": ":red_circle:", "high": ":large_orange_circle:",
	"medium": ":large_yellow_circle:", "low": ":white_circle:",
}

// statusButton is the label of the button that moves a ticket to a status.
var statusButton = map[string]string{
	"open": "Reopen", "pending": "Pending", "resolved": "Resolve", "closed": "Close",
}

// RenderCard renders the live ticket card.
func RenderCard(d CardData) Message {
	blocks := []slack.Block{
		slack.NewHeaderBlock(plainText(Plain(d.Ref+" · "+d.Subject, maxHeader))),
		slack.NewSectionBlock(nil, cardFields(d), nil),
		slack.NewSectionBlock(mrkdwn(customerText(d.Customer)), nil, nil),
	}
	if desc := strings.TrimSpace(d.Description); desc != "" {
		quoted := "> " + strings.ReplaceAll(EscapeCut(desc, maxCardDescription), "\n", "\n> ")
		blocks = append(blocks, slack.NewSectionBlock(mrkdwn(cutMrkdwn(quoted, maxSection)), nil, nil))
	}
	if len(d.Orders) > 0 {
		blocks = append(blocks, slack.NewSectionBlock(mrkdwn(ordersText(d.Orders)), nil, nil))
	}
	if d.Rating != nil {
		blocks = append(blocks, slack.NewSectionBlock(mrkdwn(cutMrkdwn(RatingText(*d.Rating), maxSection)), nil, nil))
	}
	blocks = append(blocks, slack.NewContextBlock(ticketBlock(d.TicketID, "ctx"), mrkdwn(contextText(d))))
	if d.Status != "closed" {
		blocks = append(blocks, cardActions(d)...)
	}
	return Message{Text: cardFallback(d), blocks: blocks}
}

// RatingText is a rating as the card and the thread show it: stars, the
// score, and the comment quoted.
func RatingText(r CardRating) string {
	score := min(max(r.Score, 0), 5)
	out := "*Customer rating* " + strings.Repeat(":star:", score) + fmt.Sprintf(" %d/5", score)
	if c := strings.TrimSpace(r.Comment); c != "" {
		out += "\n> " + strings.ReplaceAll(EscapeCut(c, maxCardComment), "\n", "\n> ")
	}
	return out
}

func cardFields(d CardData) []*slack.TextBlockObject {
	assignee := "_unassigned_"
	if d.Assignee != "" {
		assignee = EscapeCut(d.Assignee, 200)
	}
	tags := "—"
	if len(d.Tags) > 0 {
		parts := make([]string, 0, len(d.Tags))
		for _, t := range d.Tags {
			parts = append(parts, "`"+EscapeCut(strings.ReplaceAll(t, "`", "'"), 45)+"`")
		}
		tags = cutMrkdwn(strings.Join(parts, " "), maxField)
	}
	source := EscapeCut(d.Source, 40)
	if d.Team != "" {
		source += " · team " + EscapeCut(d.Team, 60)
	}
	return []*slack.TextBlockObject{
		mrkdwn("*Status*\n" + statusIcon[d.Status] + " " + titleCase(d.Status)),
		mrkdwn("*Priority*\n" + priorityIcon[d.Priority] + " " + titleCase(d.Priority)),
		mrkdwn("*Assignee*\n" + assignee),
		mrkdwn("*SLA*\n" + slaText(d)),
		mrkdwn("*Tags*\n" + tags),
		mrkdwn("*Source*\n" + source),
	}
}

func slaText(d CardData) string {
	loc := d.Location
	if loc == nil {
		loc = time.UTC
	}
	var lines []string
	switch {
	case d.SLA.FirstResponded:
		lines = append(lines, "First response: met")
	case !d.SLA.FirstResponseDue.IsZero():
		lines = append(lines, "First response by "+d.SLA.FirstResponseDue.In(loc).Format("Mon 02 Jan 15:04 MST"))
	}
	if !d.SLA.ResolutionDue.IsZero() && d.Status != "resolved" && d.Status != "closed" {
		lines = append(lines, "Resolve by "+d.SLA.ResolutionDue.In(loc).Format("Mon 02 Jan 15:04 MST"))
	}
	switch {
	case d.SLA.Breached:
		lines = append(lines, ":rotating_light: *Breached*"+summoned(d.SLA.Summoned))
	case d.SLA.AtRisk:
		lines = append(lines, ":warning: *At risk*"+summoned(d.SLA.Summoned))
	case d.SLA.Paused && d.Status == "pending":
		lines = append(lines, ":double_vertical_bar: Paused while pending")
	}
	if len(lines) == 0 {
		return "—"
	}
	return strings.Join(lines, "\n")
}

func customerText(c CardCustomer) string {
	var b strings.Builder
	b.WriteString("*Customer*  ")
	switch {
	case c.Name != "" && c.Email != "":
		b.WriteString(EscapeCut(c.Name, 100) + " · " + EscapeCut(c.Email, 200))
	case c.Name != "" || c.Email != "":
		b.WriteString(EscapeCut(c.Name+c.Email, 200))
	default:
		b.WriteString("_unknown_")
	}
	for i, p := range c.Profiles {
		if i == 3 {
			fmt.Fprintf(&b, "\n…and %d more stores", len(c.Profiles)-3)
			break
		}
		var facts []string
		if p.Orders != nil {
			facts = append(facts, plural(*p.Orders, "order"))
		}
		if p.Spent != "" {
			facts = append(facts, EscapeCut(p.Spent+" "+p.Currency, 40)+" spent")
		}
		b.WriteString("\n" + EscapeCut(p.Store, 120) + ": " + strings.Join(facts, " · "))
	}
	return cutMrkdwn(b.String(), maxSection)
}

func ordersText(orders []CardOrder) string {
	var b strings.Builder
	b.WriteString("*Orders*")
	for i, o := range orders {
		if i == maxCardOrders {
			fmt.Fprintf(&b, "\n…and %d more", len(orders)-maxCardOrders)
			break
		}
		b.WriteString("\n• " + Link(o.URL, "#"+strings.TrimPrefix(o.Number, "#")))
		var facts []string
		for _, s := range []string{o.Financial, o.Fulfillment} {
			if s != "" {
				facts = append(facts, EscapeCut(s, 40))
			}
		}
		if o.Total != "" {
			facts = append(facts, EscapeCut(strings.TrimSpace(o.Total+" "+o.Currency), 40))
		}
		if o.Refunds > 0 {
			facts = append(facts, plural(o.Refunds, "refund"))
		}
		for j, t := range o.Tracking {
			if j == 2 {
				break
			}
			label := strings.TrimSpace(t.Company + " " + t.Number)
			facts = append(facts, ":package: "+Link(t.URL, label))
		}
		if len(facts) > 0 {
			b.WriteString(" — " + strings.Join(facts, " · "))
		}
		if o.Store != "" {
			b.WriteString(" _(" + EscapeCut(o.Store, 80) + ")_")
		}
	}
	return cutMrkdwn(b.String(), maxSection)
}

func contextText(d CardData) string {
	parts := []string{"Updated " + d.UpdatedAt.UTC().Format("02 Jan 15:04 UTC")}
	if d.ReplyError != "" {
		parts = append([]string{":warning: *last reply not delivered:* " + EscapeCut(d.ReplyError, 300)}, parts...)
	}
	if d.FollowUpOf != "" {
		parts = append(parts, "follows up "+EscapeCut(d.FollowUpOf, 40))
	}
	if d.Status == "closed" {
		parts = append(parts, "closed: a new customer message opens a follow-up ticket")
	} else {
		parts = append(parts, "reply in this thread to add an internal note")
	}
	return strings.Join(parts, " · ")
}

func cardActions(d CardData) []slack.Block {
	assignMe := slack.NewButtonBlockElement(ActionAssignMe, d.TicketID, plainText("Assign to me"))
	assignTo := slack.NewOptionsSelectBlockElement(slack.OptTypeUser, plainText("Assign to…"), ActionAssignTo)
	var opts []*slack.OptionBlockObject
	var initial *slack.OptionBlockObject
	for _, p := range []string{"urgent", "high", "medium", "low"} {
		o := slack.NewOptionBlockObject(p, plainText(titleCase(p)), nil)
		opts = append(opts, o)
		if p == d.Priority {
			initial = o
		}
	}
	priority := slack.NewOptionsSelectBlockElement(slack.OptTypeStatic, plainText("Priority"), ActionPriority, opts...)
	if initial != nil {
		priority = priority.WithInitialOption(initial)
	}
	row1 := slack.NewActionBlock(ticketBlock(d.TicketID, "assign"), assignMe, assignTo, priority)

	var row2 []slack.BlockElement
	for _, st := range d.Transitions {
		label, ok := statusButton[st]
		if !ok {
			continue
		}
		b := slack.NewButtonBlockElement(ActionStatus+st, d.TicketID, plainText(label))
		switch st {
		case "resolved":
			b = b.WithStyle(slack.StylePrimary)
		case "closed":
			// Closing cannot be undone (a closed ticket is never reopened; a
			// new message makes a follow-up), so Slack asks first.
			b = b.WithConfirm(slack.NewConfirmationBlockObject(
				plainText("Close "+Plain(d.Ref, 80)+"?"),
				plainText("A closed ticket cannot be reopened: a new message from the customer opens a follow-up ticket."),
				plainText("Close ticket"), plainText("Cancel"),
			).WithStyle(slack.StyleDanger))
		}
		row2 = append(row2, b)
	}
	row2 = append(row2,
		slack.NewButtonBlockElement(ActionLinkOrder, d.TicketID, plainText("Link order")),
		slack.NewButtonBlockElement(ActionReply, d.TicketID, plainText("Reply to customer")),
	)
	return []slack.Block{row1, slack.NewActionBlock(ticketBlock(d.TicketID, "work"), row2...)}
}

func cardFallback(d CardData) string {
	s := fmt.Sprintf("%s: %s (%s, %s)", d.Ref, d.Subject, d.Status, d.Priority)
	return EscapeCut(s, maxFallback)
}

func mrkdwn(s string) *slack.TextBlockObject {
	return slack.NewTextBlockObject(slack.MarkdownType, s, false, false)
}

func plainText(s string) *slack.TextBlockObject {
	return slack.NewTextBlockObject(slack.PlainTextType, s, true, false)
}

// cutMrkdwn cuts already-escaped mrkdwn to limit bytes on a line boundary
// where it can, so no escape or link is split.
func cutMrkdwn(s string, limit int) string {
	if len(s) <= limit {
		return s
	}
	cut := s[:limit-len("\n…")]
	for !utf8.ValidString(cut) {
		cut = cut[:len(cut)-1]
	}
	if i := strings.LastIndexByte(cut, '\n'); i > 0 {
		cut = cut[:i]
	} else if i := strings.LastIndexAny(cut, "&<"); i >= 0 && !strings.ContainsAny(cut[i:], ";>") {
		cut = cut[:i] // one long line: never end inside an escape or a link
	}
	return cut + "\n…"
}

func titleCase(s string) string {
	if s == "" {
		return "—"
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

func plural(n int, word string) string {
	if n == 1 {
		return "1 " + word
	}
	return fmt.Sprintf("%d %ss", n, word)
}

// summoned is the tail of the SLA line naming who the escalation called.
func summoned(who []string) string {
	if len(who) == 0 {
		return ""
	}
	shown := who[:min(len(who), 3)]
	names := make([]string, len(shown))
	for i, w := range shown {
		names[i] = EscapeCut(w, 100)
	}
	s := strings.Join(names, ", ")
	if more := len(who) - len(shown); more > 0 {
		s += fmt.Sprintf(" and %d more", more)
	}
	return " · summoned " + s
}
