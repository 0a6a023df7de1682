package email

import (
	"bytes"
	"io"
	"mime"
	"strings"
	"unicode/utf8"

	"github.com/emersion/go-message/charset"
	"golang.org/x/text/encoding/charmap"
	"golang.org/x/text/encoding/htmlindex"
	"golang.org/x/text/transform"
)

// decodeBytes turns text in the named charset into valid UTF-8.
//
// The WHATWG table (htmlindex) comes first because it maps labels the way
// mail clients actually use them: ISO-8859-1 and US-ASCII text carrying
// Windows-1252 curly quotes, GB2312 text using GBK characters. Labels it
// does not know go to go-message's IANA table. Text that claims UTF-8 or
// ASCII, or names a charset nobody knows, and is not valid UTF-8 is read as
// Windows-1252, the usual truth behind such mail.
func decodeBytes(label string, b []byte) string {
	label = strings.ToLower(strings.Trim(strings.TrimSpace(label), `"'`))
	switch label {
	case "", "utf-8", "utf8", "us-ascii", "ascii", "unicode-1-1-utf-8":
	default:
		if e, err := htmlindex.Get(label); err == nil && e != nil {
			if out, _, err := transform.Bytes(e.NewDecoder(), b); err == nil {
				return strings.ToValidUTF8(string(out), "\uFFFD")
			}
		} else if r, err := charset.Reader(label, bytes.NewReader(b)); err == nil {
			if out, err := io.ReadAll(r); err == nil {
				return strings.ToValidUTF8(string(out), "\uFFFD")
			}
		}
	}
	if utf8.Valid(b) {
		return string(b)
	}
	return windows1252(b)
}

func windows1252(b []byte) string {
	out, _, err := transform.Bytes(charmap.Windows1252.NewDecoder(), b)
	if err != nil {
		return strings.ToValidUTF8(string(b), "\uFFFD")
	}
	return string(out)
}

// wordDecoder decodes RFC 2047 encoded words in any charset decodeBytes
// knows.
var wordDecoder = &mime.WordDecoder{CharsetReader: func(label string, r io.Reader) (io.Reader, error) {
	b, err := io.ReadAll(r)
	if err != nil {
		return nil, err
	}
	return strings.NewReader(decodeBytes(label, b)), nil
}}

// decodeHeader decodes a header value: encoded words, and raw 8-bit bytes
// (illegal, common) read as UTF-8 or Windows-1252.
func decodeHeader(v string) string {
	v = latin1Fallback(v)
	if d, err := wordDecoder.DecodeHeader(v); err == nil {
		v = d
	}
	return strings.TrimSpace(v)
}

// latin1Fallback makes a raw header value valid UTF-8.
func latin1Fallback(v string) string {
	if utf8.ValidString(v) {
		return v
	}
	return windows1252([]byte(v))
}
