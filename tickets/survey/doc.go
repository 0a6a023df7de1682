// Package survey serves the customer satisfaction page: GET and POST
// /survey/{token}. A customer opens the link a resolution reply carried,
// rates the help from 1 to 5 and may leave a comment; there is no sign-in,
// the link's token is the key, and it works once, until it expires. The
// answer goes to the store, which records it on the ticket's audit trail
// (ticket.rated), from where the Slack card and Zapier hear of it.
package survey
