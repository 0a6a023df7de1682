package wootest

import (
	"encoding/json"
	"net/http"
	"strconv"
)

// ControlPrefix is where the fake takes orders over HTTP (no auth), so a
// process that only knows the store's URL — the demo — can play the store
// owner: change an order's status, or cut the store off from the hub.
const ControlPrefix = "/wootest/"

func (s *Store) control(mux *http.ServeMux) {
	// POST /wootest/orders/{id}/status {"status":"failed"}
	mux.HandleFunc("POST "+ControlPrefix+"orders/{id}/status", func(w http.ResponseWriter, r *http.Request) {
		id, _ := strconv.ParseInt(r.PathValue("id"), 10, 64)
		var in struct {
			Status string `json:"status"`
		}
		s.mu.Lock()
		_, ok := s.orders[id]
		s.mu.Unlock()
		if err := json.NewDecoder(r.Body).Decode(&in); err != nil || in.Status == "" || !ok {
			restError(w, http.StatusBadRequest, "wootest", "want an existing order and {\"status\": ...}")
			return
		}
		s.SetOrderStatus(id, in.Status)
		w.WriteHeader(http.StatusNoContent)
	})
	// POST /wootest/deliveries {"drop":true}
	mux.HandleFunc("POST "+ControlPrefix+"deliveries", func(w http.ResponseWriter, r *http.Request) {
		var in struct {
			Drop bool `json:"drop"`
		}
		if err := json.NewDecoder(r.Body).Decode(&in); err != nil {
			restError(w, http.StatusBadRequest, "wootest", "want {\"drop\": true|false}")
			return
		}
		s.DropDeliveries(in.Drop)
		w.WriteHeader(http.StatusNoContent)
	})
	// GET /wootest/webhooks: every webhook with its ping and delivery results.
	mux.HandleFunc("GET "+ControlPrefix+"webhooks", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, http.StatusOK, s.Webhooks())
	})
}
