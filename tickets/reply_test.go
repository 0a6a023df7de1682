package tickets_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	"hub/tickets"
)

func TestRenderReply(t *testing.T) {
	tk := tickets.Ticket{Number: 1042, Customer: tickets.Customer{Name: "Ada Lovelace", Email: "ada@example.com"},
		Orders: []tickets.OrderRef{
			{OrderNumber: "#1000"},
			{OrderNumber: "1001", Details: []byte(`{"tracking":[{"number":"1Z1","url":"https://ups.example/1Z1"},{"number":"X"}]}`)},
		}}
	bare := tickets.Ticket{Number: 7}
	for _, tc := range []struct {
		name, body string
		t          tickets.Ticket
		want, err  string
	}{
		{"all", "Hi {{customer_first_name}} ({{ customer_email }}), {{order_number}} is at {{tracking_link}}. {{ticket}}, {{agent_name}}",
			tk, "Hi Ada (ada@example.com), #1001 is at https://ups.example/1Z1. T-1042, Ann", ""},
		{"full name", "Dear {{customer_name}}", tk, "Dear Ada Lovelace", ""},
		{"no placeholders", "Thanks!", bare, "Thanks!", ""},
		{"missing values", "Hi {{customer_first_name}}, {{tracking_link}}", bare, "", "needs {{customer_first_name}} (the customer's first name), {{tracking_link}}"},
		{"survey is the caller's", "Rate us: {{survey_link}}", tk, "", "{{survey_link}}"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := tickets.RenderReply("r", tc.body, tickets.ReplyValues(tc.t, "Ann"))
			if tc.err != "" {
				if err == nil || !strings.Contains(err.Error(), tc.err) || tickets.ErrorCode(err) != tickets.EINVALID {
					t.Fatalf("err %v, want one with %q", err, tc.err)
				}
				return
			}
			if err != nil || got != tc.want {
				t.Errorf("got %q, %v; want %q", got, err, tc.want)
			}
		})
	}
}

func TestCheckReplyBody(t *testing.T) {
	for _, tc := range []struct {
		body string
		ok   bool
	}{
		{"Hi {{customer_name}}", true},
		{"Rate us {{survey_link}}", true},
		{"Hi {{customer}}", false},
		{"  ", false},
		{strings.Repeat("é", tickets.MaxReplyBodyRunes), true},
		{strings.Repeat("é", tickets.MaxReplyBodyRunes+1), false},
	} {
		if _, err := tickets.CheckReplyBody(tc.body); (err == nil) != tc.ok {
			t.Errorf("CheckReplyBody(%.20q) = %v, want ok=%v", tc.body, err, tc.ok)
		}
	}
	for _, tc := range []struct{ in, want string }{{" Refund-OK ", "refund-ok"}, {"-x", ""}, {"a b", ""}, {"", ""}} {
		got, err := tickets.ParseReplyName(tc.in)
		if got != tc.want || (err == nil) != (tc.want != "") {
			t.Errorf("ParseReplyName(%q) = %q, %v", tc.in, got, err)
		}
	}
}

func TestWithSurveyLink(t *testing.T) {
	const link = "https://hub.example/survey/abc"
	if got := tickets.WithSurveyLink("Done. Rate us: {{survey_link}} - {{ticket}}", link); got != "Done. Rate us: "+link+" - {{ticket}}" {
		t.Errorf("placed: %q", got)
	}
	if got := tickets.WithSurveyLink("Done.\n", link); got != "Done.\n\n"+tickets.SurveyPrompt+" "+link {
		t.Errorf("appended: %q", got)
	}
	if _, err := tickets.ParseRating(0, ""); err == nil {
		t.Error("rating 0 accepted")
	}
	if r, err := tickets.ParseRating(5, " great "); err != nil || r.Comment != "great" {
		t.Errorf("rating %+v %v", r, err)
	}
}

func TestComposeReply(t *testing.T) {
	tk := tickets.Ticket{Number: 9, Customer: tickets.Customer{Name: "Ada"}}
	url := func(tok string) string { return "https://hub.example/survey/" + tok }
	thanks := &tickets.SavedReply{Name: "thanks", Body: "Thanks {{customer_first_name}}! Rate us: {{survey_link}}"}
	plain := &tickets.SavedReply{Name: "plain", Body: "Glad to help, {{customer_first_name}}."}
	for _, tc := range []struct {
		name   string
		d      tickets.ReplyDraft
		url    func(string) string
		prefix string // of the body
		survey bool
		err    string // the field of the error
	}{
		{"text", tickets.ReplyDraft{Text: " Hello "}, url, "Hello", false, ""},
		{"text then saved", tickets.ReplyDraft{Text: "Sorry for the wait.", Saved: plain}, url, "Sorry for the wait.\n\nGlad to help, Ada.", false, ""},
		{"placed survey", tickets.ReplyDraft{Saved: thanks, Resolve: true}, url, "Thanks Ada! Rate us: https://hub.example/survey/", true, ""},
		{"appended survey", tickets.ReplyDraft{Saved: plain, Resolve: true, Survey: true}, url, "Glad to help, Ada.\n\n" + tickets.SurveyPrompt + " https://hub.example/survey/", true, ""},
		{"survey without resolving", tickets.ReplyDraft{Saved: thanks}, url, "", false, "survey"},
		{"survey without a URL", tickets.ReplyDraft{Text: "x", Resolve: true, Survey: true}, nil, "", false, "survey"},
		{"nothing", tickets.ReplyDraft{Text: " "}, url, "", false, "body"},
		{"missing value", tickets.ReplyDraft{Saved: &tickets.SavedReply{Name: "o", Body: "{{order_number}}"}}, url, "", false, "reply"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m, err := tickets.ComposeReply(tk, "Ann", tc.d, time.Unix(0, 0), tc.url)
			if tc.err != "" {
				var e *tickets.Error
				if !errors.As(err, &e) || e.Field != tc.err {
					t.Fatalf("err %v, want one about %s", err, tc.err)
				}
				return
			}
			if err != nil || !strings.HasPrefix(m.Body, tc.prefix) || m.Kind != tickets.MessageReply || (m.Survey != nil) != tc.survey || m.Resolve != tc.d.Resolve {
				t.Fatalf("got %+v, %v; want body starting %q, survey %v", m, err, tc.prefix, tc.survey)
			}
			if tc.survey && !m.Survey.ExpiresAt.Equal(time.Unix(0, 0).Add(tickets.SurveyTTL)) {
				t.Errorf("expires %v", m.Survey.ExpiresAt)
			}
		})
	}
}
