package woocommerce

import (
	"strings"
	"testing"
)

func TestNormaliseStoreURL(t *testing.T) {
	tests := []struct {
		in, want string
		wantErr  bool
	}{
		{"https://shop.example.com/", "shop.example.com", false},
		{"http://shop.example.com", "shop.example.com", false},
		{"https://www.Shop.Example.com/", "shop.example.com", false},
		{"shop.example.com", "shop.example.com", false},
		{"  https://shop.example.com//  ", "shop.example.com", false},
		{"https://shop.example.com:443/", "shop.example.com", false},
		{"https://shop.example.com:8443/", "shop.example.com:8443", false},
		{"https://example.com/Store/", "example.com/Store", false},
		{"http://127.0.0.1:53211/", "127.0.0.1:53211", false},
		{"https://shop.example.com./", "shop.example.com", false},
		{"HTTPS://WWW.EXAMPLE.COM", "example.com", false},
		{"", "", true},
		{"ftp://shop.example.com", "", true},
		{"https://user:pw@shop.example.com/", "", true},
		{"https://shop.example.com/?a=1", "", true},
		{"https://shop.example.com/#x", "", true},
		{"https://evil.io/<script>", "", true},
		{"https://shop..example.com", "", true},
		{"https://-shop.example.com", "", true},
		{"https://shop.example.com/../admin", "", true},
		{"https://" + strings.Repeat("a", 300) + ".com", "", true},
	}
	for _, tt := range tests {
		got, err := NormaliseStoreURL(tt.in)
		if (err != nil) != tt.wantErr || got != tt.want {
			t.Errorf("NormaliseStoreURL(%q) = %q, %v; want %q (error %v)", tt.in, got, err, tt.want, tt.wantErr)
		}
	}
}

func TestNewRequiresHTTPSExceptLoopback(t *testing.T) {
	tests := []struct {
		url     string
		wantErr bool
	}{
		{"https://shop.example.com", false},
		{"shop.example.com", false},
		{"http://shop.example.com", true},
		{"http://10.0.0.5", true},
		{"http://127.0.0.1:8080", false},
		{"http://localhost:8080", false},
		{"http://[::1]:8080", false},
	}
	for _, tt := range tests {
		_, err := New(tt.url, "ck_x", "cs_y", Options{})
		if (err != nil) != tt.wantErr {
			t.Errorf("New(%q) error = %v, want error %v", tt.url, err, tt.wantErr)
		}
	}
	if _, err := New("https://shop.example.com", "", "cs_y", Options{}); err == nil {
		t.Error("New without a consumer key succeeded")
	}
}

func TestAdminURLs(t *testing.T) {
	if got := AdminOrderURL("https://www.shop.example.com/", 1234); got != "https://www.shop.example.com/wp-admin/post.php?post=1234&action=edit" {
		t.Errorf("AdminOrderURL = %s", got)
	}
	if got := AdminCustomerURL("https://example.com/store", 7); got != "https://example.com/store/wp-admin/user-edit.php?user_id=7" {
		t.Errorf("AdminCustomerURL = %s", got)
	}
}
