package rules

import (
	"strings"
	"testing"
)

func TestRoundRobinRotation(t *testing.T) {
	members := []string{"ana", "ben", "cleo"}
	for _, tc := range []struct {
		name  string
		away  string
		last  string
		picks string // five picks in a row, each after the one before
	}{
		{"from scratch", "", "", "ana ben cleo ana ben"},
		{"after ben", "", "ben", "cleo ana ben cleo ana"},
		{"last is no longer a member", "", "zed", "ana ben cleo ana ben"},
		{"ben away", "ben", "", "ana cleo ana cleo ana"},
		{"last pick went away", "cleo", "cleo", "ana ben ana ben ana"},
		{"all away", "ana ben cleo", "", "    "},
	} {
		t.Run(tc.name, func(t *testing.T) {
			available := func(a string) bool { return !strings.Contains(tc.away, a) }
			last := tc.last
			var got []string
			for range 5 {
				p := RoundRobin(members, available, last)
				got = append(got, p)
				if p != "" {
					last = p
				}
			}
			if strings.Join(got, " ") != tc.picks {
				t.Errorf("picks = %q, want %q", strings.Join(got, " "), tc.picks)
			}
		})
	}
	if got := RoundRobin(nil, func(string) bool { return true }, ""); got != "" {
		t.Errorf("RoundRobin(no members) = %q", got)
	}
}

func TestFewestOpen(t *testing.T) {
	members := []string{"ana", "ben", "cleo"}
	all := func(string) bool { return true }
	for _, tc := range []struct {
		name      string
		open      map[string]int
		available func(string) bool
		last      string
		want      string
	}{
		{"fewest wins", map[string]int{"ana": 4, "ben": 1, "cleo": 2}, all, "", "ben"},
		{"missing counts as none", map[string]int{"ana": 4, "ben": 1}, all, "", "cleo"},
		{"a tie rotates after the last pick", map[string]int{"ana": 1, "ben": 1, "cleo": 1}, all, "ana", "ben"},
		{"a tie wraps around", map[string]int{"ana": 1, "ben": 1, "cleo": 1}, all, "cleo", "ana"},
		{"the fewest is away", map[string]int{"ana": 4, "ben": 1, "cleo": 2}, func(a string) bool { return a != "ben" }, "", "cleo"},
		{"nobody available", nil, func(string) bool { return false }, "", ""},
	} {
		if got := FewestOpen(members, tc.available, tc.open, tc.last); got != tc.want {
			t.Errorf("%s: FewestOpen = %q, want %q", tc.name, got, tc.want)
		}
	}
	// Assigning to the pick and counting it spreads a burst evenly.
	open := map[string]int{"ana": 2}
	var got []string
	last := ""
	for range 5 {
		p := FewestOpen(members, all, open, last)
		open[p]++
		got, last = append(got, p), p
	}
	if strings.Join(got, " ") != "ben cleo ben cleo ana" {
		t.Errorf("a burst of five = %v", got)
	}
}

func TestTeamPickAndReopened(t *testing.T) {
	rr := Team{Name: "support", Members: []string{"ana", "ben"}, Assign: AssignRoundRobin}
	fo := Team{Name: "dach", Members: []string{"dora", "emil"}, Assign: AssignFewestOpen}
	r := Roster{
		Away: map[string]bool{"ana": true},
		Open: map[string]int{"dora": 3, "emil": 1},
		Last: map[string]string{"support": "ben", "dach": "emil"},
	}
	for _, tc := range []struct {
		name string
		got  string
		want string
	}{
		{"team strategy round robin skips the away", rr.Pick(AssignTeam, r), "ben"},
		{"team strategy fewest open", fo.Pick("", r), "emil"},
		{"a rule may override the strategy", fo.Pick(AssignRoundRobin, r), "dora"},
		{"reopened goes back to the previous assignee", Reopened("emil", fo, r), "emil"},
		{"reopened, previous away: the team picks", Reopened("ana", rr, r), "ben"},
		{"reopened, never assigned: the team picks", Reopened("", fo, r), "emil"},
		{"reopened, previous away and nobody else", Reopened("ana", Team{Members: []string{"ana"}}, r), ""},
	} {
		if tc.got != tc.want {
			t.Errorf("%s: got %q, want %q", tc.name, tc.got, tc.want)
		}
	}
}
