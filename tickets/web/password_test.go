package web

import (
	"strings"
	"testing"
)

func TestPassword(t *testing.T) {
	h, err := HashPassword("correct horse")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(h, "$argon2id$v=19$m=65536,t=3,p=2$") {
		t.Fatalf("hash %q is not argon2id in PHC form", h)
	}
	for _, tc := range []struct {
		name, hash, password string
		ok                   bool
	}{
		{"right", h, "correct horse", true},
		{"wrong", h, "correct horsf", false},
		{"empty password", h, "", false},
		{"empty hash", "", "correct horse", false},
		{"bcrypt-looking", "$2a$10$abcdefghijklmnopqrstuv", "correct horse", false},
		{"tampered params", strings.Replace(h, "t=3", "t=1", 1), "correct horse", false},
		{"absurd memory", strings.Replace(h, "m=65536", "m=99999999", 1), "correct horse", false},
	} {
		if got := CheckPassword(tc.hash, tc.password); got != tc.ok {
			t.Errorf("%s: CheckPassword = %v, want %v", tc.name, got, tc.ok)
		}
	}
	h2, _ := HashPassword("correct horse")
	if h2 == h {
		t.Error("two hashes of one password are equal: no salt")
	}
}

func TestNewPassword(t *testing.T) {
	a, err := NewPassword()
	if err != nil {
		t.Fatal(err)
	}
	b, _ := NewPassword()
	if len(a) != 20 || a == b || strings.Trim(a, "abcdefghijklmnopqrstuvwxyz234567") != "" {
		t.Fatalf("passwords %q %q", a, b)
	}
}

func TestSafeNext(t *testing.T) {
	for in, want := range map[string]string{
		"":                     "/",
		"/tickets/T-1":         "/tickets/T-1",
		"//evil.example":       "/",
		"/\\evil.example":      "/",
		"https://evil.example": "/",
		"/?view=mine":          "/?view=mine",
	} {
		if got := safeNext(in); got != want {
			t.Errorf("safeNext(%q) = %q, want %q", in, got, want)
		}
	}
}
