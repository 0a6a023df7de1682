package rules

import "testing"

func TestMentions(t *testing.T) {
	for _, tc := range []struct {
		text    string
		keyword string
		want    bool
	}{
		{"I want a refund", "refund", true},
		{"Refund please", "refund", true},
		{"I was REFUNDED twice", "refund", false},
		{"I was REFUNDED twice", "refund*", true},
		{"wholesale prices", "sale", false},
		{"a sale!", "sale", true},
		{"how do I apply the coupon", "app", false},
		{"the app crashes", "app", true},
		{"charged on my credit card", "credit card", true},
		{"charged on my credit cards", "credit card", false},
		{"Wo bleibt meine Rückerstattung?", "*erstattung", true},
		{"Wo bleibt meine Rückerstattung?", "erstattung", false},
		{"Die Rückerstattungen", "*erstattung*", true},
		{"où est ma commande ?", "où est ma commande", true},
		{"Paiement refusé", "paiement refusé", true},
		{"Mi envío no ha llegado", "envío*", true},
		{"x-refund-y", "refund", true},
		{"refund2", "refund", false},
		{"", "refund", false},
		{"anything", "", false},
		{"anything", "*", false},
		{"refund refunds", "refunds", true}, // a later occurrence counts when the first is not a word
		{"prefund refund", "refund", true},
	} {
		if got := mentions(tc.text, tc.keyword); got != tc.want {
			t.Errorf("mentions(%q, %q) = %v, want %v", tc.text, tc.keyword, got, tc.want)
		}
	}
	if !mentions("Ma facture", "invoice", "facture") || mentions("nothing here", "invoice", "facture") {
		t.Error("mentions with several keywords: want any of them to match")
	}
}

func TestText(t *testing.T) {
	if got, want := text("Payment  FAILED", "card\n\ndeclined", ""), "payment failed card declined"; got != want {
		t.Errorf("text() = %q, want %q", got, want)
	}
}
