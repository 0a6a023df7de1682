package shopifytest

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"hub/connectors/shopify"
)

// authorize plays the merchant clicking "Install": it sends the browser
// back to redirect_uri with a code, signed as Shopify signs it.
func (s *Server) authorize(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	domain := shopOf(r)
	if q.Get("client_id") != s.apiKey || !shopify.ValidShop(domain) {
		http.Error(w, "unknown app or shop", http.StatusBadRequest)
		return
	}
	redirect, err := url.Parse(q.Get("redirect_uri"))
	if err != nil || redirect.Host == "" {
		http.Error(w, "bad redirect_uri", http.StatusBadRequest)
		return
	}
	code := randomToken("code_")
	s.mu.Lock()
	s.codes[code] = domain
	s.ensureShop(domain)
	s.mu.Unlock()
	back := url.Values{
		"code":      {code},
		"host":      {"YWRtaW4uc2hvcGlmeS5jb20vc3RvcmUv"},
		"shop":      {domain},
		"state":     {q.Get("state")},
		"timestamp": {strconv.FormatInt(time.Now().Unix(), 10)},
	}
	shopify.SignQuery(back, s.apiSecret)
	redirect.RawQuery = back.Encode()
	http.Redirect(w, r, redirect.String(), http.StatusFound)
}

// accessToken is POST /admin/oauth/access_token: a code exchange or a
// refresh, answered as Shopify does for expiring offline tokens.
func (s *Server) accessToken(w http.ResponseWriter, r *http.Request) {
	if err := r.ParseForm(); err != nil {
		writeJSON(w, http.StatusBadRequest, map[string]string{"error": "invalid_request"})
		return
	}
	if r.PostForm.Get("client_id") != s.apiKey || r.PostForm.Get("client_secret") != s.apiSecret {
		writeJSON(w, http.StatusUnauthorized, map[string]string{"error": "invalid_client"})
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	domain := shopOf(r)
	switch {
	case r.PostForm.Get("grant_type") == "refresh_token":
		rt := r.PostForm.Get("refresh_token")
		if s.refreshes[rt] != domain {
			writeJSON(w, http.StatusBadRequest, map[string]string{"error": "invalid_grant"})
			return
		}
		delete(s.refreshes, rt) // refresh tokens rotate
		s.refreshed++
	case r.PostForm.Get("code") != "":
		code := r.PostForm.Get("code")
		if s.codes[code] != domain {
			writeJSON(w, http.StatusBadRequest, map[string]string{"error": "invalid_grant"})
			return
		}
		delete(s.codes, code)
	default:
		writeJSON(w, http.StatusBadRequest, map[string]string{"error": "invalid_request"})
		return
	}
	access, refresh := randomToken("shpat_"), randomToken("shprt_")
	s.tokens[access] = tokenInfo{shop: domain, expires: s.now().Add(s.ttl)}
	s.refreshes[refresh] = domain
	writeJSON(w, http.StatusOK, map[string]any{
		"access_token": access, "scope": "read_orders,read_all_orders,read_customers",
		"expires_in": int(s.ttl / time.Second), "refresh_token": refresh, "refresh_token_expires_in": 7776000,
	})
}

// shopOf is the shop a request is for: Shopify knows it by host name; a
// fake on one address is told by the shop parameter or the header the
// connector adds.
func shopOf(r *http.Request) string {
	if s := r.URL.Query().Get("shop"); s != "" {
		return s
	}
	if s := r.Header.Get("X-Shopify-Shop-Domain"); s != "" {
		return s
	}
	host, _, _ := strings.Cut(r.Host, ":")
	return host
}
