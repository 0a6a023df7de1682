package slack

import (
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/slack-go/slack"
)

// Notice is a short message written by the hub. Its text is mrkdwn: callers
// pass anything from users or customers through Escape first.
func Notice(mrkdwnText string) Message {
	return Message{
		Text:   cutMrkdwn(mrkdwnText, maxFallback),
		blocks: []slack.Block{slack.NewSectionBlock(mrkdwn(cutMrkdwn(mrkdwnText, maxSection)), nil, nil)},
	}
}

// TimelineEntry is a thread post: something that happened to the ticket
// outside Slack (a customer message, an order fulfilled, a refund, a status
// changed through the API).
type TimelineEntry struct {
	Icon  string // an emoji code such as ":speech_balloon:"
	Title string // mrkdwn written by the hub, e.g. "*Ada Lovelace* (customer) wrote"
	Body  string // raw text from customers or shops; escaped here
}

// RenderTimeline renders a thread post.
func RenderTimeline(e TimelineEntry) Message {
	head := strings.TrimSpace(e.Icon + " " + e.Title)
	text := head
	if e.Body != "" {
		quoted := "> " + strings.ReplaceAll(EscapeCut(e.Body, maxThreadText-len(head)), "\n", "\n> ")
		text = cutMrkdwn(head+"\n"+quoted, maxSection)
	}
	return Message{
		Text:   cutMrkdwn(head, maxFallback),
		blocks: []slack.Block{slack.NewSectionBlock(mrkdwn(text), nil, nil)},
	}
}

// ListItem is one ticket in a private list (/ticket mine).
type ListItem struct {
	Ref      string
	Subject  string
	Status   string
	Priority string
	Due      time.Time // the next due time, zero when none
	AtRisk   bool
	Breached bool
}

// RenderList renders a private list of tickets, in the order given.
func RenderList(title string, items []ListItem, loc *time.Location) Message {
	if loc == nil {
		loc = time.UTC
	}
	if len(items) == 0 {
		return Notice(title + "\n_Nothing here._")
	}
	blocks := []slack.Block{slack.NewSectionBlock(mrkdwn(title), nil, nil)}
	var lines []string
	for i, it := range items {
		if i == 40 {
			lines = append(lines, fmt.Sprintf("…and %d more", len(items)-40))
			break
		}
		due := "no due time"
		if !it.Due.IsZero() {
			due = "due " + it.Due.In(loc).Format("Mon 02 Jan 15:04 MST")
		}
		flag := ""
		switch {
		case it.Breached:
			flag = " :rotating_light: breached"
		case it.AtRisk:
			flag = " :warning: at risk"
		}
		lines = append(lines, fmt.Sprintf("%s *%s* %s — %s, %s%s", priorityIcon[it.Priority],
			EscapeCut(it.Ref, 20), EscapeCut(it.Subject, 120), it.Status, due, flag))
	}
	blocks = append(blocks, sections(lines)...)
	return Message{Text: cutMrkdwn(title, maxFallback), blocks: blocks[:min(len(blocks), maxBlocks)]}
}

// sections puts lines into as many section blocks as keep each under
// Slack's 3000-character limit.
func sections(lines []string) []slack.Block {
	var blocks []slack.Block
	var cur []string
	size := 0
	for _, l := range lines {
		if size+len(l)+1 > maxSection && len(cur) > 0 {
			blocks = append(blocks, slack.NewSectionBlock(mrkdwn(strings.Join(cur, "\n")), nil, nil))
			cur, size = nil, 0
		}
		cur = append(cur, l)
		size += len(l) + 1
	}
	if len(cur) > 0 {
		blocks = append(blocks, slack.NewSectionBlock(mrkdwn(strings.Join(cur, "\n")), nil, nil))
	}
	return blocks
}

// Help is the /ticket help text.
func Help(command string) Message {
	c := EscapeCut(command, 30)
	return Notice("*" + c + "* works tickets from Slack:\n" +
		"• `" + c + " T-1042` shows a ticket's card, only to you\n" +
		"• `" + c + " new <subject>` opens a ticket\n" +
		"• `" + c + " mine` lists your open tickets, soonest due first\n" +
		"• `" + c + " link T-1042 #1001` links an order to a ticket\n" +
		"• `" + c + " away` gives you no new tickets until `" + c + " back`\n" +
		"• `" + c + " help` shows this\n" +
		"On a message: the *Create ticket* shortcut or a :ticket: reaction opens a ticket from it.")
}

// ResponseJSON is m as the body of an immediate answer to a slash command
// or a response_url post: visible only to the user who asked.
func (m Message) ResponseJSON() ([]byte, error) {
	return json.Marshal(struct {
		ResponseType string        `json:"response_type"`
		Text         string        `json:"text"`
		Blocks       []slack.Block `json:"blocks,omitempty"`
	}{"ephemeral", m.Text, m.blocks})
}
