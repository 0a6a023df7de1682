package report_test

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"hub/tickets"
	"hub/tickets/api"
	"hub/tickets/report"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/")

// An empty period says so plainly: no made-up rates, "(none)" under each
// table. (A full report is golden-tested with the API's fixture, in
// tickets/api.)
func TestEmptyReport(t *testing.T) {
	from := time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)
	sum := tickets.Summary{From: from, To: from.AddDate(0, 0, 1),
		Backlog:      tickets.Backlog{At: from.AddDate(0, 0, 3), ByAge: make([]int, len(tickets.BacklogAges))},
		ByDay:        []tickets.Count{{Key: "2026-11-01"}},
		TopCustomers: []tickets.CustomerCount{{Email: "tab\tin@example.com", Name: "New\nline " + strings.Repeat("x", 80), N: 1}}}
	var buf bytes.Buffer
	if err := report.WriteText(&buf, api.ReportJSON(sum)); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join("testdata", "empty.golden.txt")
	if *update {
		if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if !bytes.Equal(buf.Bytes(), want) {
		t.Errorf("differs from %s (go test -update rewrites it):\n%s", path, buf.Bytes())
	}
}
