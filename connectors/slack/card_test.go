package slack

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
	"unicode/utf8"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/")

func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	// Re-encoded without HTML escaping, so the file shows &lt; rather
	// than \u0026lt; and reads like what Slack renders.
	var v any
	if err := json.Unmarshal(got, &v); err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(v); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join("testdata", name+".golden.json")
	if *update {
		if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update)", err)
	}
	if !bytes.Equal(want, buf.Bytes()) {
		t.Errorf("%s differs from %s (run go test -update to accept):\n%s", name, path, buf.String())
	}
}

// checkLimits fails on anything Slack would refuse: too many blocks, texts
// over their limits, or a total near msg_blocks_too_long.
func checkLimits(t *testing.T, blocks []byte) {
	t.Helper()
	if len(blocks) > 12000 {
		t.Errorf("blocks are %d bytes; Slack refuses about 13k", len(blocks))
	}
	var bs []struct {
		Type     string `json:"type"`
		BlockID  string `json:"block_id"`
		Text     *struct{ Text string }
		Fields   []struct{ Text string }
		Elements []struct {
			Text     json.RawMessage
			ActionID string `json:"action_id"`
			Value    string `json:"value"`
		}
	}
	if err := json.Unmarshal(blocks, &bs); err != nil {
		t.Fatal(err)
	}
	if len(bs) > maxBlocks {
		t.Errorf("%d blocks", len(bs))
	}
	for _, b := range bs {
		if len(b.BlockID) > 255 {
			t.Errorf("block_id of %d chars", len(b.BlockID))
		}
		if b.Text != nil {
			limit := maxSection
			if b.Type == "header" {
				limit = maxHeader
			}
			if n := utf8.RuneCountInString(b.Text.Text); n > limit {
				t.Errorf("%s text of %d chars", b.Type, n)
			}
		}
		if len(b.Fields) > 10 {
			t.Errorf("%d fields", len(b.Fields))
		}
		for _, f := range b.Fields {
			if n := utf8.RuneCountInString(f.Text); n > maxField {
				t.Errorf("field of %d chars", n)
			}
		}
		for _, e := range b.Elements {
			var label struct{ Text string }
			if b.Type == "actions" && json.Unmarshal(e.Text, &label) == nil && utf8.RuneCountInString(label.Text) > maxButton {
				t.Errorf("button %q too long", label.Text)
			}
			if len(e.Value) > 2000 || len(e.ActionID) > 255 {
				t.Errorf("element value or action_id too long")
			}
		}
	}
}

var cardTime = time.Date(2026, 11, 27, 10, 30, 0, 0, time.UTC)

func sampleCard() CardData {
	return CardData{
		TicketID: "6c0e2b1a-0000-4000-8000-000000001042",
		Ref:      "T-1042",
		Subject:  "Where is my order #1001?",
		Status:   "open",
		Priority: "high",
		Assignee: "sam@shop.example",
		Tags:     []string{"shipping", "vip"},
		Source:   "shopify",
		Customer: CardCustomer{
			Name: "Ada Lovelace", Email: "ada@example.com",
			Profiles: []CardProfile{{Store: "shopify:acme.myshopify.com", Orders: ptr(3), Spent: "412.50", Currency: "EUR"}},
		},
		Orders: []CardOrder{{
			Number: "1001", Store: "shopify:acme.myshopify.com", Financial: "paid", Fulfillment: "fulfilled",
			Total: "59.90", Currency: "EUR", URL: "https://acme.myshopify.com/admin/orders/450789469",
			Tracking: []CardTracking{{Company: "UPS", Number: "1Z999AA10123456784", URL: "https://www.ups.com/track?tracknum=1Z999AA10123456784"}},
		}},
		SLA:         CardSLA{FirstResponseDue: cardTime.Add(6 * time.Hour), ResolutionDue: cardTime.Add(30 * time.Hour), AtRisk: true},
		Transitions: []string{"pending", "resolved", "closed"},
		UpdatedAt:   cardTime,
	}
}

