package main

import (
	"context"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
)

// The reply modal offers the saved replies; a template the ticket cannot
// fill is refused while the modal is open; a resolution reply with a
// survey sends the link, and the customer's answer reaches the card.
func TestSlackSavedReplyAndRating(t *testing.T) {
	h := bootSlackHub(t, nil)
	ctx := context.Background()
	for name, body := range map[string]string{
		"track":  "Your parcel: {{tracking_link}}",
		"thanks": "Glad we could help, {{customer_first_name}}. {{survey_link}}",
	} {
		if _, err := h.app.store.CreateReply(ctx, "test", name, body); err != nil {
			t.Fatal(err)
		}
	}
	tk := h.intake(t, "saved-1", `{"subject":"Cracked mug","email":"ada@example.com","name":"Ada Lovelace"}`)
	h.click(t, agentSam, tk, map[string]any{"action_id": "reply", "value": tk.ID, "type": "button", "block_id": "t:" + tk.ID + ":work"})
	if v := h.fake.Views(); len(v) != 1 || !strings.Contains(string(v[0]), `"reply_saved"`) || !strings.Contains(string(v[0]), `"value":"thanks"`) {
		t.Fatalf("reply modal: %s", v)
	}
	submit := func(viewID, saved, text string, options ...string) (int, string) {
		var checked []map[string]any
		for _, o := range options {
			checked = append(checked, map[string]any{"value": o})
		}
		values := map[string]any{
			"reply_body":    map[string]any{"body": map[string]any{"type": "plain_text_input", "value": text}},
			"reply_options": map[string]any{"options": map[string]any{"type": "checkboxes", "selected_options": checked}},
		}
		if saved != "" {
			values["reply_saved"] = map[string]any{"saved": map[string]any{"type": "static_select", "selected_option": map[string]any{"value": saved}}}
		}
		return h.interact(t, map[string]any{"type": "view_submission", "user": map[string]any{"id": agentSam},
			"view": map[string]any{"id": viewID, "callback_id": "reply", "private_metadata": tk.ID, "state": map[string]any{"values": values}}})
	}
	for _, tc := range []struct {
		view, saved string
		options     []string
		problem     string
	}{
		{"V1", "track", nil, "tracking_link"},                    // no shipment to track
		{"V2", "thanks", nil, "resolution reply"},                // a survey goes with resolving
		{"V3", "", []string{"survey"}, "tick Resolve too"},       // and says so without a template
		{"V4", "gone", []string{"resolve"}, "deleted meanwhile"}, // no such reply
	} {
		code, body := submit(tc.view, tc.saved, "Hello", tc.options...)
		if code != 200 || !strings.Contains(body, `"response_action":"errors"`) || !strings.Contains(body, tc.problem) {
			t.Errorf("%s with %v: %d %s", tc.saved, tc.options, code, body)
		}
	}
	if code, body := submit("V5", "thanks", "Sorry about the mug.", "resolve"); code != 200 || body != "" {
		t.Fatalf("submit: %d %q", code, body)
	}
	waitFor(t, "the resolution reply", func() bool { return h.ticket(t, tk.ID).Status == "resolved" })
	msgs := h.messages(t, tk.ID)
	if len(msgs) != 1 {
		t.Fatalf("messages %+v", msgs)
	}
	const want = "Sorry about the mug.\n\nGlad we could help, Ada. http://localhost:8080/survey/"
	if !strings.HasPrefix(msgs[0].Body, want) {
		t.Fatalf("reply %q, want it to start %q", msgs[0].Body, want)
	}
	link := regexp.MustCompile(`/survey/[A-Za-z0-9_-]+`).FindString(msgs[0].Body)
	res, err := http.PostForm(h.base+link, url.Values{"rating": {"2"}, "comment": {"Slow"}})
	if err != nil || res.StatusCode != 200 {
		t.Fatalf("answer: %v %v", res, err)
	}
	res.Body.Close()
	waitFor(t, "the rating on the card", func() bool { return strings.Contains(h.cardText(tk), "*Customer rating* :star::star: 2/5") })
	waitFor(t, "the rating in the thread", func() bool {
		for _, m := range h.fake.Thread(tk.Slack.Channel, tk.Slack.TS) {
			if strings.Contains(m.Text, "rated the help 2/5") {
				return true
			}
		}
		return false
	})
}
