package email

import (
	"strings"
	"testing"
)

func TestReplyAddresses(t *testing.T) {
	ra, err := NewReplyAddresses("Shop Support <Support@Shop.Example>", testKey)
	if err != nil {
		t.Fatal(err)
	}
	addr := ra.For(1042)
	if !strings.HasPrefix(addr, "support+t1042.") || !strings.HasSuffix(addr, "@shop.example") || len(addr) != len("support+t1042.")+16+len("@shop.example") {
		t.Fatalf("address %q", addr)
	}
	tok := strings.TrimSuffix(strings.TrimPrefix(addr, "support+t1042."), "@shop.example")
	other, _ := NewReplyAddresses("support@shop.example", []byte("another key, also 16+ bytes"))

	tests := []struct {
		name string
		in   []string
		want int64
	}{
		{"bare", []string{addr}, 1042},
		{"display name", []string{`"Shop" <` + addr + `>`}, 1042},
		{"upper-cased by a relay", []string{strings.ToUpper(addr)}, 1042},
		{"found among others", []string{"someone@else.example", "support@shop.example", addr}, 1042},
		{"forged token", []string{"support+t1042.aaaaaaaaaaaaaaaa@shop.example"}, 0},
		{"token of another ticket", []string{"support+t1043." + tok + "@shop.example"}, 0},
		{"token under another key", []string{other.For(1042)}, 0},
		{"other domain", []string{"support+t1042." + tok + "@evil.example"}, 0},
		{"other mailbox", []string{"sales+t1042." + tok + "@shop.example"}, 0},
		{"leading zero", []string{"support+t01042." + tok + "@shop.example"}, 0},
		{"no token", []string{"support+t1042@shop.example"}, 0},
		{"plain support", []string{"support@shop.example"}, 0},
		{"garbage", []string{"", "<>", "@", "support+@shop.example"}, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			n, ok := ra.Ticket(tt.in...)
			if n != tt.want || ok != (tt.want != 0) {
				t.Errorf("Ticket(%q) = %d %v, want %d", tt.in, n, ok, tt.want)
			}
		})
	}

	for addr, want := range map[string]bool{
		"support@shop.example": true, "SUPPORT@shop.example": true, "support+anything@shop.example": true,
		"Support <support+t1.x@shop.example>": true, "sales@shop.example": false,
		"support@shop.example.evil": false, "supportx@shop.example": false, "": false,
	} {
		if got := ra.Serves(addr); got != want {
			t.Errorf("Serves(%q) = %v", addr, got)
		}
	}

	if _, err := NewReplyAddresses("support@shop.example", []byte("short")); err == nil {
		t.Error("short key accepted")
	}
	if _, err := NewReplyAddresses("support+x@shop.example", testKey); err == nil {
		t.Error("tagged support address accepted")
	}
}

func TestSubjectTicket(t *testing.T) {
	tests := []struct {
		subject string
		want    int64
	}{
		{"Re: [T-1042] Damaged kettle", 1042},
		{"AW: SV: RE: Fwd: [t-7] x", 7},
		{"[ T-12 ]", 12},
		{"Order T-1042 question", 0}, // unbracketed: the customer's own words
		{"[T-]", 0},
		{"[T-0]", 0},
		{"[T-99999999999999999999]", 0},
		{"[#1001] order number", 0},
	}
	for _, tt := range tests {
		n, ok := SubjectTicket(tt.subject)
		if n != tt.want || ok != (tt.want != 0) {
			t.Errorf("SubjectTicket(%q) = %d %v", tt.subject, n, ok)
		}
	}
}
