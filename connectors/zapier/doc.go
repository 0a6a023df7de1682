// Package zapier is the hub's side of Zapier's REST hooks: which target
// URLs a subscription may name (Allowlist) and a client that POSTs ticket
// events to them (Client).
//
// A target URL is a bearer secret chosen by whoever holds an API key, so it
// is treated as hostile: it must match a prefix of ZAPIER_HOOK_ALLOWLIST
// (scheme, host, port and path prefix compared as parsed, never as text),
// its address is checked when the connection is made (so DNS rebinding
// cannot point it at the hub's own network), and redirects are never
// followed. Errors name the target's host only, never the whole URL.
//
// This package knows nothing of tickets: it takes bytes and answers with
// errors that say whether to retry (RetryAfter), drop the subscription
// (ErrGone) or give up on the target (ErrRefused).
package zapier
