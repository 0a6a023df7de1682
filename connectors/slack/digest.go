package slack

import (
	"fmt"

	"github.com/slack-go/slack"
)

// DigestItem is one ticket in a digest.
type DigestItem struct {
	Ref      string
	Subject  string
	Priority string
	Customer string // a name or an email, raw
}

// RenderDigest lists new tickets in one message, for a channel getting
// them faster than Slack lets cards be posted one by one; more is how many
// others it covers without naming them. Each ticket
// gets its own card later, once it changes and the channel has room;
// `/ticket T-1042` shows one at any time.
func RenderDigest(items []DigestItem, more int, command string) Message {
	total := len(items) + more
	title := fmt.Sprintf(":inbox_tray: *%d new tickets* came in faster than this channel can take cards:", total)
	if total == 1 {
		title = ":inbox_tray: *1 new ticket* came in faster than this channel can take cards:"
	}
	lines := make([]string, 0, len(items))
	for _, it := range items {
		who := ""
		if it.Customer != "" {
			who = " — " + EscapeCut(it.Customer, 80)
		}
		lines = append(lines, fmt.Sprintf("%s *%s* %s%s", priorityIcon[it.Priority], EscapeCut(it.Ref, 20), EscapeCut(it.Subject, 120), who))
	}
	if more > 0 {
		lines = append(lines, fmt.Sprintf("…and *%d more*, all in the hub's ticket list.", more))
	}
	blocks := append([]slack.Block{slack.NewSectionBlock(mrkdwn(title), nil, nil)}, sections(lines)...)
	c := EscapeCut(command, 30)
	blocks = append(blocks, slack.NewContextBlock("", mrkdwn("Each gets its card when it next changes and the channel has room; `"+c+" T-1042` shows one now.")))
	return Message{Text: cutMrkdwn(fmt.Sprintf("%d new tickets", total), maxFallback), blocks: blocks[:min(len(blocks), maxBlocks)]}
}
