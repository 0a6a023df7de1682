package email

import (
	"net/mail"
	"strings"
	"testing"
)

func TestTrimQuoted(t *testing.T) {
	tests := []struct{ name, in, want string }{
		{"nothing quoted", "Hello\nthere", "Hello\nthere"},
		{"gmail", "Thanks!\n\nOn Mon, 9 Mar 2026 at 17:02, Shop <s@x.example> wrote:\n> old", "Thanks!"},
		{"gmail wrapped attribution", "Thanks!\n\nOn Mon, 9 Mar 2026 at 17:02, Shop Support <\nsupport@shop.example> wrote:\n> old", "Thanks!"},
		{"outlook rule", "Yes please.\n\n________________________________\nFrom: Shop\nSent: Monday\nTo: Me\nSubject: Hi\n\nold", "Yes please."},
		{"outlook no rule", "Yes.\nFrom: Shop <s@x>\nSent: Monday, March 9, 2026\nTo: me\nSubject: RE: x\nold", "Yes."},
		{"outlook german", "Ja.\n\nVon: Shop\nGesendet: Montag\nAn: ich\nBetreff: Hallo\nalt", "Ja."},
		{"original message", "Ok.\n\n-----Original Message-----\nFrom: a\nold", "Ok."},
		{"android", "Ok.\n\n-------- Original message --------\nFrom: a\nold", "Ok."},
		{"german attribution", "Danke.\n\nAm 09.03.2026 um 17:02 schrieb Shop <s@x>:\n> alt", "Danke."},
		{"french attribution", "Merci.\n\nLe lun. 9 mars 2026 à 17:02, Shop <s@x> a écrit :\n> vieux", "Merci."},
		{"trailing > block", "Fine.\n\n> old line\n> another\n", "Fine."},
		{"interleaved keeps own lines", "> question one?\nanswer one\n> question two?\nanswer two", "> question one?\nanswer one\n> question two?\nanswer two"},
		{"bottom posted", "> old text\n> more\n\nmy answer", "> old text\n> more\n\nmy answer"},
		{"all quoted comes back whole", "> only\n> quotes", "> only\n> quotes"},
		{"a From: line alone is not a header block", "From: my point of view\nit is broken", "From: my point of view\nit is broken"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := trimQuoted(tt.in); got != tt.want {
				t.Errorf("got %q\nwant %q", got, tt.want)
			}
		})
	}
}

func TestUnflow(t *testing.T) {
	tests := []struct {
		name, in string
		delSp    bool
		want     string
	}{
		{"soft breaks join", "one \ntwo \nthree\nfour", false, "one two three\nfour"},
		{"delsp drops the joining space", "abc\ndef ghi \njkl", true, "abc\ndef ghijkl"},
		{"space-stuffing undone", " From here\n >not a quote", false, "From here\n>not a quote"},
		{"quote depth breaks a paragraph", "> a \n> b\n>> c", false, "> a b\n>> c"},
		{"signature separator is not flowed", "-- \nBob", false, "-- \nBob"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := unflow(tt.in, tt.delSp); got != tt.want {
				t.Errorf("got %q want %q", got, tt.want)
			}
		})
	}
}

func TestHTMLToText(t *testing.T) {
	tests := []struct{ name, in, full, cut string }{
		{"blocks and breaks", "<div>a<br>b</div><p>c</p>d", "a\nb\n\nc\n\nd", ""},
		{"entities and whitespace", "<p>  x&nbsp;&amp;\n  y </p>", "x & y", ""},
		{"script and style dropped", "<style>p{}</style><script>x()</script><p>ok</p>", "ok", ""},
		{"pre kept", "<pre>a  b\n c</pre>", "a  b\n c", ""},
		{"gmail quote", `<div>new</div><div class="gmail_quote"><div>On x wrote:</div><blockquote>old</blockquote></div>`, "new\nOn x wrote:\n\nold", "new"},
		{"apple cite", `<div>new</div><blockquote type="cite">old</blockquote>`, "new\n\nold", "new"},
		{"outlook", `<div>new</div><hr><div id="divRplyFwdMsg"><b>From:</b> x</div><div>old</div>`, "new\nFrom: x\nold", "new"},
		{"plain blockquote is content", `<p>He said:</p><blockquote>quote</blockquote>`, "He said:\n\nquote", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			full, cut := htmlToText(tt.in)
			if tt.cut == "" {
				tt.cut = tt.full
			}
			if full != tt.full || cut != tt.cut {
				t.Errorf("full %q cut %q\nwant %q %q", full, cut, tt.full, tt.cut)
			}
		})
	}
}

