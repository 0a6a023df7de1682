package rules

import "testing"

// expr lets an unknown name through as an argument of a typed function;
// the rules file must still refuse it at load, where it is.
func TestCompileRefusesUnknownNames(t *testing.T) {
	tests := []struct {
		src       string
		line, col int
		msg       string
	}{
		{`mentions(txt, "invoice")`, 1, 9, "unknown name txt (did you mean text?)"},
		{"mentions(text,\n \"a\", nme)", 2, 6, "unknown name nme (did you mean now?)"},
		{`let y = 1; z > 0`, 1, 11, "unknown name z"},
		{`let x = 1; x > 0`, 0, 0, ""},
		{`any(tags, # == "a") && mentions(subject, "x")`, 0, 0, ""},
		{`customer.spnt > 1`, 1, 9, "customer has no field spnt (did you mean spent?)"},
	}
	for _, tt := range tests {
		_, e := compileCondition(tt.src)
		switch {
		case tt.msg == "" && e != nil:
			t.Errorf("%q: %+v, want it to compile", tt.src, e)
		case tt.msg != "" && (e == nil || e.Line != tt.line || e.Column != tt.col || e.Message != tt.msg):
			t.Errorf("%q: %+v, want %d:%d %s", tt.src, e, tt.line, tt.col, tt.msg)
		}
	}
}
