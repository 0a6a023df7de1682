package slacktest

import (
	"encoding/json"
	"strings"
)

// Text renders Block Kit blocks as the plain text a person would read in
// Slack (roughly): for test failures and the demo's printout.
func Text(blocks json.RawMessage) string {
	var bs []struct {
		Type     string `json:"type"`
		Text     *textObj
		Fields   []textObj
		Elements []struct {
			Type        string          `json:"type"`
			Text        json.RawMessage `json:"text"` // a string in context blocks, an object on buttons
			Placeholder *textObj        `json:"placeholder"`
		}
	}
	if json.Unmarshal(blocks, &bs) != nil {
		return ""
	}
	var lines []string
	for _, b := range bs {
		switch b.Type {
		case "header":
			lines = append(lines, "# "+b.Text.Text)
		case "section":
			if b.Text != nil {
				lines = append(lines, b.Text.Text)
			}
			var fields []string
			for _, f := range b.Fields {
				// "*Label*\nvalue\nmore": the label, then the value's lines.
				label, value, _ := strings.Cut(f.Text, "\n")
				fields = append(fields, label+": "+strings.ReplaceAll(value, "\n", " · "))
			}
			if len(fields) > 0 {
				lines = append(lines, strings.Join(fields, " | "))
			}
		case "context":
			for _, e := range b.Elements {
				var s string
				if json.Unmarshal(e.Text, &s) == nil {
					lines = append(lines, "  "+s)
				}
			}
		case "divider":
			lines = append(lines, "---")
		case "actions":
			var btns []string
			for _, e := range b.Elements {
				var label textObj
				switch {
				case json.Unmarshal(e.Text, &label) == nil && label.Text != "":
					btns = append(btns, "["+label.Text+"]")
				case e.Placeholder != nil:
					btns = append(btns, "["+e.Placeholder.Text+" ▾]")
				}
			}
			lines = append(lines, strings.Join(btns, " "))
		}
	}
	return strings.Join(lines, "\n")
}

type textObj struct {
	Text string `json:"text"`
}
