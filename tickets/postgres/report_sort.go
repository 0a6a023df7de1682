package postgres

import (
	"cmp"
	"slices"

	"hub/tickets"
)

// sortCounts orders counts largest first, then by key, so a report reads
// the same every time.
func sortCounts(l []tickets.Count) {
	slices.SortFunc(l, func(a, b tickets.Count) int {
		if c := cmp.Compare(b.N, a.N); c != 0 {
			return c
		}
		return cmp.Compare(a.Key, b.Key)
	})
}

// sortGroups orders agents by tickets, then by name ("" unassigned first
// among equals).
func sortGroups(l []tickets.Group) {
	slices.SortFunc(l, func(a, b tickets.Group) int {
		if c := cmp.Compare(b.Tickets, a.Tickets); c != 0 {
			return c
		}
		return cmp.Compare(a.Key, b.Key)
	})
}
