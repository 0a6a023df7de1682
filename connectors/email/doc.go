// Package email is the hub's email connector: everything that speaks mail
// protocols and formats, and nothing of tickets.
//
//   - Intake: an SMTP listener (Listener) that refuses recipients the hub
//     does not serve, caps the message size and answers 250 only after the
//     caller's Committer has recorded the raw bytes; and an IMAP poller
//     (Poller) that resumes by UIDVALIDITY and last UID, IDLEs where it can,
//     and flags or moves what it has handed over.
//   - Reading: Parse turns raw RFC 5322 bytes into a Message (threading
//     headers, addresses, readable text with the quoted history trimmed,
//     attachments) and classifies it as human, auto-reply, bounce or list
//     mail, with the reason.
//   - Threading facts: per-ticket reply addresses (ReplyAddresses) signed
//     with an HMAC, and the [T-1042] reference in a subject (SubjectTicket).
//     Which ticket a message joins is the caller's decision.
//   - Sending: Compose and Sender build and send a reply (text and HTML,
//     threading headers, a Message-ID on the support domain) over SMTP
//     submission, and tell temporary failures from permanent ones.
//   - Configuration: ConfigFromEnv reads the EMAIL_* variables.
//
// The package keeps no global state; a clock is injected where time is
// written into mail or waited on.
package email
