package slack

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/slack-go/slack"
)

// DefaultAPIURL is Slack's Web API.
const DefaultAPIURL = "https://slack.com/api/"

// Message is something to post: fallback text (notifications, screen
// readers) and Block Kit blocks, built by this package's renderers.
type Message struct {
	Text   string
	blocks []slack.Block
}

// BlocksJSON is the message's blocks as Slack receives them.
func (m Message) BlocksJSON() ([]byte, error) {
	return json.Marshal(slack.Blocks{BlockSet: m.blocks})
}

// Client calls the Slack Web API with one workspace's bot token.
type Client struct {
	api    *slack.Client
	http   *http.Client
	apiURL *url.URL
}

// New returns a client for token. apiURL "" is Slack itself; tests and the
// demo point it at a fake (SLACK_API_URL).
func New(token, apiURL string) *Client {
	if apiURL == "" {
		apiURL = DefaultAPIURL
	}
	if !strings.HasSuffix(apiURL, "/") {
		apiURL += "/"
	}
	u, _ := url.Parse(apiURL)
	hc := &http.Client{Timeout: 10 * time.Second, Transport: retryAfterTransport{http.DefaultTransport}}
	return &Client{
		api:    slack.New(token, slack.OptionAPIURL(apiURL), slack.OptionHTTPClient(hc)),
		http:   hc,
		apiURL: u,
	}
}

// Identity is who the token is: the workspace and the bot's own user, whose
// messages the hub must never read back as agents' replies.
type Identity struct {
	TeamID    string
	Team      string
	BotUserID string
	BotID     string
}

// AuthTest asks Slack who the token belongs to.
func (c *Client) AuthTest(ctx context.Context) (Identity, error) {
	r, err := c.api.AuthTestContext(ctx)
	if err != nil {
		return Identity{}, wrap("auth.test", err)
	}
	return Identity{TeamID: r.TeamID, Team: r.Team, BotUserID: r.UserID, BotID: r.BotID}, nil
}

// Post posts m to channel, as a reply in the thread of threadTS when set,
// and returns the new message's ts (a string: never turn it into a float).
func (c *Client) Post(ctx context.Context, channel, threadTS string, m Message) (string, error) {
	opts := []slack.MsgOption{
		slack.MsgOptionText(m.Text, false), // renderers escape what they put in
		slack.MsgOptionDisableLinkUnfurl(), slack.MsgOptionDisableMediaUnfurl(),
	}
	if len(m.blocks) > 0 {
		opts = append(opts, slack.MsgOptionBlocks(m.blocks...))
	}
	if threadTS != "" {
		opts = append(opts, slack.MsgOptionTS(threadTS))
	}
	_, ts, err := c.api.PostMessageContext(ctx, channel, opts...)
	return ts, wrap("chat.postMessage", err)
}

// Update replaces the message at (channel, ts) with m.
func (c *Client) Update(ctx context.Context, channel, ts string, m Message) error {
	opts := []slack.MsgOption{slack.MsgOptionText(m.Text, false)}
	if len(m.blocks) > 0 {
		opts = append(opts, slack.MsgOptionBlocks(m.blocks...))
	}
	_, _, _, err := c.api.UpdateMessageContext(ctx, channel, ts, opts...)
	return wrap("chat.update", err)
}

// User is a Slack user as users.info tells it.
type User struct {
	ID         string
	TeamID     string
	Name       string // real name, else display name, else handle
	Email      string // needs the users:read.email scope
	IsBot      bool
	Deleted    bool
	Restricted bool // a guest
}

// UserInfo looks up a user.
func (c *Client) UserInfo(ctx context.Context, id string) (User, error) {
	u, err := c.api.GetUserInfoContext(ctx, id)
	if err != nil {
		return User{}, wrap("users.info", err)
	}
	name := u.RealName
	for _, n := range []string{u.Profile.RealName, u.Profile.DisplayName, u.Name} {
		if name == "" {
			name = n
		}
	}
	return User{
		ID: u.ID, TeamID: u.TeamID, Name: name, Email: u.Profile.Email,
		IsBot: u.IsBot || u.ID == "USLACKBOT", Deleted: u.Deleted,
		Restricted: u.IsRestricted || u.IsUltraRestricted,
	}, nil
}

// MessageAt fetches one top-level message (conversations.history). The hub
// uses it only when a message it was asked to make a ticket of is not in
// its inbox: the method is rate-limited hard for distributed apps.
func (c *Client) MessageAt(ctx context.Context, channel, ts string) (InboundMessage, error) {
	r, err := c.api.GetConversationHistoryContext(ctx, &slack.GetConversationHistoryParameters{
		ChannelID: channel, Latest: ts, Inclusive: true, Limit: 1,
	})
	if err != nil {
		return InboundMessage{}, wrap("conversations.history", err)
	}
	for _, m := range r.Messages {
		if m.Timestamp == ts {
			return InboundMessage{
				User: m.User, BotID: m.BotID, Subtype: m.SubType, Text: m.Text,
				TS: m.Timestamp, ThreadTS: m.ThreadTimestamp, Channel: channel,
			}, nil
		}
	}
	return InboundMessage{}, &APIError{Method: "conversations.history", Code: "message_not_found"}
}

// OpenView opens a modal for the user whose click gave triggerID. Slack
// allows this for about 3 seconds after the click.
func (c *Client) OpenView(ctx context.Context, triggerID string, v View) error {
	_, err := c.api.OpenViewContext(ctx, triggerID, v.req)
	return wrap("views.open", err)
}

// Respond posts m to an interaction's or slash command's response_url,
// visible only to the user who asked. Only Slack's own hooks host (or the
// host of the configured API URL, a fake in tests) is called: the URL comes
// from a request body, and the hub must not be made to post anywhere else.
func (c *Client) Respond(ctx context.Context, responseURL string, m Message) error {
	u, err := url.Parse(responseURL)
	if err != nil || !c.allowedResponseURL(u) {
		return fmt.Errorf("slack: a response_url on %q is not a Slack hooks URL", hostOf(responseURL))
	}
	body, err := m.ResponseJSON()
	if err != nil {
		return fmt.Errorf("slack: response_url: %w", err)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, u.String(), bytes.NewReader(body))
	if err != nil {
		return fmt.Errorf("slack: response_url: %w", err)
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := c.http.Do(req)
	if err != nil {
		// The URL is a bearer capability: name its host, never the URL
		// (*url.Error's text would carry it into logs and the inbox).
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err
		}
		return fmt.Errorf("slack: response_url on %s: %w", u.Host, err)
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
	if resp.StatusCode == http.StatusTooManyRequests {
		return &RateLimitedError{Method: "response_url", After: time.Duration(retryAfterSeconds(resp.Header.Get("Retry-After"), time.Now())) * time.Second}
	}
	if resp.StatusCode != http.StatusOK {
		// 404 means the response_url expired (30 minutes, 5 uses).
		return &APIError{Method: "response_url", Code: fmt.Sprintf("http_%d", resp.StatusCode)}
	}
	return nil
}

func (c *Client) allowedResponseURL(u *url.URL) bool {
	if u.User != nil || u.Host == "" {
		return false
	}
	if u.Scheme == "https" && u.Host == "hooks.slack.com" {
		return true
	}
	return c.apiURL != nil && c.apiURL.Host != "slack.com" && u.Scheme == c.apiURL.Scheme && u.Host == c.apiURL.Host
}

// hostOf is the host of a URL for error messages, or "?" when it has none.
func hostOf(raw string) string {
	if u, err := url.Parse(raw); err == nil && u.Host != "" {
		return u.Host
	}
	return "?"
}
