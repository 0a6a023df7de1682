package wootest

import (
	"encoding/json"
	"net/http"
	"sort"
	"strconv"
	"strings"
	"time"
)

const prefix = "/wp-json/wc/v3/"

func (s *Store) routes() http.Handler {
	mux := http.NewServeMux()
	handle := func(pattern, route string, h func(w http.ResponseWriter, r *http.Request)) {
		method, path, _ := strings.Cut(pattern, " ")
		mux.HandleFunc(method+" "+prefix+path, s.guard(method+" "+route, h))
	}
	handle("GET orders", "orders", s.listOrders)
	handle("GET orders/{id}", "orders/{id}", s.getOrder)
	handle("GET orders/{id}/notes", "orders/{id}/notes", s.listNotes)
	handle("POST orders/{id}/notes", "orders/{id}/notes", s.addNote)
	handle("GET customers", "customers", s.listCustomers)
	handle("GET customers/{id}", "customers/{id}", s.getCustomer)
	handle("GET webhooks", "webhooks", s.listWebhooks)
	handle("POST webhooks", "webhooks", s.createWebhook)
	handle("PUT webhooks/{id}", "webhooks/{id}", s.updateWebhook)
	s.control(mux)
	return mux
}

// guard counts the call, checks the consumer key and secret (Basic auth, or
// the query-string fallback) and serves injected faults.
func (s *Store) guard(route string, h http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		s.mu.Lock()
		s.calls[route]++
		s.inFlight++
		s.maxFlight = max(s.maxFlight, s.inFlight)
		var f *fault
		if len(s.failNext) > 0 {
			f, s.failNext = &s.failNext[0], s.failNext[1:]
		}
		s.mu.Unlock()
		defer func() { s.mu.Lock(); s.inFlight--; s.mu.Unlock() }()
		time.Sleep(2 * time.Millisecond) // long enough for concurrent calls to overlap

		key, secret, ok := r.BasicAuth()
		if !ok {
			key, secret = r.URL.Query().Get("consumer_key"), r.URL.Query().Get("consumer_secret")
		}
		switch {
		case key == "":
			restError(w, http.StatusUnauthorized, "woocommerce_rest_authentication_error", "Consumer key is missing.")
		case key != s.Key || secret != s.Secret:
			restError(w, http.StatusUnauthorized, "woocommerce_rest_authentication_error", "Consumer secret is invalid.")
		case f != nil:
			if f.retryAfter != "" {
				w.Header().Set("Retry-After", f.retryAfter)
			}
			restError(w, f.status, "fake_fault", http.StatusText(f.status))
		default:
			h(w, r)
		}
	}
}

func restError(w http.ResponseWriter, status int, code, msg string) {
	writeJSON(w, status, map[string]any{"code": code, "message": msg, "data": map[string]int{"status": status}})
}

// writeJSON answers as WordPress does, with "/" escaped as "\/" like PHP's
// json_encode, so nothing downstream may re-serialise what it verifies.
func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=UTF-8")
	w.WriteHeader(status)
	_, _ = w.Write(phpJSON(v))
}

func phpJSON(v any) []byte {
	b, _ := json.Marshal(v)
	return []byte(strings.ReplaceAll(string(b), "/", `\/`))
}

func (s *Store) getOrder(w http.ResponseWriter, r *http.Request) {
	id, _ := strconv.ParseInt(r.PathValue("id"), 10, 64)
	s.mu.Lock()
	o, ok := s.orders[id]
	var body []byte
	if ok {
		body = phpJSON(o)
	}
	s.mu.Unlock()
	if !ok {
		restError(w, http.StatusNotFound, "woocommerce_rest_shop_order_invalid_id", "Invalid ID.")
		return
	}
	w.Header().Set("Content-Type", "application/json; charset=UTF-8")
	_, _ = w.Write(body)
}