func TestClassify(t *testing.T) {
	tests := []struct {
		name, headers string
		want          Class
	}{
		{"plain human", "From: a@x.example\r\nSubject: help", ClassHuman},
		{"auto-submitted no is human", "From: a@x.example\r\nAuto-Submitted: no", ClassHuman},
		{"auto-submitted", "From: a@x.example\r\nAuto-Submitted: auto-replied", ClassAutoReply},
		{"x-autoreply", "From: a@x.example\r\nX-Autoreply: yes", ClassAutoReply},
		{"x-autorespond", "From: a@x.example\r\nX-Autorespond: vacation", ClassAutoReply},
		{"outlook suppress oof", "From: a@x.example\r\nX-Auto-Response-Suppress: DR, OOF", ClassAutoReply},
		{"outlook suppress rn only", "From: a@x.example\r\nX-Auto-Response-Suppress: RN, NRN", ClassHuman},
		{"precedence bulk", "From: a@x.example\r\nPrecedence: bulk", ClassList},
		{"precedence junk", "From: a@x.example\r\nPrecedence: junk", ClassList},
		{"precedence list", "From: a@x.example\r\nPrecedence: list", ClassList},
		{"list-id", "From: a@x.example\r\nList-Id: <l.x.example>", ClassList},
		{"mailer-daemon", "From: MAILER-DAEMON@mx.example\r\nSubject: failure notice", ClassBounce},
		{"postmaster undeliverable", "From: postmaster@contoso.example\r\nSubject: Undeliverable: hi", ClassBounce},
		{"postmaster human", "From: postmaster@contoso.example\r\nSubject: question", ClassHuman},
		{"null return path", "Return-Path: <>\r\nFrom: a@x.example", ClassBounce},
		{"null return path auto-reply", "Return-Path: <>\r\nFrom: a@x.example\r\nAuto-Submitted: auto-replied", ClassAutoReply},
		{"subject out of office", "From: a@x.example\r\nSubject: Out of Office: back Monday", ClassAutoReply},
		{"read receipt", "From: a@x.example\r\nContent-Type: multipart/report; report-type=disposition-notification; boundary=x", ClassAutoReply},
		{"dsn", "From: a@x.example\r\nContent-Type: multipart/report; report-type=delivery-status; boundary=x", ClassBounce},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m, err := Parse([]byte(tt.headers+"\r\n\r\nbody\r\n"), ParseOptions{})
			if err != nil {
				t.Fatal(err)
			}
			if m.Class != tt.want || (tt.want != ClassHuman) != (m.ClassReason != "") {
				t.Errorf("class %s (%s), want %s", m.Class, m.ClassReason, tt.want)
			}
		})
	}
}

func TestDecodeHeaderAndAddresses(t *testing.T) {
	tests := []struct{ in, want string }{
		{"=?UTF-8?B?w6lsw6h2ZQ==?=", "élève"},
		{"=?iso-8859-1?q?caf=E9?= ok", "café ok"},
		{"=?ISO-8859-15?Q?=A4uro?=", "€uro"},
		{"raw latin1 \xe9t\xe9", "raw latin1 été"},
		{"=?x-unknown?Q?abc?=", "abc"}, // unknown charset: the bytes, read as UTF-8
	}
	for _, tt := range tests {
		if got := decodeHeader(tt.in); got != tt.want {
			t.Errorf("decodeHeader(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
	got := addressList(`"Lee, Ann" <ann@x.example>, =?utf-8?q?Ren=C3=A9?= <rene@y.example>`)
	want := []mail.Address{{Name: "Lee, Ann", Address: "ann@x.example"}, {Name: "René", Address: "rene@y.example"}}
	if len(got) != 2 || got[0] != want[0] || got[1] != want[1] {
		t.Errorf("addressList %v", got)
	}
	if got := addressList(`broken <<ann@x.example>>; bob@y.example`); len(got) != 2 || got[1].Address != "bob@y.example" {
		t.Errorf("fallback %v", got)
	}
	if ids := msgIDs("<a@x> <b@y>\r\n <c@z>"); strings.Join(ids, " ") != "a@x b@y c@z" {
		t.Errorf("msgIDs %q", ids)
	}
	if ids := msgIDs("bare@id.example"); len(ids) != 1 || ids[0] != "bare@id.example" {
		t.Errorf("bare msgIDs %q", ids)
	}
}

func TestParseDSNBlocks(t *testing.T) {
	blocks := parseDSN([]byte("Reporting-MTA: dns; a\r\n\r\nFinal-Recipient: rfc822; x@y\r\nAction: failed\r\n\r\n\r\nFinal-Recipient: rfc822;<z@y>\r\nAction: delayed\r\n"))
	if len(blocks) != 3 {
		t.Fatalf("%d blocks", len(blocks))
	}
	w := &walker{dsn: blocks}
	b := w.bounce()
	if len(b.Recipients) != 2 || b.Recipients[1].Address != "z@y" || b.Recipients[1].Action != "delayed" {
		t.Errorf("%+v", b)
	}
}
