package woocommerce

import "testing"

func TestVerifySignature(t *testing.T) {
	body := []byte(`{"id":123,"status":"processing"}`)
	tests := []struct {
		name, secret, sig string
		want              bool
	}{
		// PROTOCOLS.md §2.7, recomputed with openssl.
		{"plain secret", "whsec_test_123", "B9hlg31/1rziGTxezLgnXEkQy5XcblePKxsvn+lSTME=", true},
		{"secret with & < > as entered", "a&b<c>", "boze/OHDNGoOui6uMVwGtcHsp4euXbg41ri6+oj8Vsw=", true},
		{"signed with the HTML-escaped secret", "a&b<c>", "uIWgcwq33OHPn7fjKSGxTpRapYrSkmPkjb/sMXq5XCI=", false},
		{"whitespace around the header", "whsec_test_123", "  B9hlg31/1rziGTxezLgnXEkQy5XcblePKxsvn+lSTME=\t", true},
		{"another store's secret", "whsec_other", "B9hlg31/1rziGTxezLgnXEkQy5XcblePKxsvn+lSTME=", false},
		{"empty secret never verifies", "", Sign("", body), false},
		{"empty signature", "whsec_test_123", "", false},
		{"not base64", "whsec_test_123", "not-base64!!", false},
		{"sha256= prefix", "whsec_test_123", "sha256=B9hlg31/1rziGTxezLgnXEkQy5XcblePKxsvn+lSTME=", false},
		{"hex instead of base64", "whsec_test_123", "07d865837f7fd6bce2193c5eccb8275c4910e795c96e578f2b1b2f9fe95244c1", false},
		{"truncated MAC", "whsec_test_123", "B9hlg31/1rziGTxezLgnXEkQy5XcblePKxsvn+lS", false},
		{"right length, wrong value", "whsec_test_123", "A9hlg31/1rziGTxezLgnXEkQy5XcblePKxsvn+lSTME=", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Verify(tt.secret, body, tt.sig); got != tt.want {
				t.Errorf("Verify = %v, want %v", got, tt.want)
			}
		})
	}
	if got := Sign("a&b<c>", body); got != "boze/OHDNGoOui6uMVwGtcHsp4euXbg41ri6+oj8Vsw=" {
		t.Errorf("Sign = %s", got)
	}
	// Equivalent JSON is not the same body.
	if Verify("whsec_test_123", []byte(`{"id": 123, "status": "processing"}`), "B9hlg31/1rziGTxezLgnXEkQy5XcblePKxsvn+lSTME=") {
		t.Error("a re-serialised body verified")
	}
}

func TestIsPing(t *testing.T) {
	tests := []struct {
		body string
		want bool
	}{
		{"webhook_id=42", true},
		{"webhook_id=1", true},
		{"webhook_id=", false},
		{"webhook_id=42&x=1", false},
		{"webhook_id=42\n", false},
		{"webhook_id=abc", false},
		{`{"webhook_id":42}`, false},
		{"", false},
	}
	for _, tt := range tests {
		if got := IsPing([]byte(tt.body)); got != tt.want {
			t.Errorf("IsPing(%q) = %v, want %v", tt.body, got, tt.want)
		}
	}
}
