// Package slack is the Slack side of the hub's pipeline: the receivers for
// the Events API, interactivity and slash commands (POST /slack/events,
// /slack/interactivity, /slack/commands), the decoder that turns their
// recorded deliveries into ticket commands under the Slack user who acted,
// and the follow-up tasks that keep each ticket's live card in Slack and
// post its timeline into the card's thread.
//
// Nothing but verify, record and acknowledge happens on the request path,
// with one exception: opening a modal (views.open) needs the click's
// trigger_id within about three seconds, so it is done while answering the
// click (see modal.go).
//
// The card sync ("slack:sync") runs after every ticket event, delayed a
// little and coalesced per ticket, so a burst of changes becomes one
// chat.update. Slack's limits are honoured by returning errors that carry
// a Retry-After (a 429, or the per-channel pace of about one post a second),
// which the pipeline retries after that delay without holding a worker.
package slack
