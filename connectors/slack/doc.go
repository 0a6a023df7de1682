// Package slack is the hub's Slack connector: a Web API client over
// github.com/slack-go/slack (pointed at SLACK_API_URL in tests and the
// demo), request signature checks with the hub's own timestamp window, the
// wire types of inbound events, interactions and slash commands, and the
// Block Kit rendering of the ticket card, its modals and private answers.
//
// It knows nothing of the rest of the hub: the card is rendered from
// CardData, a plain struct the caller fills from its own ticket. Everything
// that came from customers or shops is escaped before it reaches mrkdwn and
// cut to Slack's length limits, so nobody can inject <!channel>, mentions
// or disguised links.
package slack
