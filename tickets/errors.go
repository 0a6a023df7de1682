package tickets

import (
	"errors"
	"fmt"
)

// Code classifies an error so that every transport can map it to its own
// status (HTTP status, Slack ephemeral message, asynq retry or skip) in one
// place.
type Code string

// The error codes. Anything that is not an *Error is EINTERNAL.
const (
	EINVALID      Code = "invalid"      // bad input: the caller must change the request
	ENOTFOUND     Code = "not_found"    // no such ticket, customer, delivery, ...
	ECONFLICT     Code = "conflict"     // the request contradicts the current state
	EUNAUTHORIZED Code = "unauthorized" // missing or bad credentials
	EUNAVAILABLE  Code = "unavailable"  // a dependency is down; the caller should retry
	EINTERNAL     Code = "internal"     // a bug or an unexpected failure
)

// Error is the domain's error: a code and a message that is safe to show to
// the caller. Field names the offending input field, if any.
type Error struct {
	Code    Code
	Message string
	Field   string
}

func (e *Error) Error() string { return string(e.Code) + ": " + e.Message }

// Errorf returns an *Error with the given code and formatted message.
func Errorf(code Code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// Invalid returns an EINVALID error about one input field.
func Invalid(field, format string, args ...any) *Error {
	return &Error{Code: EINVALID, Field: field, Message: fmt.Sprintf(format, args...)}
}

// ErrorCode returns the code of the first *Error in err's chain, or EINTERNAL.
func ErrorCode(err error) Code {
	var e *Error
	if err == nil {
		return ""
	}
	if errors.As(err, &e) {
		return e.Code
	}
	return EINTERNAL
}

// ErrorMessage returns the caller-safe message of err: the *Error's message,
// or a generic text for internal errors (whose details belong in logs only).
func ErrorMessage(err error) string {
	var e *Error
	if errors.As(err, &e) {
		return e.Message
	}
	return "internal error"
}
