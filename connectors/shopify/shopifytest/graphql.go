package shopifytest

import (
	"encoding/json"
	"net/http"
	"regexp"
	"strconv"
	"strings"

	"hub/connectors/shopify/querycost"
)

var (
	searchTerm = regexp.MustCompile(`(\w+):("(?:[^"\\]|\\.)*"|\S+)`)
)

func (s *Server) graphql(w http.ResponseWriter, r *http.Request) {
	var req struct {
		Query     string         `json:"query"`
		Variables map[string]any `json:"variables"`
	}
	if err := json.NewDecoder(r.Body).Decode(&req); err != nil {
		writeJSON(w, http.StatusBadRequest, map[string]any{"errors": "Bad Request"})
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	info, ok := s.tokens[r.Header.Get("X-Shopify-Access-Token")]
	if !ok || info.shop != shopOf(r) || (!info.expires.IsZero() && s.now().After(info.expires)) {
		writeJSON(w, http.StatusUnauthorized, map[string]any{
			"errors": "[API] Invalid API key or access token (unrecognized login or wrong password)"})
		return
	}
	if s.tooMany > 0 {
		s.tooMany--
		w.Header().Set("Retry-After", s.retryHdr)
		writeJSON(w, http.StatusTooManyRequests, map[string]any{"errors": "Exceeded 2 calls per second for api client. Reduce request rates to resume uninterrupted service."})
		return
	}
	if s.now().Before(s.failUntil) {
		s.refused[strconv.Itoa(s.failStatus)]++
		writeJSON(w, s.failStatus, map[string]any{"errors": http.StatusText(s.failStatus)})
		return
	}
	c, err := querycost.Requested(req.Query, req.Variables)
	if err != nil {
		writeJSON(w, http.StatusOK, map[string]any{"errors": []any{map[string]any{"message": err.Error()}}})
		return
	}
	sh := s.ensureShop(info.shop)
	ext, ok := s.admit(w, sh, c)
	if !ok {
		return
	}
	s.calls[c.Operation]++
	data, errs := s.answer(sh, c.Operation, req.Variables)
	out := map[string]any{"data": data, "extensions": ext}
	if len(errs) > 0 {
		out["errors"] = errs
	}
	writeJSON(w, http.StatusOK, out)
}

func (s *Server) answer(sh *shop, op string, vars map[string]any) (map[string]any, []any) {
	str := func(k string) string { v, _ := vars[k].(string); return v }
	switch op {
	case "HubOrder":
		id := numeric(str("id"))
		if sh.denied[id] {
			return map[string]any{"order": nil}, []any{accessDenied("order")}
		}
		for _, o := range sh.orders {
			if numeric(field(o, "id")) == id {
				return map[string]any{"order": o}, nil
			}
		}
		return map[string]any{"order": nil}, nil
	case "HubOrderSearch":
		nodes := []any{}
		for _, o := range sh.orders {
			if matches(str("query"), func(k, v string) bool { return orderHas(o, k, v) }) {
				nodes = append(nodes, map[string]any{"id": field(o, "id"), "name": field(o, "name")})
			}
		}
		if n, ok := vars["first"].(float64); ok && len(nodes) > int(n) {
			nodes = nodes[:int(n)]
		}
		return map[string]any{"orders": map[string]any{"nodes": nodes}}, nil
	case "HubCustomers":
		var nodes []json.RawMessage
		for _, c := range sh.customers {
			if matches(str("query"), func(k, v string) bool { return customerHas(c, k, v) }) {
				nodes = append(nodes, c)
			}
		}
		return map[string]any{"customers": map[string]any{"nodes": orEmpty(nodes)}}, nil
	case "HubWebhooks":
		return map[string]any{"webhookSubscriptions": map[string]any{"nodes": append([]subscription{}, sh.webhooks...)}}, nil
	case "HubSubscribe":
		sub, _ := vars["sub"].(map[string]any)
		uri, _ := sub["uri"].(string)
		for _, w := range sh.webhooks {
			if w.Topic == str("topic") && w.URI == uri {
				return map[string]any{"webhookSubscriptionCreate": map[string]any{"webhookSubscription": nil,
					"userErrors": []any{map[string]any{"field": []string{"webhookSubscription", "callbackUrl"}, "message": "Address for this topic has already been taken"}}}}, nil
			}
		}
		if msg := sh.refuse[str("topic")]; msg != "" {
			return map[string]any{"webhookSubscriptionCreate": map[string]any{"webhookSubscription": nil,
				"userErrors": []any{map[string]any{"field": []string{"webhookSubscription", "callbackUrl"}, "message": msg}}}}, nil
		}
		sh.nextID++
		id := "gid://shopify/WebhookSubscription/" + strconv.Itoa(sh.nextID)
		sh.webhooks = append(sh.webhooks, subscription{ID: id, Topic: str("topic"), URI: uri})
		return map[string]any{"webhookSubscriptionCreate": map[string]any{"webhookSubscription": map[string]any{"id": id}, "userErrors": []any{}}}, nil
	}
	return nil, []any{map[string]any{"message": "Field '" + op + "' doesn't exist on type 'QueryRoot'"}}
}

func accessDenied(f string) map[string]any {
	return map[string]any{
		"message":    "Access denied for " + f + " field. Required access: `read_orders` access scope. Also: `read_all_orders` for orders older than 60 days.",
		"extensions": map[string]any{"code": "ACCESS_DENIED", "documentation": "https://shopify.dev/api/usage/access-scopes"},
		"path":       []string{f},
	}
}

// matches evaluates the subset of Shopify's search syntax the connector
// sends: terms joined with OR, each field:value or field:"value".
func matches(query string, has func(field, value string) bool) bool {
	for _, alt := range strings.Split(query, " OR ") {
		ok := true
		terms := searchTerm.FindAllStringSubmatch(alt, -1)
		for _, t := range terms {
			v := t[2]
			if u, err := strconv.Unquote(v); err == nil {
				v = u
			}
			if !has(t[1], v) {
				ok = false
			}
		}
		if ok && len(terms) > 0 {
			return true
		}
	}
	return false
}

func orderHas(o json.RawMessage, k, v string) bool {
	switch k {
	case "name":
		return strings.TrimPrefix(field(o, "name"), "#") == strings.TrimPrefix(v, "#")
	case "email":
		return strings.EqualFold(field(o, "email"), v)
	case "customer_id":
		var x struct{ Customer *struct{ ID string } }
		_ = json.Unmarshal(o, &x)
		return x.Customer != nil && numeric(x.Customer.ID) == numeric(v)
	}
	return false
}

func customerHas(c json.RawMessage, k, v string) bool {
	var x struct {
		DefaultEmailAddress *struct{ EmailAddress string }
		DefaultPhoneNumber  *struct{ PhoneNumber string }
	}
	_ = json.Unmarshal(c, &x)
	switch k {
	case "email":
		return x.DefaultEmailAddress != nil && strings.EqualFold(x.DefaultEmailAddress.EmailAddress, v)
	case "phone":
		return x.DefaultPhoneNumber != nil && digits(x.DefaultPhoneNumber.PhoneNumber) == digits(v)
	}
	return false
}

func field(raw json.RawMessage, name string) string {
	var m map[string]any
	_ = json.Unmarshal(raw, &m)
	s, _ := m[name].(string)
	return s
}

func numeric(gid string) string { return gid[strings.LastIndexByte(gid, '/')+1:] }

func digits(s string) string {
	return strings.Map(func(r rune) rune {
		if r >= '0' && r <= '9' {
			return r
		}
		return -1
	}, s)
}

func orEmpty(n []json.RawMessage) []json.RawMessage {
	if n == nil {
		return []json.RawMessage{}
	}
	return n
}
