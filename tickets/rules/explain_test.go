package rules

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"hub/tickets"
)

// Each testdata/explain/NAME.json is run through Explain with the built-in
// rules (default-*) or testdata/rules.yaml (example-*); the output must be
// NAME.golden.
func TestExplainGolden(t *testing.T) {
	files, err := filepath.Glob("testdata/explain/*.json")
	if err != nil || len(files) == 0 {
		t.Fatalf("no test tickets: %v", err)
	}
	example := load(t, "rules.yaml")
	for _, f := range files {
		name := strings.TrimSuffix(filepath.Base(f), ".json")
		t.Run(name, func(t *testing.T) {
			rs := example
			if strings.HasPrefix(name, "default-") {
				rs = Default()
			}
			data, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			out, err := Explain(rs, data, tickets.DefaultCalendar(), time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC))
			if err != nil {
				t.Fatal(err)
			}
			golden(t, filepath.Join("explain", name+".golden"), out)
		})
	}
}

func TestExplainErrors(t *testing.T) {
	now := time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC)
	for _, tc := range []struct{ json, want string }{
		{`{"subject": `, "ticket JSON: unexpected EOF"},
		{`{"event": "ticket.updated"}`, `ticket JSON: event: unknown event "ticket.updated" (want one of ticket.created, customer.message, order.changed, sla.at_risk, sla.breached)`},
		{`{"priority": "critical"}`, `ticket JSON: priority must be one of urgent, high, medium, low (got "critical")`},
		{`{"event": "sla.at_risk", "sla_target": "reply"}`, `ticket JSON: sla_target "reply": want first_response or resolution`},
		{`{"orders": [{"total": true}]}`, `ticket JSON: want an amount such as "12.50": json: cannot unmarshal bool into Go value of type json.Number`},
	} {
		_, err := Explain(Default(), []byte(tc.json), tickets.Calendar{}, now)
		if err == nil || err.Error() != tc.want {
			t.Errorf("Explain(%s) error = %v\nwant %s", tc.json, err, tc.want)
		}
	}
	// Without "now" in the JSON, the caller's instant is used.
	out, err := Explain(Default(), []byte(`{"subject": "hi"}`), tickets.Calendar{}, now)
	if err != nil || !strings.Contains(out, "ticket.created at 2026-03-02T10:00:00Z") {
		t.Errorf("Explain without now: %v\n%s", err, out)
	}
}