func TestRenderCardGolden(t *testing.T) {
	hostile := sampleCard()
	hostile.Subject = "<!channel> URGENT <@U0ADMIN> click <https://evil.example|your invoice> " + strings.Repeat("ü", 300)
	hostile.Customer = CardCustomer{Name: "<!here> Mallory *bold*", Email: "m@evil.example"}
	hostile.Tags = []string{"a`b", strings.Repeat("t", 40)}
	hostile.Orders = nil
	for i := range 12 {
		hostile.Orders = append(hostile.Orders, CardOrder{
			Number: "<@U1>" + strings.Repeat("9", i+1), Financial: "paid & <b>", Total: "1.00", Currency: "USD",
			URL: "https://evil.example|x", Tracking: []CardTracking{{Number: "<!everyone>", URL: "javascript:alert(1)"}},
		})
	}
	hostile.SLA = CardSLA{FirstResponded: true, ResolutionDue: cardTime.Add(-time.Hour), Breached: true}

	closed := sampleCard()
	closed.Status, closed.Transitions = "closed", nil
	closed.SLA = CardSLA{FirstResponded: true}
	closed.FollowUpOf = "T-1001"

	pending := sampleCard()
	pending.Status, pending.Assignee, pending.Tags, pending.Orders = "pending", "", nil, nil
	pending.Customer = CardCustomer{}
	pending.SLA = CardSLA{FirstResponseDue: cardTime.Add(time.Hour), ResolutionDue: cardTime.Add(5 * time.Hour), Paused: true}
	pending.Transitions = []string{"open", "resolved", "closed"}

	rated := sampleCard()
	rated.Status, rated.Transitions = "resolved", []string{"open", "closed"}
	rated.SLA = CardSLA{FirstResponded: true}
	rated.Rating = &CardRating{Score: 2, Comment: "Slow <!channel> & *rude*\nsecond line"}
	summoned := sampleCard()
	summoned.SLA.Summoned = []string{"ana@example.com", "<!channel>@evil.example", "ben@example.com", "cleo@example.com"}

	undelivered := sampleCard()
	undelivered.ReplyError = "The reply could not be emailed to <ada@example.com>: the mail server answered 550 (no such user)."

	for name, d := range map[string]CardData{"card_open": sampleCard(), "card_hostile": hostile, "card_closed": closed, "card_pending": pending, "card_rated": rated, "card_summoned": summoned, "card_reply_error": undelivered} {
		t.Run(name, func(t *testing.T) {
			m := RenderCard(d)
			b, err := m.BlocksJSON()
			if err != nil {
				t.Fatal(err)
			}
			checkLimits(t, b)
			if utf8.RuneCountInString(m.Text) > maxFallback {
				t.Errorf("fallback text of %d chars", utf8.RuneCountInString(m.Text))
			}
			golden(t, name, b)
		})
	}
}

func TestHostileTextCannotMentionOrLink(t *testing.T) {
	d := sampleCard()
	d.Subject = "<!channel> hi"
	d.Customer.Name = "<@U0ADMIN>"
	d.Orders[0].Number = "<https://evil.example|#1001>"
	d.Orders[0].URL = ""
	m := RenderCard(d)
	// Slack reads mentions and links only in mrkdwn and the message text;
	// plain_text (the header) is shown literally.
	s := strings.Join(mrkdwnTexts(t, m), "\n") + "\n" + m.Text
	for _, bad := range []string{"<!channel>", "<@U0ADMIN>", "<https://evil.example"} {
		if strings.Contains(s, bad) {
			t.Errorf("card contains %s", bad)
		}
	}
	if !strings.Contains(s, "&lt;@U0ADMIN&gt;") {
		t.Error("the customer's name is not shown escaped")
	}
}

func TestCardButtonsFollowTheLifecycle(t *testing.T) {
	d := sampleCard()
	d.Status, d.Transitions = "resolved", []string{"open", "closed"}
	s := decoded(t, RenderCard(d))
	for _, want := range []string{`"status:open"`, `"status:closed"`, `"Reopen"`, `"assign_me"`, `"link_order"`, `"reply"`} {
		if !strings.Contains(s, want) {
			t.Errorf("resolved card lacks %s", want)
		}
	}
	if strings.Contains(s, `"status:pending"`) {
		t.Error("resolved card offers pending")
	}
	id, ok := TicketOfBlock("t:" + d.TicketID + ":work")
	if !ok || id != d.TicketID {
		t.Errorf("TicketOfBlock = %q %v", id, ok)
	}
	if _, ok := TicketOfBlock("other"); ok {
		t.Error("TicketOfBlock accepted a foreign block id")
	}
}

func TestModalsGolden(t *testing.T) {
	views := map[string]View{
		"modal_reply_routes": ReplyModal(ReplyData{TicketID: "t1", Ref: "T-1042", Subject: "Where is my order?", Customer: "Ada Lovelace <ada@example.com>",
			Routes: []string{"WooCommerce order note on #1001 (woocommerce:shop.example)", "Zapier: ticket.message_created (2 hooks)"}}),
		"modal_reply_none": ReplyModal(ReplyData{TicketID: "t1", Ref: "T-1042", Subject: "<!channel>", Customer: ""}),
		"modal_reply_saved": ReplyModal(ReplyData{TicketID: "t1", Ref: "T-1042", Subject: "Late", Customer: "Ada", Survey: true,
			Saved: []SavedReply{{Name: "shipped", Body: "Hi {{customer_first_name}},\n\nyour order {{order_number}} is on its way: {{tracking_link}}. " + strings.Repeat("More. ", 20)},
				{Name: "thanks", Body: "Thank you! {{survey_link}}"}}}),
		"modal_link": LinkOrderModal(LinkData{TicketID: "t1", Ref: "T-1042", Subject: "Refund?", Stores: []string{"shopify:acme.myshopify.com", "woocommerce:shop.example"}}),
	}
	for name, v := range views {
		t.Run(name, func(t *testing.T) {
			b, err := v.JSON()
			if err != nil {
				t.Fatal(err)
			}
			golden(t, name, b)
		})
	}
	if !strings.Contains(string(must(ReplyModal(ReplyData{TicketID: "t"}).JSON())), NoRoute) {
		t.Error("a reply without routes must say it is only recorded")
	}
}

