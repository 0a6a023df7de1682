package zapier_test

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"hub/connectors/zapier"
	"hub/connectors/zapier/zapiertest"
)

func newClient(t *testing.T, allow string) *zapier.Client {
	t.Helper()
	a, err := zapier.ParseAllowlist(allow)
	if err != nil {
		t.Fatal(err)
	}
	return zapier.NewClient(a, 5*time.Second)
}

func TestPostAnswers(t *testing.T) {
	fake := zapiertest.NewServer()
	defer fake.Close()
	c := newClient(t, fake.Prefix())
	ctx := context.Background()

	fake.Script("dead", zapiertest.Reply{Status: http.StatusGone})
	fake.Script("down", zapiertest.Reply{Status: http.StatusServiceUnavailable})
	fake.Script("busy", zapiertest.Reply{Status: http.StatusTooManyRequests, Header: map[string]string{"Retry-After": "7"}})
	fake.Script("bad", zapiertest.Reply{Status: http.StatusBadRequest})
	fake.Script("portal", zapiertest.Reply{Status: http.StatusOK, Header: map[string]string{"Content-Type": "text/html"}, Body: "<html>login</html>"})

	res, err := c.Post(ctx, fake.HookURL("ok"), []byte(`{"id":"1"}`))
	if err != nil || res.Status != 200 || res.Unverified {
		t.Fatalf("ok: %+v %v", res, err)
	}
	if got := fake.Received("ok"); len(got) != 1 || string(got[0]) != `{"id":"1"}` {
		t.Errorf("ok hook received %q", got)
	}

	if _, err := c.Post(ctx, fake.HookURL("dead"), []byte(`{}`)); !errors.Is(err, zapier.ErrGone) {
		t.Errorf("410: %v, want ErrGone", err)
	}

	_, err = c.Post(ctx, fake.HookURL("down"), []byte(`{}`))
	var se *zapier.StatusError
	if !errors.As(err, &se) || se.Status != 503 || !se.Temporary() || se.RetryAfter() != 0 {
		t.Errorf("503: %v", err)
	}

	_, err = c.Post(ctx, fake.HookURL("busy"), []byte(`{}`))
	if !errors.As(err, &se) || se.Status != 429 || !se.Temporary() || se.RetryAfter() != 7*time.Second {
		t.Errorf("429: %v (%+v)", err, se)
	}

	_, err = c.Post(ctx, fake.HookURL("bad"), []byte(`{}`))
	if !errors.As(err, &se) || se.Temporary() {
		t.Errorf("400 should not be temporary: %v", err)
	}

	res, err = c.Post(ctx, fake.HookURL("portal"), []byte(`{}`))
	if err != nil || !res.Unverified {
		t.Errorf("HTML 200: %+v %v, want unverified", res, err)
	}
}

func TestPostNeverFollowsRedirects(t *testing.T) {
	fake := zapiertest.NewServer()
	defer fake.Close()
	c := newClient(t, fake.Prefix())
	fake.Script("moved", zapiertest.Reply{Status: http.StatusTemporaryRedirect, Location: fake.HookURL("elsewhere")})

	_, err := c.Post(context.Background(), fake.HookURL("moved"), []byte(`{"x":1}`))
	if !errors.Is(err, zapier.ErrRefused) {
		t.Fatalf("redirect: %v, want ErrRefused", err)
	}
	if got := fake.Received("elsewhere"); len(got) != 0 {
		t.Errorf("the redirect was followed: elsewhere received %q", got)
	}
}

func TestPostRefusesPrivateResolution(t *testing.T) {
	fake := zapiertest.NewServer()
	defer fake.Close()
	// The allowlist names "localhost", a name, not an address: what it
	// resolves to (loopback) is checked when connecting, and refused.
	port := fake.URL[strings.LastIndex(fake.URL, ":")+1:]
	c := newClient(t, "http://localhost:"+port+"/")
	target := "http://localhost:" + port + "/hooks/standard/1/x/"
	_, err := c.Post(context.Background(), target, []byte(`{}`))
	if !errors.Is(err, zapier.ErrRefused) {
		t.Fatalf("loopback by name: %v, want ErrRefused", err)
	}
	if strings.Contains(err.Error(), "/hooks/") {
		t.Errorf("the error shows the target URL (a secret): %v", err)
	}
	if got := fake.Received("x"); len(got) != 0 {
		t.Errorf("the private address was reached: %q", got)
	}
}

func TestPostRefusesTargetsOutsideTheAllowlist(t *testing.T) {
	fake := zapiertest.NewServer()
	defer fake.Close()
	c := newClient(t, "") // the default: hooks.zapier.com only
	_, err := c.Post(context.Background(), fake.HookURL("x"), []byte(`{}`))
	if !errors.Is(err, zapier.ErrRefused) {
		t.Fatalf("outside the allowlist: %v", err)
	}
	if got := fake.Received("x"); len(got) != 0 {
		t.Errorf("received %q", got)
	}
}

func TestPostNetworkErrorHidesTheURL(t *testing.T) {
	fake := zapiertest.NewServer()
	target := fake.HookURL("secret-token")
	c := newClient(t, fake.Prefix())
	fake.Close()
	_, err := c.Post(context.Background(), target, []byte(`{}`))
	if err == nil || errors.Is(err, zapier.ErrRefused) {
		t.Fatalf("closed server: %v", err)
	}
	if strings.Contains(err.Error(), "secret-token") {
		t.Errorf("error leaks the target URL: %v", err)
	}
}
