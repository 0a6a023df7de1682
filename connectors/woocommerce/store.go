package woocommerce

import (
	"fmt"
	"net"
	"net/url"
	"strings"
)

// NormaliseStoreURL reduces a store URL, as a person types it or as
// X-WC-Webhook-Source sends it (home_url('/'), e.g. "https://www.Shop.example.com/"),
// to the one name the hub files the store under: no scheme, lower-case host
// without "www.", no default port, no trailing slash ("shop.example.com", or
// "example.com/shop" for a WordPress in a subfolder).
//
// Anything that is not plainly a site URL (user info, a query, odd
// characters) is refused: the header is attacker-controlled until the
// signature has been checked with the secret it picks.
func NormaliseStoreURL(raw string) (string, error) {
	u, err := parseStoreURL(raw)
	if err != nil {
		return "", err
	}
	host := strings.TrimPrefix(strings.ToLower(u.Hostname()), "www.")
	if port := u.Port(); port != "" && !(u.Scheme == "https" && port == "443") && !(u.Scheme == "http" && port == "80") {
		host = net.JoinHostPort(host, port)
	} else if strings.Contains(host, ":") {
		host = "[" + host + "]" // an IPv6 literal keeps its brackets
	}
	return host + strings.TrimRight(u.EscapedPath(), "/"), nil
}

// parseStoreURL checks raw is a plain http(s) site URL; a URL without a
// scheme is taken as https.
func parseStoreURL(raw string) (*url.URL, error) {
	s := strings.TrimSpace(raw)
	if s == "" {
		return nil, fmt.Errorf("woocommerce: store URL is empty")
	}
	if len(s) > 300 {
		return nil, fmt.Errorf("woocommerce: store URL is too long")
	}
	if !strings.Contains(s, "://") {
		s = "https://" + s
	}
	u, err := url.Parse(s)
	if err != nil {
		return nil, fmt.Errorf("woocommerce: store URL %q is not a URL", raw)
	}
	u.Scheme = strings.ToLower(u.Scheme)
	switch {
	case u.Scheme != "https" && u.Scheme != "http":
		return nil, fmt.Errorf("woocommerce: store URL %q must be http(s)", raw)
	case u.User != nil, u.RawQuery != "", u.Fragment != "", u.Opaque != "":
		return nil, fmt.Errorf("woocommerce: store URL %q must be the site address only", raw)
	case !validHost(strings.TrimSuffix(u.Hostname(), ".")):
		return nil, fmt.Errorf("woocommerce: store URL %q has no valid host", raw)
	case !validPath(u.EscapedPath()):
		return nil, fmt.Errorf("woocommerce: store URL %q has an unexpected path", raw)
	}
	u.Host = strings.TrimSuffix(u.Hostname(), ".") + portSuffix(u)
	return u, nil
}

func portSuffix(u *url.URL) string {
	if p := u.Port(); p != "" {
		return ":" + p
	}
	return ""
}

func validHost(h string) bool {
	if h == "" || len(h) > 253 {
		return false
	}
	if ip := net.ParseIP(h); ip != nil {
		return true
	}
	for _, label := range strings.Split(h, ".") {
		if label == "" || len(label) > 63 || label[0] == '-' || label[len(label)-1] == '-' {
			return false
		}
		for _, r := range label {
			if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-') {
				return false
			}
		}
	}
	return true
}

func validPath(p string) bool {
	p = strings.TrimRight(p, "/")
	if strings.Contains(p, "..") || strings.Contains(p, "//") {
		return false
	}
	for _, r := range p {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || strings.ContainsRune("/-._~", r)) {
			return false
		}
	}
	return true
}

// isLoopback reports whether host (without port) is this machine: the only
// place a store may be reached over plain HTTP (tests and the demo), since
// Basic auth over HTTP would hand the consumer secret to the network.
func isLoopback(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// AdminOrderURL is the order's page in the store's admin. The classic
// post.php address also works on stores using HPOS, which redirect it.
func AdminOrderURL(storeURL string, id int64) string {
	u, err := parseStoreURL(storeURL)
	if err != nil {
		return ""
	}
	return fmt.Sprintf("%s://%s%s/wp-admin/post.php?post=%d&action=edit", u.Scheme, u.Host, strings.TrimRight(u.EscapedPath(), "/"), id)
}

// AdminCustomerURL is the customer's user profile in the store's admin.
func AdminCustomerURL(storeURL string, id int64) string {
	u, err := parseStoreURL(storeURL)
	if err != nil || id <= 0 {
		return ""
	}
	return fmt.Sprintf("%s://%s%s/wp-admin/user-edit.php?user_id=%d", u.Scheme, u.Host, strings.TrimRight(u.EscapedPath(), "/"), id)
}
