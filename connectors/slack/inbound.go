package slack

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"strings"
)

// Envelope is an Events API request body: url_verification,
// event_callback or app_rate_limited.
type Envelope struct {
	Type      string          `json:"type"`
	Challenge json.RawMessage `json:"challenge"`
	TeamID    string          `json:"team_id"`
	APIAppID  string          `json:"api_app_id"`
	EventID   string          `json:"event_id"`
	Event     Event           `json:"event"`
}

// Event is the inner event of an event_callback, with the fields of the
// message and reaction events the hub reads.
type Event struct {
	Type        string `json:"type"`
	Subtype     string `json:"subtype"`
	User        string `json:"user"`
	BotID       string `json:"bot_id"`
	Text        string `json:"text"`
	TS          string `json:"ts"`
	ThreadTS    string `json:"thread_ts"`
	Channel     string `json:"channel"`
	ChannelType string `json:"channel_type"`
	EventTS     string `json:"event_ts"`
	// UserTeam is set in shared channels: the team of the author.
	UserTeam string `json:"user_team"`
	// message_changed carries the edited message and the one before.
	Message         *InboundMessage `json:"message"`
	PreviousMessage *InboundMessage `json:"previous_message"`
	DeletedTS       string          `json:"deleted_ts"`
	// reaction_added
	Reaction string `json:"reaction"`
	ItemUser string `json:"item_user"`
	Item     struct {
		Type    string `json:"type"`
		Channel string `json:"channel"`
		TS      string `json:"ts"`
	} `json:"item"`
}

// InboundMessage is a message inside an event or an interaction.
type InboundMessage struct {
	User     string `json:"user"`
	BotID    string `json:"bot_id"`
	Subtype  string `json:"subtype"`
	Text     string `json:"text"`
	TS       string `json:"ts"`
	ThreadTS string `json:"thread_ts"`
	Channel  string `json:"channel"`
	UserTeam string `json:"user_team"`
	Edited   *struct {
		User string `json:"user"`
		TS   string `json:"ts"`
	} `json:"edited"`
}

// ParseEnvelope decodes an Events API body (already verified).
func ParseEnvelope(body []byte) (Envelope, error) {
	var e Envelope
	if err := json.Unmarshal(body, &e); err != nil {
		return e, fmt.Errorf("slack: event body: %w", err)
	}
	return e, nil
}

// ChallengeString returns a url_verification challenge, refusing anything
// but a short string.
func (e Envelope) ChallengeString() (string, bool) {
	var s string
	if err := json.Unmarshal(e.Challenge, &s); err != nil || s == "" || len(s) > 256 {
		return "", false
	}
	return s, true
}

// Interaction is an interactivity payload: a button or select on a card
// (block_actions), a modal submitted (view_submission), or the "Create
// ticket" message shortcut (message_action).
type Interaction struct {
	Type        string `json:"type"`
	TriggerID   string `json:"trigger_id"`
	ResponseURL string `json:"response_url"`
	CallbackID  string `json:"callback_id"`
	ActionTS    string `json:"action_ts"`
	Team        struct {
		ID string `json:"id"`
	} `json:"team"`
	User struct {
		ID     string `json:"id"`
		TeamID string `json:"team_id"`
		Name   string `json:"name"`
	} `json:"user"`
	Channel struct {
		ID string `json:"id"`
	} `json:"channel"`
	Container struct {
		Type        string `json:"type"`
		MessageTS   string `json:"message_ts"`
		ChannelID   string `json:"channel_id"`
		IsEphemeral bool   `json:"is_ephemeral"`
	} `json:"container"`
	Message InboundMessage `json:"message"`
	Actions []Action       `json:"actions"`
	View    ViewPayload    `json:"view"`
}

// Action is one clicked button or chosen option.
type Action struct {
	ActionID       string `json:"action_id"`
	BlockID        string `json:"block_id"`
	Value          string `json:"value"`
	ActionTS       string `json:"action_ts"`
	SelectedUser   string `json:"selected_user"`
	SelectedOption *struct {
		Value string `json:"value"`
	} `json:"selected_option"`
}

// Choice is what the action carries: a button's value, the chosen option's
// value, or the chosen user.
func (a Action) Choice() string {
	switch {
	case a.SelectedOption != nil:
		return a.SelectedOption.Value
	case a.SelectedUser != "":
		return a.SelectedUser
	}
	return a.Value
}

// ViewPayload is a submitted modal.
type ViewPayload struct {
	ID              string `json:"id"`
	CallbackID      string `json:"callback_id"`
	PrivateMetadata string `json:"private_metadata"`
	Hash            string `json:"hash"`
	State           struct {
		Values map[string]map[string]struct {
			Value          string `json:"value"`
			SelectedOption *struct {
				Value string `json:"value"`
			} `json:"selected_option"`
			SelectedOptions []struct {
				Value string `json:"value"`
			} `json:"selected_options"`
		} `json:"values"`
	} `json:"state"`
}

// Checked reports whether the checkbox value is ticked in the input block
// blockID.
func (v ViewPayload) Checked(blockID, value string) bool {
	for _, el := range v.State.Values[blockID] {
		for _, o := range el.SelectedOptions {
			if o.Value == value {
				return true
			}
		}
	}
	return false
}

// Input returns what the user entered in the input block blockID.
func (v ViewPayload) Input(blockID string) string {
	for _, el := range v.State.Values[blockID] {
		if el.SelectedOption != nil {
			return el.SelectedOption.Value
		}
		return el.Value
	}
	return ""
}

// ParseInteraction decodes an interactivity body (form field "payload"),
// from the verified bytes only: r.FormValue would also read the URL query,
// which the signature does not cover.
func ParseInteraction(body []byte) (Interaction, error) {
	var in Interaction
	form, err := url.ParseQuery(string(body))
	if err != nil {
		return in, fmt.Errorf("slack: interaction body: %w", err)
	}
	payload := form["payload"]
	if len(payload) != 1 || payload[0] == "" {
		return in, errors.New("slack: interaction body: want exactly one payload")
	}
	if err := json.Unmarshal([]byte(payload[0]), &in); err != nil {
		return in, fmt.Errorf("slack: interaction payload: %w", err)
	}
	if in.Type == "" {
		return in, errors.New("slack: interaction payload has no type")
	}
	return in, nil
}

// Command is a slash command invocation.
type Command struct {
	TeamID      string
	ChannelID   string
	UserID      string
	Command     string
	Text        string
	ResponseURL string
	TriggerID   string
}

// ParseCommand decodes a slash command body from the verified bytes.
func ParseCommand(body []byte) (Command, error) {
	form, err := url.ParseQuery(string(body))
	if err != nil {
		return Command{}, fmt.Errorf("slack: command body: %w", err)
	}
	c := Command{
		TeamID: form.Get("team_id"), ChannelID: form.Get("channel_id"), UserID: form.Get("user_id"),
		Command: form.Get("command"), Text: strings.TrimSpace(form.Get("text")),
		ResponseURL: form.Get("response_url"), TriggerID: form.Get("trigger_id"),
	}
	if c.UserID == "" || c.Command == "" {
		return c, errors.New("slack: command body lacks user_id or command")
	}
	return c, nil
}
