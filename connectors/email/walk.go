package email

import (
	"bufio"
	"encoding/base64"
	"io"
	"mime"
	"mime/quotedprintable"
	"strings"

	"github.com/emersion/go-message/textproto"
)

// walker collects the body texts, attachments and report parts of one
// message while descending its MIME tree.
type walker struct {
	msg    *Message
	budget int64 // attachment bytes still to keep
	parts  int

	plain, html []string
	reportType  string     // of the first multipart/report
	dsn         []dsnBlock // message/delivery-status fields
	origID      string     // Message-ID of a returned original
}

// entity handles one MIME entity (the message itself or a part).
func (w *walker) entity(h textproto.Header, body io.Reader, depth int) {
	w.parts++
	if depth > maxDepth || w.parts > maxParts {
		return
	}
	// ParseMediaType returns the type even when a parameter is malformed
	// (an unquoted file name with spaces, say); the parameters that matter
	// are then picked out by hand.
	ct, cd := h.Get("Content-Type"), h.Get("Content-Disposition")
	mediaType, params, err := mime.ParseMediaType(ct)
	if mediaType == "" {
		mediaType = "text/plain" // RFC 2045 §5.2
	}
	if err != nil {
		params = map[string]string{"charset": looseParam(ct, "charset"), "name": looseParam(ct, "name"),
			"boundary": looseParam(ct, "boundary")}
	}
	disp, dparams, err := mime.ParseMediaType(cd)
	if err != nil {
		dparams = map[string]string{"filename": looseParam(cd, "filename")}
	}
	filename := decodeHeader(firstNonEmpty(dparams["filename"], params["name"]))

	switch {
	case strings.HasPrefix(mediaType, "multipart/"):
		if mediaType == "multipart/report" && w.reportType == "" {
			w.reportType = strings.ToLower(params["report-type"])
		}
		w.multipart(body, params["boundary"], depth)
		return
	case mediaType == "message/delivery-status" || mediaType == "message/global-delivery-status":
		w.dsn = append(w.dsn, parseDSN(readAllCapped(decodeTransfer(h, body)))...)
		return
	case mediaType == "text/rfc822-headers":
		w.original(readAllCapped(decodeTransfer(h, body)))
		return
	case mediaType == "message/rfc822" && w.reportType != "":
		// The returned original inside a bounce: remember its id, keep it.
		b := readAllCapped(decodeTransfer(h, body))
		w.original(b)
		w.attach(h, "message/rfc822", firstNonEmpty(filename, "original.eml"), disp, b)
		return
	}

	isBody := disp != "attachment" && filename == ""
	if isBody && (mediaType == "text/plain" || mediaType == "text/html") {
		b := readAllCapped(decodeTransfer(h, body))
		if len(b) > maxTextBytes {
			b = b[:maxTextBytes]
		}
		text := decodeBytes(params["charset"], b)
		if mediaType == "text/html" {
			w.html = append(w.html, text)
			return
		}
		text = strings.ReplaceAll(text, "\r\n", "\n")
		if strings.EqualFold(params["format"], "flowed") {
			text = unflow(text, strings.EqualFold(params["delsp"], "yes"))
		}
		w.plain = append(w.plain, text)
		return
	}
	if mediaType == "message/rfc822" && filename == "" {
		filename = "forwarded.eml"
	}
	w.attach(h, mediaType, filename, disp, nil)
	if b := readAllCapped(decodeTransfer(h, body)); b != nil {
		w.fill(b)
	}
}

func (w *walker) multipart(body io.Reader, boundary string, depth int) {
	if boundary == "" {
		return
	}
	mr := textproto.NewMultipartReader(body, boundary)
	for {
		p, err := mr.NextPart()
		if err != nil {
			return // io.EOF, or a broken tail: keep what was read
		}
		w.entity(p.Header, p, depth+1)
		if w.parts > maxParts {
			return
		}
	}
}

// attach lists an attachment; its bytes come from fill (or b when known).
func (w *walker) attach(h textproto.Header, mediaType, filename, disp string, b []byte) {
	cid := strings.Trim(strings.TrimSpace(h.Get("Content-Id")), "<>")
	w.msg.Attachments = append(w.msg.Attachments, Attachment{
		Filename:    filename,
		ContentType: mediaType,
		ContentID:   cid,
		Inline:      disp == "inline" || (disp == "" && cid != ""),
	})
	if b != nil {
		w.fill(b)
	}
}

// fill gives the last attachment its bytes, within the budget.
func (w *walker) fill(b []byte) {
	a := &w.msg.Attachments[len(w.msg.Attachments)-1]
	a.Size = int64(len(b))
	if a.Size <= w.budget {
		a.Data = b
		w.budget -= a.Size
	} else {
		a.Omitted = true
	}
}

// original remembers the Message-ID of a returned message's header.
func (w *walker) original(b []byte) {
	if w.origID != "" {
		return
	}
	h, err := textproto.ReadHeader(bufio.NewReader(strings.NewReader(string(b))))
	if err == nil {
		w.origID = firstID(h.Get("Message-Id"))
	}
}

// decodeTransfer undoes Content-Transfer-Encoding. Unknown encodings are
// passed through: the bytes are still worth keeping.
func decodeTransfer(h textproto.Header, r io.Reader) io.Reader {
	switch strings.ToLower(strings.TrimSpace(h.Get("Content-Transfer-Encoding"))) {
	case "base64":
		return base64.NewDecoder(base64.StdEncoding, base64Filter{r})
	case "quoted-printable":
		return quotedprintable.NewReader(r)
	}
	return r
}

// base64Filter drops what is not base64 (line breaks, stray spaces), which
// the standard decoder would choke on.
type base64Filter struct{ r io.Reader }

func (f base64Filter) Read(p []byte) (int, error) {
	for {
		n, err := f.r.Read(p)
		j := 0
		for _, c := range p[:n] {
			if c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '+' || c == '/' || c == '=' {
				p[j] = c
				j++
			}
		}
		if j > 0 || err != nil {
			return j, err
		}
	}
}

// readAllCapped reads a part, keeping what decoded before an error (a
// truncated base64 tail, a bad quoted-printable escape).
func readAllCapped(r io.Reader) []byte {
	b, _ := io.ReadAll(io.LimitReader(r, maxTextBytes*8))
	return b
}

// looseParam digs a parameter out of a header value that mime rejects:
// name=value up to the next ';', quotes dropped.
func looseParam(v, name string) string {
	lower := strings.ToLower(v)
	i := 0
	for {
		j := strings.Index(lower[i:], name+"=")
		if j < 0 {
			return ""
		}
		i += j
		if i == 0 || strings.ContainsRune("; \t", rune(lower[i-1])) {
			break
		}
		i += len(name)
	}
	val := v[i+len(name)+1:]
	if k := strings.IndexByte(val, ';'); k >= 0 {
		val = val[:k]
	}
	return strings.Trim(strings.TrimSpace(val), `"'`)
}

func firstNonEmpty(vs ...string) string {
	for _, v := range vs {
		if v != "" {
			return v
		}
	}
	return ""
}