func (s *Store) listOrders(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	customer, _ := strconv.ParseInt(q.Get("customer"), 10, 64)
	search := strings.ToLower(strings.TrimSpace(q.Get("search")))
	statuses := strings.Split(q.Get("status"), ",")
	var after time.Time
	if v := q.Get("modified_after"); v != "" {
		var err error
		if after, err = time.Parse("2006-01-02T15:04:05", strings.TrimSuffix(v, "Z")); err != nil {
			restError(w, http.StatusBadRequest, "rest_invalid_param", "Invalid parameter(s): modified_after")
			return
		}
	}
	s.mu.Lock()
	var list []map[string]any
	for _, o := range s.orders {
		st, _ := o["status"].(string)
		switch {
		case customer > 0 && int64(num(o["customer_id"])) != customer,
			search != "" && !strings.Contains(strings.ToLower(string(phpJSON([]any{o["billing"], o["number"], o["id"]}))), search),
			!statusMatches(st, statuses),
			!after.IsZero() && !gmt(o, "date_modified_gmt").After(after):
			continue
		}
		list = append(list, o)
	}
	field := map[string]string{"modified": "date_modified_gmt", "id": "id"}[q.Get("orderby")]
	if field == "" {
		field = "date_created_gmt"
	}
	sort.Slice(list, func(i, j int) bool {
		less := gmt(list[i], field).Before(gmt(list[j], field))
		if field == "id" {
			less = num(list[i]["id"]) < num(list[j]["id"])
		}
		if q.Get("order") == "asc" {
			return less
		}
		return !less
	})
	perPage, page := atoiOr(q.Get("per_page"), 10), atoiOr(q.Get("page"), 1)
	total := len(list)
	start, end := min((page-1)*perPage, total), min(page*perPage, total)
	body := phpJSON(list[start:end])
	if list == nil {
		body = []byte("[]")
	}
	s.mu.Unlock()
	w.Header().Set("X-WP-Total", strconv.Itoa(total))
	w.Header().Set("X-WP-TotalPages", strconv.Itoa((total+perPage-1)/perPage))
	w.Header().Set("Content-Type", "application/json; charset=UTF-8")
	_, _ = w.Write(body)
}

// statusMatches follows WooCommerce: "any" (or nothing) is every status but
// trash.
func statusMatches(st string, want []string) bool {
	for _, w := range want {
		if w == st || ((w == "any" || w == "") && st != "trash") {
			return true
		}
	}
	return false
}

func (s *Store) listCustomers(w http.ResponseWriter, r *http.Request) {
	email := strings.ToLower(strings.TrimSpace(r.URL.Query().Get("email")))
	s.mu.Lock()
	list := []map[string]any{}
	for _, c := range s.customers {
		if e, _ := c["email"].(string); email == "" || strings.ToLower(e) == email {
			list = append(list, c)
		}
	}
	s.mu.Unlock()
	writeJSON(w, http.StatusOK, list)
}

func (s *Store) getCustomer(w http.ResponseWriter, r *http.Request) {
	id, _ := strconv.ParseInt(r.PathValue("id"), 10, 64)
	s.mu.Lock()
	c, ok := s.customers[id]
	s.mu.Unlock()
	if !ok {
		restError(w, http.StatusNotFound, "woocommerce_rest_invalid_id", "Invalid resource ID.")
		return
	}
	writeJSON(w, http.StatusOK, c)
}

func (s *Store) listNotes(w http.ResponseWriter, r *http.Request) {
	id, _ := strconv.ParseInt(r.PathValue("id"), 10, 64)
	notes := s.Notes(id)
	out := []map[string]any{}
	for i := len(notes) - 1; i >= 0; i-- { // newest first
		if r.URL.Query().Get("type") != "customer" || notes[i]["customer_note"] == true {
			out = append(out, notes[i])
		}
	}
	writeJSON(w, http.StatusOK, out)
}

func (s *Store) addNote(w http.ResponseWriter, r *http.Request) {
	id, _ := strconv.ParseInt(r.PathValue("id"), 10, 64)
	var in struct {
		Note         string `json:"note"`
		CustomerNote bool   `json:"customer_note"`
	}
	if err := json.NewDecoder(r.Body).Decode(&in); err != nil || in.Note == "" {
		restError(w, http.StatusBadRequest, "woocommerce_rest_missing_note", "Order note is required.")
		return
	}
	s.mu.Lock()
	if _, ok := s.orders[id]; !ok {
		s.mu.Unlock()
		restError(w, http.StatusNotFound, "woocommerce_rest_shop_order_invalid_id", "Invalid order ID.")
		return
	}
	s.nextID++
	note := map[string]any{
		"id": s.nextID, "author": "hub", "note": in.Note, "customer_note": in.CustomerNote,
		"date_created_gmt": s.clock().UTC().Format("2006-01-02T15:04:05"),
	}
	s.notes[id] = append(s.notes[id], note)
	s.mu.Unlock()
	writeJSON(w, http.StatusCreated, note)
}

func gmt(o map[string]any, field string) time.Time {
	v, _ := o[field].(string)
	t, _ := time.Parse("2006-01-02T15:04:05", v)
	return t
}

func num(v any) float64 {
	switch n := v.(type) {
	case float64:
		return n
	case string:
		f, _ := strconv.ParseFloat(n, 64)
		return f
	}
	return 0
}

func atoiOr(s string, def int) int {
	if n, err := strconv.Atoi(s); err == nil && n > 0 {
		return min(n, 100)
	}
	return def
}
