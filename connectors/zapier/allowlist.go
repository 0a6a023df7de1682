package zapier

import (
	"errors"
	"fmt"
	"net"
	"net/netip"
	"net/url"
	"strings"
)

// DefaultAllowlist is where Zapier's REST hook targets live.
const DefaultAllowlist = "https://hooks.zapier.com/"

// MaxTargetURL caps a target URL's length; Zapier's are about 60 bytes.
const MaxTargetURL = 2048

// ErrRefused marks a target the hub will not send to: outside the
// allowlist, resolving to a private address, or redirecting elsewhere.
var ErrRefused = errors.New("target refused")

// prefix is one parsed allowlist entry.
type prefix struct {
	scheme, host, port, path string
	raw                      string
}

// Allowlist is the set of URL prefixes a hook target may start with.
type Allowlist struct {
	prefixes []prefix
}

// ParseAllowlist reads a comma-separated list of absolute http(s) URL
// prefixes ("" means DefaultAllowlist).
func ParseAllowlist(s string) (Allowlist, error) {
	if strings.TrimSpace(s) == "" {
		s = DefaultAllowlist
	}
	var a Allowlist
	for _, raw := range strings.Split(s, ",") {
		raw = strings.TrimSpace(raw)
		if raw == "" {
			continue
		}
		u, err := url.Parse(raw)
		if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" || u.User != nil ||
			u.RawQuery != "" || u.Fragment != "" {
			return Allowlist{}, fmt.Errorf("zapier: allowlist entry %q is not an http(s) URL prefix", raw)
		}
		p := prefix{scheme: u.Scheme, host: strings.ToLower(u.Hostname()), port: portOf(u), path: u.EscapedPath(), raw: raw}
		if p.path == "" {
			p.path = "/"
		}
		a.prefixes = append(a.prefixes, p)
	}
	if len(a.prefixes) == 0 {
		return Allowlist{}, errors.New("zapier: the allowlist is empty")
	}
	return a, nil
}

// String lists the prefixes as configured.
func (a Allowlist) String() string {
	out := make([]string, len(a.prefixes))
	for i, p := range a.prefixes {
		out[i] = p.raw
	}
	return strings.Join(out, ",")
}

// Check reports whether a subscription may name rawURL, with an error whose
// message a Zapier user can act on. It cannot see where the host resolves
// to: Client checks that when it connects.
func (a Allowlist) Check(rawURL string) error {
	if len(rawURL) > MaxTargetURL {
		return fmt.Errorf("%w: target_url is longer than %d bytes", ErrRefused, MaxTargetURL)
	}
	u, err := url.Parse(rawURL)
	if err != nil || !u.IsAbs() || u.Host == "" || u.Opaque != "" {
		return fmt.Errorf("%w: target_url must be an absolute URL", ErrRefused)
	}
	if u.User != nil {
		return fmt.Errorf("%w: target_url must not contain a user name or password", ErrRefused)
	}
	if hasDotSegment(u.Path) {
		return fmt.Errorf("%w: target_url must not contain . or .. path segments", ErrRefused)
	}
	host, port, path := strings.ToLower(u.Hostname()), portOf(u), u.EscapedPath()
	for _, p := range a.prefixes {
		if u.Scheme == p.scheme && host == p.host && port == p.port && strings.HasPrefix(path, p.path) {
			return nil
		}
	}
	return fmt.Errorf("%w: target_url must start with %s (ZAPIER_HOOK_ALLOWLIST)", ErrRefused, strings.Join(a.rawList(), " or "))
}

func (a Allowlist) rawList() []string {
	out := make([]string, len(a.prefixes))
	for i, p := range a.prefixes {
		out[i] = p.raw
	}
	return out
}

// explicit reports whether the allowlist names host as an IP address: only
// then may it be a private or loopback one. A name (even "localhost") is
// checked after DNS like any other, since what it resolves to can change.
func (a Allowlist) explicit(host string) bool {
	if _, err := netip.ParseAddr(host); err != nil {
		return false
	}
	host = strings.ToLower(host)
	for _, p := range a.prefixes {
		if p.host == host {
			return true
		}
	}
	return false
}

func portOf(u *url.URL) string {
	if p := u.Port(); p != "" {
		return p
	}
	if u.Scheme == "http" {
		return "80"
	}
	return "443"
}

func hasDotSegment(p string) bool {
	for _, seg := range strings.Split(p, "/") {
		if seg == "." || seg == ".." {
			return true
		}
	}
	return false
}

// reserved are ranges the standard library's predicates do not cover but
// that are no place for a webhook: shared address space (carrier NAT),
// IETF protocol assignments, benchmarking, the old class E, and NAT64,
// which can reach any IPv4 address.
var reserved = []netip.Prefix{
	netip.MustParsePrefix("0.0.0.0/8"),
	netip.MustParsePrefix("100.64.0.0/10"),
	netip.MustParsePrefix("192.0.0.0/24"),
	netip.MustParsePrefix("198.18.0.0/15"),
	netip.MustParsePrefix("240.0.0.0/4"),
	netip.MustParsePrefix("64:ff9b::/96"),
	netip.MustParsePrefix("64:ff9b:1::/48"),
}

// publicAddr reports whether ip is a globally routable unicast address.
func publicAddr(ip netip.Addr) bool {
	ip = ip.Unmap()
	if !ip.IsValid() || ip.IsLoopback() || ip.IsPrivate() || ip.IsLinkLocalUnicast() || ip.IsLinkLocalMulticast() ||
		ip.IsInterfaceLocalMulticast() || ip.IsMulticast() || ip.IsUnspecified() {
		return false
	}
	for _, p := range reserved {
		if p.Contains(ip) {
			return false
		}
	}
	return true
}

// checkDial is the dialer's last word: the address a connection is about to
// be made to, after DNS, must be public unless the allowlist named the host.
func (a Allowlist) checkDial(host, address string) error {
	if a.explicit(host) {
		return nil
	}
	ipStr, _, err := net.SplitHostPort(address)
	if err != nil {
		return fmt.Errorf("%w: %v", ErrRefused, err)
	}
	ip, err := netip.ParseAddr(ipStr)
	if err != nil || !publicAddr(ip) {
		return fmt.Errorf("%w: %s resolves to a private, loopback or link-local address", ErrRefused, host)
	}
	return nil
}
