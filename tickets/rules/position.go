package rules

import (
	"strings"
	"unicode/utf8"

	"go.yaml.in/yaml/v3"
)

// position turns a place in a scalar's value (line 1-based, column 0-based
// in characters, as expr reports them) into its line and column in the
// file. YAML may have folded the value from several lines (a plain
// scalar over two lines, a > block) or kept them (a | block), and quotes
// shift it right: so the value is matched back to the source lines it was
// read from. Where that fails (escapes in a quoted string) the result is
// the start of the scalar or of the last line that matched.
func (p *parser) position(n *yaml.Node, line, col int) (int, int) {
	v := n.Value
	off := 0
	for i := 1; i < line; i++ {
		j := strings.IndexByte(v[off:], '\n')
		if j < 0 {
			break
		}
		off += j + 1
	}
	off += byteAt(v[off:], col)
	l, c := n.Line, n.Column
	for _, s := range p.segments(n) {
		if s.off > off {
			break
		}
		l, c = s.line, s.col+utf8.RuneCountInString(v[s.off:off])
	}
	return l, c
}

// segment is a run of a scalar's value found verbatim on one source line:
// the value's bytes from off on are at line:col.
type segment struct{ off, line, col int }

func (p *parser) segments(n *yaml.Node) []segment {
	v := n.Value
	block := n.Style&(yaml.LiteralStyle|yaml.FoldedStyle) != 0
	quoted := n.Style&(yaml.SingleQuotedStyle|yaml.DoubleQuotedStyle) != 0
	var segs []segment
	pos := 0
	for ln := n.Line; ln <= len(p.lines) && pos < len(v); ln++ {
		src := p.lines[ln-1]
		from := 0
		if ln == n.Line {
			if block {
				continue // the | or > header
			}
			from = byteAt(src, n.Column-1)
			if quoted {
				from++
			}
		}
		content := strings.TrimLeft(src[min(from, len(src)):], " \t")
		if content == "" {
			continue
		}
		// Between two source lines the value holds a space or a newline.
		for pos < len(v) && (v[pos] == ' ' || v[pos] == '\n' || v[pos] == '\t') {
			pos++
		}
		k := 0
		for k < len(content) && pos+k < len(v) && content[k] == v[pos+k] {
			k++
		}
		if k == 0 {
			break
		}
		lead := len(src) - len(content)
		segs = append(segs, segment{off: pos, line: ln, col: utf8.RuneCountInString(src[:lead]) + 1})
		pos += k
	}
	return segs
}

// byteAt returns the byte offset of the col-th character (0-based) of s.
func byteAt(s string, col int) int {
	off := 0
	for k := 0; k < col && off < len(s); k++ {
		_, size := utf8.DecodeRuneInString(s[off:])
		off += size
	}
	return off
}
