package tickets

import "testing"

func TestNormaliseEmail(t *testing.T) {
	if got := NormaliseEmail("  Jane.Doe@Example.COM \n"); got != "jane.doe@example.com" {
		t.Errorf("got %q", got)
	}
}

func TestNormalisePhone(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"+49 (30) 123-4567", "+49301234567"},
		{"0049 30 1234567", "+49301234567"},
		{"030 1234567", "0301234567"},
		{"(555) 123-4567", "5551234567"},
		{"+1 555 123 4567 ext. 89", "+15551234567"},
		{"+1 555 123 4567 x89", "+15551234567"},
		{"tel:+44 20 7946 0958", "+442079460958"},
		{"Mobile: 0170 1234567", "01701234567"},
		{"12345", ""},
		{"123456", ""}, // fewer than 7 digits: an extension, a placeholder
		{"1234567", "1234567"},
		{"0000000000", ""}, // one repeated digit: a placeholder
		{"+1 111 111 1111", ""},
		{"+49 0000000", "+490000000"},
		{"+12345", ""},
		{"00 12345", ""}, // five digits once 00 became +
		{"", ""},
		{"n/a", ""},
	} {
		if got := NormalisePhone(tc.in); got != tc.want {
			t.Errorf("NormalisePhone(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func TestCustomerInputNormalised(t *testing.T) {
	in := CustomerInput{Email: " Jane@Example.com", Name: "  Jane   Doe ", Phone: "+1 (555) 123-4567", Store: " shopify:acme ", StoreCustomerID: " 42 "}
	want := CustomerInput{Email: "jane@example.com", Name: "Jane Doe", Phone: "+15551234567", Store: "shopify:acme", StoreCustomerID: "42"}
	if got := in.Normalised(); got != want {
		t.Errorf("Normalised() = %+v, want %+v", got, want)
	}
}
