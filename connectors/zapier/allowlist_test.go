package zapier

import (
	"errors"
	"net/netip"
	"testing"
)

func TestAllowlistCheck(t *testing.T) {
	def, err := ParseAllowlist("")
	if err != nil {
		t.Fatal(err)
	}
	local, err := ParseAllowlist("https://hooks.zapier.com/hooks/, http://127.0.0.1:8999/")
	if err != nil {
		t.Fatal(err)
	}
	long := "https://hooks.zapier.com/hooks/standard/"
	for len(long) <= MaxTargetURL {
		long += "aaaaaaaaaa"
	}
	for _, tc := range []struct {
		name  string
		allow Allowlist
		url   string
		ok    bool
	}{
		{"zapier hook", def, "https://hooks.zapier.com/hooks/standard/123/abc/", true},
		{"host case", def, "https://HOOKS.zapier.com/hooks/standard/1/", true},
		{"explicit default port", def, "https://hooks.zapier.com:443/hooks/standard/1/", true},
		{"plain http", def, "http://hooks.zapier.com/hooks/standard/1/", false},
		{"other port", def, "https://hooks.zapier.com:8443/hooks/standard/1/", false},
		{"other host", def, "https://evil.example/hooks/standard/1/", false},
		{"suffix host", def, "https://hooks.zapier.com.evil.io/hooks/", false},
		{"host as path", def, "https://evil.io/hooks.zapier.com/", false},
		{"userinfo trick", def, "https://hooks.zapier.com@evil.io/", false},
		{"userinfo", def, "https://user:pw@hooks.zapier.com/hooks/", false},
		{"trailing dot", def, "https://hooks.zapier.com./hooks/", false},
		{"ip literal", def, "https://169.254.169.254/latest/meta-data/", false},
		{"localhost", def, "http://localhost/", false},
		{"relative", def, "/hooks/standard/1/", false},
		{"not a url", def, "hooks.zapier.com/hooks", false},
		{"empty", def, "", false},
		{"overlong", def, long, false},
		{"path prefix", local, "https://hooks.zapier.com/hooks/standard/1/", true},
		{"outside path prefix", local, "https://hooks.zapier.com/admin/", false},
		{"dot segments", local, "https://hooks.zapier.com/hooks/../admin/", false},
		{"named loopback", local, "http://127.0.0.1:8999/hooks/standard/1/", true},
		{"named loopback other port", local, "http://127.0.0.1:9000/hooks/", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.allow.Check(tc.url)
			if (err == nil) != tc.ok {
				t.Fatalf("Check(%q) = %v, want ok=%v", tc.url, err, tc.ok)
			}
			if err != nil && !errors.Is(err, ErrRefused) {
				t.Errorf("error %v is not ErrRefused", err)
			}
		})
	}
}

func TestParseAllowlistRefusesNonPrefixes(t *testing.T) {
	for _, bad := range []string{"hooks.zapier.com", "ftp://x/", "https://u@x/", "https://x/?a=1", " , "} {
		if _, err := ParseAllowlist(bad); err == nil {
			t.Errorf("ParseAllowlist(%q): want an error", bad)
		}
	}
}

func TestPublicAddr(t *testing.T) {
	for _, tc := range []struct {
		ip     string
		public bool
	}{
		{"52.1.2.3", true},
		{"2600:1f18::1", true},
		{"127.0.0.1", false},
		{"::1", false},
		{"10.1.2.3", false},
		{"172.16.0.1", false},
		{"192.168.1.1", false},
		{"169.254.169.254", false},
		{"fe80::1", false},
		{"fc00::1", false},
		{"0.0.0.0", false},
		{"::", false},
		{"100.64.0.1", false},
		{"::ffff:10.0.0.1", false},
		{"::ffff:127.0.0.1", false},
		{"64:ff9b::a00:1", false},
		{"224.0.0.1", false},
		{"198.18.0.1", false},
		{"255.255.255.255", false},
	} {
		if got := publicAddr(netip.MustParseAddr(tc.ip)); got != tc.public {
			t.Errorf("publicAddr(%s) = %v, want %v", tc.ip, got, tc.public)
		}
	}
}

func TestCheckDialHonoursExplicitAddresses(t *testing.T) {
	a, err := ParseAllowlist("https://hooks.zapier.com/,http://127.0.0.1:8999/")
	if err != nil {
		t.Fatal(err)
	}
	if err := a.checkDial("127.0.0.1", "127.0.0.1:8999"); err != nil {
		t.Errorf("an address the allowlist names: %v", err)
	}
	// DNS rebinding: the allowed name now points inside.
	if err := a.checkDial("hooks.zapier.com", "10.0.0.7:443"); !errors.Is(err, ErrRefused) {
		t.Errorf("allowed name resolving to a private address: %v", err)
	}
	if err := a.checkDial("hooks.zapier.com", "[::1]:443"); !errors.Is(err, ErrRefused) {
		t.Errorf("allowed name resolving to loopback: %v", err)
	}
	if err := a.checkDial("hooks.zapier.com", "54.1.2.3:443"); err != nil {
		t.Errorf("public address: %v", err)
	}
}
