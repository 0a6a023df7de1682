package api_test

import (
	"net/http"
	"testing"
	"time"

	"hub/tickets/api"
)

func TestReportSummary(t *testing.T) {
	tb := setup(t)
	tb.createTicket(t, map[string]any{"subject": "Where is my order?", "priority": "urgent"})
	tb.createTicket(t, map[string]any{"subject": "Invoice", "priority": "low"})

	r := want[api.Report](t, tb.do(t, "GET", "/reports/summary", nil), http.StatusOK)
	if r.Created != 2 || r.ByPriority["urgent"] != 1 || r.ByPriority["low"] != 1 || r.ByStatus["open"] != 2 || r.BySource["api"] != 2 {
		t.Errorf("report %+v", r)
	}
	if r.ByStatus["closed"] != 0 || len(r.ByStatus) != 4 || len(r.ByPriority) != 4 {
		t.Errorf("every status and priority is listed, zeros included: %+v %+v", r.ByStatus, r.ByPriority)
	}
	if sla := r.SLA["first_response"]; sla.Met != 0 || sla.Breached != 0 || sla.Attainment != nil {
		t.Errorf("nothing decided yet: %+v", sla)
	}
	if got := r.To.Sub(r.From); got != 30*24*time.Hour {
		t.Errorf("default period %v, want 30 days", got)
	}

	old := want[api.Report](t, tb.do(t, "GET", "/reports/summary?from=2020-01-01&to=2020-02-01T00:00:00Z", nil), http.StatusOK)
	if old.Created != 0 {
		t.Errorf("an old period counted %d tickets", old.Created)
	}

	for _, q := range []string{"from=yesterday", "to=2026-13-01", "from=2026-02-01&to=2026-01-01", "from=2020-01-01&to=2026-01-01"} {
		res := tb.do(t, "GET", "/reports/summary?"+q, nil)
		if e := want[apiError](t, res, http.StatusBadRequest); e.Error.Code != "invalid" || e.Error.Field == nil {
			t.Errorf("%s: %+v", q, e)
		}
	}
}

// Issue 10 item 9: nothing decided is null, not 100 %; from and to on the
// same date mean that day.
func TestReportEdges(t *testing.T) {
	tb := setup(t)
	tk := tb.createTicket(t, map[string]any{"subject": "Today"})
	day := tk.CreatedAt.UTC().Format("2006-01-02")

	res := tb.do(t, "GET", "/reports/summary?from="+day+"&to="+day, nil)
	r := want[map[string]any](t, res, http.StatusOK)
	if r["created"] != float64(1) {
		t.Errorf("from=to=%s counted %v tickets, want the day's 1; body %s", day, r["created"], res.body)
	}
	sla, _ := r["sla"].(map[string]any)
	fr, _ := sla["first_response"].(map[string]any)
	if v, ok := fr["attainment"]; !ok || v != nil {
		t.Errorf("attainment with nothing decided = %v (present %v), want null; body %s", v, ok, res.body)
	}
}
