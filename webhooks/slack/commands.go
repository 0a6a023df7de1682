package slack

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net/http"
	"strings"

	slackapi "hub/connectors/slack"
	"hub/tickets"
	"hub/webhooks"
)

// command is a parsed /ticket invocation.
type command struct {
	verb    string // help, show, mine, new, link, away, back
	ref     string // T-1042 (show, link)
	order   string // 1001 (link)
	store   string // optional store key (link)
	subject string // new
}

// parseCommand reads the text after /ticket. An error is a usage message
// for the user.
func parseCommand(text string) (command, error) {
	text = strings.TrimSpace(slackapi.Unescape(text))
	verb, rest, _ := strings.Cut(text, " ")
	rest = strings.TrimSpace(rest)
	switch v := strings.ToLower(verb); v {
	case "", "help":
		return command{verb: "help"}, nil
	case "mine", "away", "back":
		if rest != "" {
			return command{}, fmt.Errorf("`%s` takes nothing after it.", v)
		}
		return command{verb: v}, nil
	case "new":
		if rest == "" {
			return command{}, fmt.Errorf("Say what the ticket is about: `new <subject>`.")
		}
		return command{verb: "new", subject: rest}, nil
	case "link":
		f := strings.Fields(rest)
		if len(f) < 2 || len(f) > 3 {
			return command{}, fmt.Errorf("Use `link T-1042 #1001` (and the store, when several are connected).")
		}
		if _, ok := tickets.ParseNumber(f[0]); !ok {
			return command{}, fmt.Errorf("%q is not a ticket number such as T-1042.", f[0])
		}
		c := command{verb: "link", ref: f[0], order: orderNumber(f[1])}
		if len(f) == 3 {
			c.store = f[2]
		}
		if c.order == "" {
			return command{}, fmt.Errorf("Say which order: `link T-1042 #1001`.")
		}
		return c, nil
	}
	if _, ok := tickets.ParseNumber(verb); ok && rest == "" {
		return command{verb: "show", ref: verb}, nil
	}
	return command{}, fmt.Errorf("I don't know %q.", verb)
}

// serveCommands is POST /slack/commands (/ticket). Help and usage errors
// are answered at once; everything else is recorded and answered by the
// worker through the command's response_url.
func (s *Service) serveCommands(w http.ResponseWriter, r *http.Request) {
	ws, body, ok := s.verified(w, r)
	if !ok {
		return
	}
	c, err := slackapi.ParseCommand(body)
	if err != nil {
		s.reject("invalid")
		webhooks.WriteError(w, http.StatusBadRequest, "invalid", "the body is not a Slack slash command")
		return
	}
	if ws.TeamID != "" && c.TeamID != ws.TeamID {
		// Signed with our secret but from another workspace (an app
		// installed in two): not ours to act on, as for events.
		ephemeral(w, slackapi.Notice("This workspace is not connected to the hub."))
		return
	}
	cmd, err := parseCommand(c.Text)
	switch {
	case err != nil:
		ephemeral(w, slackapi.Notice(slackapi.Escape(err.Error())+"\n"+helpLine(c.Command)))
		return
	case cmd.verb == "help":
		ephemeral(w, slackapi.Help(c.Command))
		return
	}
	key := c.TriggerID
	if key == "" {
		sum := sha256.Sum256(body)
		key = hex.EncodeToString(sum[:16])
	}
	d := &tickets.Delivery{Tenant: c.TeamID, Topic: "command:" + cmd.verb, Key: "command:" + key, Body: body}
	if !s.record(w, r, d) {
		return
	}
	if cmd.verb == "new" {
		ephemeral(w, slackapi.Notice("Opening a ticket: *"+slackapi.EscapeCut(cmd.subject, 200)+"*. Its card will appear in the triage channel."))
		return
	}
	w.WriteHeader(http.StatusOK)
}

func helpLine(cmd string) string {
	return "Try `" + slackapi.EscapeCut(cmd, 30) + " help`."
}

func ephemeral(w http.ResponseWriter, m slackapi.Message) {
	b, err := m.ResponseJSON()
	if err != nil {
		w.WriteHeader(http.StatusOK)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	_, _ = w.Write(b)
}
