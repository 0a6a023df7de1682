package survey_test

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"testing"

	"hub/tickets"
	"hub/tickets/survey"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/")

// golden compares got with testdata/name, or rewrites it under -update.
func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs (go test -update rewrites it):\n got: %s\nwant: %s", path, got, want)
	}
}

func TestPageGolden(t *testing.T) {
	for _, tc := range []struct {
		name string
		p    survey.Page
	}{
		{"open", survey.Page{State: tickets.SurveyOpen, Ref: "T-1042", Subject: "Where is <my> order & co?"}},
		{"problem", survey.Page{State: tickets.SurveyOpen, Ref: "T-1042", Subject: "Mug", Rating: 0,
			Comment: "</textarea><script>alert(1)</script>", Problem: "Choose a rating from 1 to 5."}},
		{"thanks", survey.Page{State: tickets.SurveyAnswered, Ref: "T-1042", Rating: 4, Comment: "ok", Thanks: true}},
		{"answered", survey.Page{State: tickets.SurveyAnswered, Ref: "T-1042"}},
		{"expired", survey.Page{State: tickets.SurveyExpired, Ref: "T-1042"}},
		{"invalid", survey.Page{}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var buf bytes.Buffer
			if err := survey.Render(&buf, tc.p); err != nil {
				t.Fatal(err)
			}
			golden(t, "page_"+tc.name+".golden.html", buf.Bytes())
		})
	}
}
