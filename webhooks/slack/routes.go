package slack

import (
	"fmt"
	"regexp"
	"slices"
	"strings"

	"hub/tickets"
)

// Route sends tickets that match Kind:Value to Channel.
type Route struct {
	Kind    string // tag, source, team, store or priority
	Value   string
	Channel string
}

// Routes are checked in order; the first match picks a ticket's channel.
type Routes []Route

var channelID = regexp.MustCompile(`^[CG][A-Z0-9]{2,20}$`)

// ValidChannel reports whether s looks like a Slack channel id (C… or G…,
// never a #name: names change, ids do not).
func ValidChannel(s string) bool { return channelID.MatchString(s) }

// ParseRoutes reads SLACK_ROUTES: comma-separated kind:value=channel rules,
// e.g. "tag:billing=C123,source:shopify=C456,team:vip=C789,
// store:shopify:acme.myshopify.com=C012,priority:urgent=C345".
func ParseRoutes(s string) (Routes, error) {
	var out Routes
	for _, rule := range strings.Split(s, ",") {
		rule = strings.TrimSpace(rule)
		if rule == "" {
			continue
		}
		i := strings.LastIndexByte(rule, '=')
		if i < 0 {
			return nil, fmt.Errorf("rule %q has no =CHANNEL", rule)
		}
		match, ch := strings.TrimSpace(rule[:i]), strings.TrimSpace(rule[i+1:])
		kind, value, ok := strings.Cut(match, ":")
		kind, value = strings.ToLower(strings.TrimSpace(kind)), strings.TrimSpace(value)
		if !ok || value == "" {
			return nil, fmt.Errorf("rule %q must be kind:value=CHANNEL", rule)
		}
		if !slices.Contains([]string{"tag", "source", "team", "store", "priority"}, kind) {
			return nil, fmt.Errorf("rule %q: kind must be tag, source, team, store or priority", rule)
		}
		if !ValidChannel(ch) {
			return nil, fmt.Errorf("rule %q: %q is not a channel id such as C0123ABCD", rule, ch)
		}
		if kind != "store" {
			value = strings.ToLower(value)
		}
		out = append(out, Route{Kind: kind, Value: value, Channel: ch})
	}
	return out, nil
}

// String writes the routes back in SLACK_ROUTES syntax.
func (rs Routes) String() string {
	parts := make([]string, len(rs))
	for i, r := range rs {
		parts[i] = r.Kind + ":" + r.Value + "=" + r.Channel
	}
	return strings.Join(parts, ",")
}

// Channel returns the channel of the first rule t matches, or def.
func (rs Routes) Channel(t tickets.Ticket, def string) string {
	for _, r := range rs {
		var hit bool
		switch r.Kind {
		case "tag":
			hit = slices.Contains(t.Tags, r.Value)
		case "source":
			hit = string(t.Source) == r.Value
		case "team":
			hit = strings.EqualFold(t.Team, r.Value)
		case "priority":
			hit = string(t.Priority) == r.Value
		case "store":
			hit = t.Store == r.Value
			for _, o := range t.Orders {
				hit = hit || o.Store == r.Value
			}
		}
		if hit {
			return r.Channel
		}
	}
	return def
}
