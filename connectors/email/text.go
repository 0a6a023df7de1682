package email

import (
	"regexp"
	"strings"

	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"
)

// unflow undoes format=flowed (RFC 3676): a line ending in a space goes on
// in the next line of the same quote depth; a leading space was stuffed.
func unflow(text string, delSp bool) string {
	var out []string
	var cur strings.Builder
	depth, open := 0, false
	flush := func() {
		p := strings.Repeat(">", depth)
		if depth > 0 {
			p += " "
		}
		out = append(out, p+cur.String())
		cur.Reset()
		open = false
	}
	for _, line := range strings.Split(text, "\n") {
		d := 0
		for d < len(line) && line[d] == '>' {
			d++
		}
		content := strings.TrimPrefix(line[d:], " ")
		if open && d != depth {
			flush()
		}
		depth = d
		flowed := strings.HasSuffix(content, " ") && content != "-- "
		if flowed && delSp {
			content = content[:len(content)-1]
		}
		cur.WriteString(content)
		open = true
		if !flowed {
			flush()
		}
	}
	if open {
		flush()
	}
	return strings.Join(out, "\n")
}

// htmlToText makes an HTML body readable as plain text. cut is the same
// text up to the first quoted-history container that mail clients wrap
// earlier messages in (Gmail, Apple Mail, Outlook, Yahoo, Thunderbird).
func htmlToText(src string) (full, cut string) {
	z := html.NewTokenizer(strings.NewReader(src))
	var b strings.Builder
	skip, pre := 0, 0
	cutAt := -1
	nl := func(n int) { // end the line; n=2 leaves a blank line
		s := b.String()
		have := len(s) - len(strings.TrimRight(s, "\n"))
		if len(s) == 0 {
			return
		}
		for ; have < n; have++ {
			b.WriteByte('\n')
		}
	}
	for {
		switch z.Next() {
		case html.ErrorToken:
			full = tidy(b.String())
			if cutAt < 0 {
				return full, full
			}
			return full, tidy(b.String()[:cutAt])
		case html.TextToken:
			if skip > 0 {
				continue
			}
			t := string(z.Text())
			if pre == 0 {
				t = collapseSpace(t, b.Len() == 0 || strings.HasSuffix(b.String(), "\n") || strings.HasSuffix(b.String(), " "))
			}
			b.WriteString(t)
		case html.StartTagToken, html.SelfClosingTagToken:
			tok := z.Token()
			if cutAt < 0 && isQuoteContainer(tok) {
				cutAt = b.Len()
			}
			switch tok.DataAtom {
			case atom.Script, atom.Style, atom.Head, atom.Title:
				if tok.Type != html.SelfClosingTagToken {
					skip++
				}
			case atom.Br:
				b.WriteByte('\n')
			case atom.Pre:
				pre++
				nl(1)
			case atom.Li:
				nl(1)
				b.WriteString("- ")
			case atom.P, atom.H1, atom.H2, atom.H3, atom.H4, atom.H5, atom.H6, atom.Blockquote, atom.Table, atom.Ul, atom.Ol:
				nl(2)
			case atom.Div, atom.Tr, atom.Hr:
				nl(1)
			case atom.Td, atom.Th:
				if !strings.HasSuffix(b.String(), "\n") && b.Len() > 0 {
					b.WriteByte(' ')
				}
			}
		case html.EndTagToken:
			tok := z.Token()
			switch tok.DataAtom {
			case atom.Script, atom.Style, atom.Head, atom.Title:
				if skip > 0 {
					skip--
				}
			case atom.Pre:
				if pre > 0 {
					pre--
				}
				nl(1)
			case atom.P, atom.H1, atom.H2, atom.H3, atom.H4, atom.H5, atom.H6, atom.Blockquote, atom.Table, atom.Ul, atom.Ol:
				nl(2)
			case atom.Div, atom.Tr, atom.Li:
				nl(1)
			}
		}
	}
}

// isQuoteContainer recognises the elements clients put quoted history in.
func isQuoteContainer(t html.Token) bool {
	attr := func(k string) string {
		for _, a := range t.Attr {
			if a.Key == k {
				return a.Val
			}
		}
		return ""
	}
	class, id := " "+attr("class")+" ", attr("id")
	switch t.DataAtom {
	case atom.Blockquote:
		return attr("type") == "cite" || strings.Contains(class, " gmail_quote")
	case atom.Div:
		return strings.Contains(class, " gmail_quote ") || strings.Contains(class, " gmail_quote_container ") ||
			strings.Contains(class, " yahoo_quoted ") || strings.Contains(class, " moz-cite-prefix ") ||
			id == "divRplyFwdMsg" || id == "appendonsend" || id == "mail-editor-reference-message-container"
	case atom.Hr:
		return id == "stopSpelling"
	}
	return false
}

var spaceRun = regexp.MustCompile(`[ \t\r\n\f\x{00A0}]+`)

// collapseSpace folds HTML whitespace; at the start of a line or after a
// space the leading space is dropped.
func collapseSpace(t string, afterSpace bool) string {
	t = spaceRun.ReplaceAllString(t, " ")
	if afterSpace {
		t = strings.TrimLeft(t, " ")
	}
	return t
}

var blankRun = regexp.MustCompile(`\n{3,}`)

// tidy trims trailing spaces on every line and keeps at most one blank
// line in a row.
func tidy(s string) string {
	lines := strings.Split(s, "\n")
	for i, l := range lines {
		lines[i] = strings.TrimRight(l, " \t")
	}
	return strings.TrimSpace(blankRun.ReplaceAllString(strings.Join(lines, "\n"), "\n\n"))
}
