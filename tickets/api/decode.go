package api

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"mime"
	"net/http"
	"reflect"
	"strconv"
	"strings"

	"hub/tickets"
)

// maxBody caps a request body.
const maxBody = 1 << 20

// decode reads r's body as one JSON object into dst, strictly: unknown
// fields, wrong types, trailing data and bodies over maxBody are the caller's
// error, named as precisely as encoding/json allows.
func decode(w http.ResponseWriter, r *http.Request, dst any) error {
	if ct := r.Header.Get("Content-Type"); ct != "" {
		mt, _, err := mime.ParseMediaType(ct)
		if err != nil || (mt != "application/json" && !strings.HasSuffix(mt, "+json")) {
			return tickets.Errorf(codeUnsupportedMedia, "Content-Type must be application/json (got %q)", ct)
		}
	}
	raw, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxBody))
	if err != nil {
		if _, ok := errors.AsType[*http.MaxBytesError](err); ok {
			return tickets.Errorf(codeTooLarge, "request body is larger than %d bytes", maxBody)
		}
		// A body cut short or badly chunked is the sender's to fix.
		return tickets.Errorf(tickets.EINVALID, "could not read the request body: %v", err)
	}
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 {
		return tickets.Errorf(tickets.EINVALID, "request body is empty: send a JSON object")
	}
	if raw[0] != '{' {
		return tickets.Errorf(tickets.EINVALID, "request body must be a JSON object")
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	if err := dec.Decode(dst); err != nil {
		return decodeError(err, reflect.TypeOf(dst))
	}
	if _, err := dec.Token(); err != io.EOF {
		return tickets.Errorf(tickets.EINVALID, "request body must hold one JSON object and nothing after it")
	}
	if p := findNUL(reflect.ValueOf(dst), ""); p != "" {
		return tickets.Invalid(p, "%s must not contain NUL characters", p)
	}
	return nil
}

// decodeError turns encoding/json's errors into ones a caller can act on.
// dst is the type decoded into.
func decodeError(err error, dst reflect.Type) error {
	if e, ok := errors.AsType[*json.UnmarshalTypeError](err); ok {
		field := e.Field
		if field == "" {
			return tickets.Errorf(tickets.EINVALID, "request body must be a JSON object")
		}
		// e.Type is the element's type for a bad list element; name the
		// field's own type ("an array of strings").
		t := e.Type
		if ft := fieldType(dst, field); ft != nil {
			t = ft
		}
		return tickets.Invalid(field, "%s must be %s", field, jsonType(t))
	}
	if e, ok := errors.AsType[*json.SyntaxError](err); ok {
		return tickets.Errorf(tickets.EINVALID, "invalid JSON at byte %d: %s", e.Offset, e.Error())
	}
	if errors.Is(err, io.ErrUnexpectedEOF) {
		return tickets.Errorf(tickets.EINVALID, "invalid JSON: the body ends too early")
	}
	// encoding/json has no type for this one; its text is stable.
	if name, ok := strings.CutPrefix(err.Error(), "json: unknown field "); ok {
		if unq, err := strconv.Unquote(name); err == nil {
			name = unq
		}
		return tickets.Invalid(name, "unknown field %q", name)
	}
	return tickets.Errorf(tickets.EINVALID, "invalid JSON: %s", strings.TrimPrefix(err.Error(), "json: "))
}

// fieldType returns the type of the field at the dotted JSON path in t, or
// nil.
func fieldType(t reflect.Type, path string) reflect.Type {
	for name := range strings.SplitSeq(path, ".") {
		for t.Kind() == reflect.Pointer || t.Kind() == reflect.Slice {
			t = t.Elem()
		}
		if t.Kind() != reflect.Struct {
			return nil
		}
		found := false
		for i := range t.NumField() {
			f := t.Field(i)
			if tag, _, _ := strings.Cut(f.Tag.Get("json"), ","); tag == name {
				t, found = f.Type, true
				break
			}
		}
		if !found {
			return nil
		}
	}
	return t
}

// jsonType names the JSON type that decodes into t, with its article.
func jsonType(t reflect.Type) string {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if t == reflect.TypeFor[nullable]() {
		return "a string or null"
	}
	switch t.Kind() {
	case reflect.String:
		return "a string"
	case reflect.Bool:
		return "a boolean"
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return "an integer"
	case reflect.Float32, reflect.Float64:
		return "a number"
	case reflect.Slice, reflect.Array:
		return "an array of " + strings.TrimPrefix(strings.TrimPrefix(jsonType(t.Elem()), "a "), "an ") + "s"
	case reflect.Struct, reflect.Map:
		return "an object"
	}
	return "a " + t.Kind().String()
}

// idString is an id that callers send as a string or, because vendors show
// them as numbers (Shopify order ids), as an integer.
type idString string

func (s *idString) UnmarshalJSON(b []byte) error {
	if len(b) > 0 && b[0] == '"' {
		var v string
		if err := json.Unmarshal(b, &v); err != nil {
			return err
		}
		*s = idString(v)
		return nil
	}
	if string(b) == "null" {
		return nil
	}
	var n json.Number
	if err := json.Unmarshal(b, &n); err == nil {
		if _, err := strconv.ParseInt(n.String(), 10, 64); err == nil {
			*s = idString(n.String())
			return nil
		}
	}
	// The decoder adds the field's path to this error.
	return &json.UnmarshalTypeError{Value: "value " + string(b), Type: reflect.TypeFor[string]()}
}

// nullable is a string field of a PATCH body where null means something
// (clear it) and absence means leave it alone: Set tells them apart.
type nullable struct {
	Set   bool
	Value string // "" when null
}

// encoding/json calls UnmarshalJSON for a present field only, null included.
func (n *nullable) UnmarshalJSON(b []byte) error {
	n.Set = true
	if string(b) == "null" {
		n.Value = ""
		return nil
	}
	if err := json.Unmarshal(b, &n.Value); err != nil {
		// The decoder adds the field's path to this error.
		return &json.UnmarshalTypeError{Value: "value " + string(b), Type: reflect.TypeFor[string]()}
	}
	return nil
}

// findNUL returns the JSON path of the first string in v holding a NUL
// character, which Postgres text cannot store.
func findNUL(v reflect.Value, path string) string {
	switch v.Kind() {
	case reflect.Pointer, reflect.Interface:
		if !v.IsNil() {
			return findNUL(v.Elem(), path)
		}
	case reflect.String:
		if strings.IndexByte(v.String(), 0) >= 0 {
			return path
		}
	case reflect.Slice, reflect.Array:
		for i := range v.Len() {
			if p := findNUL(v.Index(i), path); p != "" {
				return p
			}
		}
	case reflect.Struct:
		if n, ok := v.Interface().(nullable); ok {
			if strings.IndexByte(n.Value, 0) >= 0 {
				return path
			}
			return ""
		}
		for i := range v.NumField() {
			f := v.Type().Field(i)
			name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
			if !f.IsExported() || name == "-" {
				continue
			}
			if name == "" {
				name = f.Name
			}
			if path != "" {
				name = path + "." + name
			}
			if p := findNUL(v.Field(i), name); p != "" {
				return p
			}
		}
	}
	return ""
}

// text checks a query or header value the way decode checks body strings.
func text(field, v string) (string, error) {
	if strings.IndexByte(v, 0) >= 0 {
		return "", tickets.Invalid(field, "%s must not contain NUL characters", field)
	}
	return strings.TrimSpace(v), nil
}