func TestNoticesGolden(t *testing.T) {
	list := RenderList("*Your open tickets*", []ListItem{
		{Ref: "T-1043", Subject: "Charged twice", Status: "open", Priority: "urgent", Due: cardTime.Add(time.Hour), Breached: true},
		{Ref: "T-1042", Subject: "<!here> parcel", Status: "pending", Priority: "low", Due: cardTime.Add(48 * time.Hour), AtRisk: true},
		{Ref: "T-1050", Subject: "No due", Status: "open", Priority: "medium"},
	}, nil)
	timeline := RenderTimeline(TimelineEntry{Icon: ":speech_balloon:", Title: "*Ada Lovelace* (customer) wrote", Body: "Still nothing!\n<!channel> help"})
	digest := RenderDigest([]DigestItem{
		{Ref: "T-1043", Subject: "Charged twice", Priority: "urgent", Customer: "Ada <ada@example.com>"},
		{Ref: "T-1044", Subject: "<!here> where is it", Priority: "low"},
	}, 230, "/ticket")
	for name, m := range map[string]Message{"list_mine": list, "timeline_customer": timeline, "help": Help("/ticket"), "digest": digest} {
		t.Run(name, func(t *testing.T) {
			b, err := m.BlocksJSON()
			if err != nil {
				t.Fatal(err)
			}
			checkLimits(t, b)
			golden(t, name, b)
		})
	}
	long := RenderTimeline(TimelineEntry{Title: "x", Body: strings.Repeat("<", 5000)})
	b, _ := long.BlocksJSON()
	checkLimits(t, b)
}

func must(b []byte, err error) []byte {
	if err != nil {
		panic(err)
	}
	return b
}

// decoded is the message's blocks as JSON text without HTML escaping, so
// tests can look for what Slack will read.
func decoded(t *testing.T, m Message) string {
	t.Helper()
	b, err := m.BlocksJSON()
	if err != nil {
		t.Fatal(err)
	}
	var v any
	_ = json.Unmarshal(b, &v)
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(v)
	return buf.String()
}

// mrkdwnTexts returns every mrkdwn text object in the message's blocks.
func mrkdwnTexts(t *testing.T, m Message) []string {
	t.Helper()
	b, err := m.BlocksJSON()
	if err != nil {
		t.Fatal(err)
	}
	var v any
	_ = json.Unmarshal(b, &v)
	var out []string
	var walk func(any)
	walk = func(x any) {
		switch x := x.(type) {
		case map[string]any:
			if x["type"] == "mrkdwn" {
				if s, ok := x["text"].(string); ok {
					out = append(out, s)
				}
			}
			for _, y := range x {
				walk(y)
			}
		case []any:
			for _, y := range x {
				walk(y)
			}
		}
	}
	walk(v)
	return out
}

func ptr(n int) *int { return &n }

// TestCloseAsksForConfirmation: a closed ticket cannot be reopened, so the
// card's Close button carries a Block Kit confirm dialog, within Slack's
// limits (title 100, text 300, buttons 30 characters); the other moves do not.
func TestCloseAsksForConfirmation(t *testing.T) {
	d := sampleCard()
	d.Transitions = []string{"pending", "resolved", "closed"}
	b, err := RenderCard(d).BlocksJSON()
	if err != nil {
		t.Fatal(err)
	}
	type text struct{ Type, Text string }
	var blocks []struct {
		Elements []struct {
			ActionID string `json:"action_id"`
			Confirm  *struct {
				Title, Text, Confirm, Deny *text
				Style                      string
			}
		}
	}
	if err := json.Unmarshal(b, &blocks); err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	for _, bl := range blocks {
		for _, e := range bl.Elements {
			if !strings.HasPrefix(e.ActionID, ActionStatus) {
				continue
			}
			seen[e.ActionID] = true
			c := e.Confirm
			if e.ActionID != ActionStatus+"closed" {
				if c != nil {
					t.Errorf("%s asks for confirmation", e.ActionID)
				}
				continue
			}
			if c == nil || c.Title == nil || c.Text == nil || c.Confirm == nil || c.Deny == nil {
				t.Fatalf("Close has no complete confirm object: %+v", c)
			}
			if c.Style != "danger" {
				t.Errorf("confirm style %q, want danger", c.Style)
			}
			for _, lim := range []struct {
				name string
				t    *text
				max  int
			}{{"title", c.Title, 100}, {"text", c.Text, 300}, {"confirm", c.Confirm, 30}, {"deny", c.Deny, 30}} {
				if lim.t.Type != "plain_text" || lim.t.Text == "" || utf8.RuneCountInString(lim.t.Text) > lim.max {
					t.Errorf("confirm %s = %+v (plain_text, 1-%d chars)", lim.name, *lim.t, lim.max)
				}
			}
			if !strings.Contains(c.Text.Text, "cannot be reopened") {
				t.Errorf("confirm text %q does not say why", c.Text.Text)
			}
		}
	}
	if !seen[ActionStatus+"closed"] || !seen[ActionStatus+"resolved"] {
		t.Errorf("status buttons seen: %v", seen)
	}
}
