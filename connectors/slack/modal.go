package slack

import (
	"encoding/json"
	"strings"

	"github.com/slack-go/slack"
)

// View is a modal to open.
type View struct{ req slack.ModalViewRequest }

// JSON is the view as Slack receives it.
func (v View) JSON() ([]byte, error) { return json.Marshal(v.req) }

// ReplyData is what the "Reply to customer" modal shows.
type ReplyData struct {
	TicketID string
	Ref      string
	Subject  string
	Customer string // name and email, as known
	// Routes say where a reply goes (a WooCommerce order note, Zapier's
	// ticket.message_created hooks). None means it is only recorded.
	Routes []string
	// Saved are the saved replies to choose from (the first 100, Slack's
	// limit on a select's options).
	Saved []SavedReply
	// Survey offers to ask the customer for a rating with the resolution
	// reply.
	Survey bool
}

// SavedReply is a saved reply as the modal offers it.
type SavedReply struct {
	Name string
	Body string // shown cut short as the option's description
}

// NoRoute is what the reply modal says when nothing will carry the reply.
const NoRoute = "No outbound channel: the reply is recorded on the ticket."

// ReplyModal is the modal that sends a public reply. It says where the
// reply will go before anything is sent: nothing reaches a customer
// without this explicit step.
func ReplyModal(d ReplyData) View {
	to := "_unknown customer_"
	if d.Customer != "" {
		to = EscapeCut(d.Customer, 300)
	}
	where := "*Where this reply goes*\n"
	if len(d.Routes) == 0 {
		where += NoRoute
	} else {
		for _, r := range d.Routes {
			where += "• " + EscapeCut(r, 300) + "\n"
		}
		where = strings.TrimSuffix(where, "\n")
	}
	input := slack.NewPlainTextInputBlockElement(plainText("Write the reply the customer will read"), "body")
	input.Multiline = true
	input.MaxLength = maxInputLength
	blocks := []slack.Block{
		slack.NewSectionBlock(mrkdwn(cutMrkdwn("*"+EscapeCut(d.Ref, 20)+"* · "+EscapeCut(d.Subject, 300)+"\nTo: "+to, maxSection)), nil, nil),
		slack.NewSectionBlock(mrkdwn(cutMrkdwn(where, maxSection)), nil, nil),
	}
	body := slack.NewInputBlock(InputReplyBody, plainText("Reply"), nil, input)
	if len(d.Saved) > 0 {
		var opts []*slack.OptionBlockObject
		for i, r := range d.Saved {
			if i == 100 {
				break
			}
			desc := strings.Join(strings.Fields(r.Body), " ")
			opts = append(opts, slack.NewOptionBlockObject(r.Name, plainText(Plain(r.Name, maxButton)), plainText(Plain(desc, 75))))
		}
		sel := slack.NewOptionsSelectBlockElement(slack.OptTypeStatic, plainText("Choose a saved reply"), "saved", opts...)
		blocks = append(blocks, slack.NewInputBlock(InputReplySaved, plainText("Saved reply"),
			plainText("Filled in from the ticket (name, order, tracking) when sent."), sel).WithOptional(true))
		// Either may be used alone; the agent's text goes first.
		body = slack.NewInputBlock(InputReplyBody, plainText("Reply"),
			plainText("With a saved reply, what you write here goes before it."), input).WithOptional(true)
	}
	blocks = append(blocks, body)
	checks := []*slack.OptionBlockObject{slack.NewOptionBlockObject(OptionResolve, plainText("Resolve the ticket with this reply"), nil)}
	if d.Survey {
		checks = append(checks, slack.NewOptionBlockObject(OptionSurvey, plainText("Ask the customer to rate our help"),
			plainText("Adds a one-time survey link; with Resolve only")))
	}
	blocks = append(blocks, slack.NewInputBlock(InputReplyOptions, plainText("When sending"), nil,
		slack.NewCheckboxGroupsBlockElement("options", checks...)).WithOptional(true))
	return View{slack.ModalViewRequest{
		Type:            slack.VTModal,
		CallbackID:      ViewReply,
		PrivateMetadata: d.TicketID,
		Title:           plainText("Reply to customer"),
		Submit:          plainText("Send reply"),
		Close:           plainText("Cancel"),
		Blocks:          slack.Blocks{BlockSet: blocks},
	}}
}

// LinkData is what the "Link order" modal shows.
type LinkData struct {
	TicketID string
	Ref      string
	Subject  string
	// Stores are the connected stores to choose from when there are several.
	Stores []string
}

// LinkOrderModal asks for an order number (and its store when there are
// several) to link to the ticket.
func LinkOrderModal(d LinkData) View {
	input := slack.NewPlainTextInputBlockElement(plainText("#1001"), "number")
	input.MaxLength = 64
	blocks := []slack.Block{
		slack.NewSectionBlock(mrkdwn("*"+EscapeCut(d.Ref, 20)+"* · "+EscapeCut(d.Subject, 300)), nil, nil),
		slack.NewInputBlock(InputOrder, plainText("Order number"), nil, input),
	}
	if len(d.Stores) > 1 {
		var opts []*slack.OptionBlockObject
		for i, s := range d.Stores {
			if i == 100 { // Slack's limit on options
				break
			}
			opts = append(opts, slack.NewOptionBlockObject(s, plainText(Plain(s, maxButton)), nil))
		}
		sel := slack.NewOptionsSelectBlockElement(slack.OptTypeStatic, plainText("Store"), "store", opts...)
		blocks = append(blocks, slack.NewInputBlock(InputOrderStore, plainText("Store"), nil, sel))
	}
	return View{slack.ModalViewRequest{
		Type:            slack.VTModal,
		CallbackID:      ViewLinkOrder,
		PrivateMetadata: d.TicketID,
		Title:           plainText("Link order"),
		Submit:          plainText("Link"),
		Close:           plainText("Cancel"),
		Blocks:          slack.Blocks{BlockSet: blocks},
	}}
}

// ViewErrors is the answer to a view_submission that keeps the modal open
// and shows msg under the input block blockID.
func ViewErrors(blockID, msg string) []byte {
	b, _ := json.Marshal(map[string]any{"response_action": "errors", "errors": map[string]string{blockID: Plain(msg, 150)}})
	return b
}
