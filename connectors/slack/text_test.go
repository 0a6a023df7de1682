package slack

import (
	"strings"
	"testing"
	"unicode/utf8"
)

func TestEscape(t *testing.T) {
	tests := []struct{ in, want string }{
		{"hello", "hello"},
		{"<!channel> look", "&lt;!channel&gt; look"},
		{"<!here|here>", "&lt;!here|here&gt;"},
		{"hi <@U123>", "hi &lt;@U123&gt;"},
		{"<https://evil.example|Click me>", "&lt;https://evil.example|Click me&gt;"},
		{"Tom & Jerry", "Tom &amp; Jerry"},
		{"already &lt;escaped&gt;", "already &amp;lt;escaped&amp;gt;"},
		{"bell\a and nul\x00 gone", "bell and nul gone"},
		{"line\u2028sep", "line\nsep"},
		{"tab\tand\nnewline", "tab\tand\nnewline"},
		{"bad \xff utf8", "bad  utf8"},
	}
	for _, tt := range tests {
		if got := Escape(tt.in); got != tt.want {
			t.Errorf("Escape(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestEscapeCutNeverSplitsAnEscapeOrARune(t *testing.T) {
	for _, in := range []string{
		strings.Repeat("<", 1000),
		strings.Repeat("é&", 700),
		strings.Repeat("日本語", 500),
		strings.Repeat("a", 5000),
	} {
		for _, limit := range []int{10, 151, 2000, 3000} {
			got := EscapeCut(in, limit)
			if len(got) > limit {
				t.Errorf("EscapeCut(%.10q…, %d) is %d bytes", in, limit, len(got))
			}
			if !utf8.ValidString(got) {
				t.Errorf("EscapeCut(%.10q…, %d) is not valid UTF-8", in, limit)
			}
			trimmed := strings.TrimSuffix(got, "…")
			if i := strings.LastIndexByte(trimmed, '&'); i >= 0 && !strings.Contains(trimmed[i:], ";") {
				t.Errorf("EscapeCut(%.10q…, %d) ends inside an escape: %q", in, limit, got[max(0, len(got)-12):])
			}
			if strings.ContainsAny(got, "<>") {
				t.Errorf("EscapeCut left a raw < or >")
			}
		}
	}
	if got := EscapeCut("short", 100); got != "short" {
		t.Errorf("EscapeCut(short) = %q", got)
	}
}

func TestPlain(t *testing.T) {
	if got := Plain("  Where\nis\tmy   order?\x07 ", 150); got != "Where is my order?" {
		t.Errorf("Plain = %q", got)
	}
	long := strings.Repeat("x", 200)
	if got := Plain(long, 150); utf8.RuneCountInString(got) != 150 || !strings.HasSuffix(got, "…") {
		t.Errorf("Plain(long) has %d runes", utf8.RuneCountInString(got))
	}
}

func TestLink(t *testing.T) {
	tests := []struct{ url, label, want string }{
		{"https://shop.example/admin/orders/1", "#1001", "<https://shop.example/admin/orders/1|#1001>"},
		{"https://t.example/track?a=1&b=2", "UPS 1Z", "UPS 1Z"}, // & would need escaping inside the link
		{"javascript:alert(1)", "x", "x"},
		{"https://evil.example|Click", "ok", "ok"},
		{"https://evil.example>more", "ok", "ok"},
		{"", "<b>", "&lt;b&gt;"},
		{"https://ok.example/", "<!channel>", "<https://ok.example/|&lt;!channel&gt;>"},
	}
	for _, tt := range tests {
		if got := Link(tt.url, tt.label); got != tt.want {
			t.Errorf("Link(%q, %q) = %q, want %q", tt.url, tt.label, got, tt.want)
		}
	}
}

func TestUnescape(t *testing.T) {
	tests := []struct{ in, want string }{
		{"plain", "plain"},
		{"a &amp; b &lt;3 &gt;", "a & b <3 >"},
		{"&amp;lt;", "&lt;"},
		{"ping <@U123> and <@U456|sam>", "ping @U123 and @sam"},
		{"see <#C123|general>", "see #general"},
		{"<!here> <!channel> <!subteam^S123|@support>", "@here @channel @support"},
		{"go to <https://example.com|the site>", "go to the site (https://example.com)"},
		{"<https://example.com>", "https://example.com"},
		{"<mailto:ada@example.com|ada@example.com>", "ada@example.com"},
	}
	for _, tt := range tests {
		if got := Unescape(tt.in); got != tt.want {
			t.Errorf("Unescape(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}
