// Package emailtest runs real mail servers on the loopback interface for
// tests and the demo: a TLS certificate made on the spot, an SMTP server
// that keeps every message it accepts (the provider on the other side of
// Sender), and an in-memory IMAP server (go-imap's imapmemserver) to poll.
// They speak the real protocols; nothing in the email package can tell
// them from a provider except by address.
package emailtest
