package tickets_test

import (
	"fmt"
	"time"

	"hub/tickets"
)

// A high-priority ticket arriving on Friday evening is due by the close of
// Monday, the next business day; an urgent one is due within the hour.
func ExamplePolicy_Start() {
	p := tickets.DefaultPolicy()
	friday := time.Date(2026, 3, 6, 18, 0, 0, 0, time.UTC)
	for _, pr := range []tickets.Priority{tickets.PriorityUrgent, tickets.PriorityHigh, tickets.PriorityMedium} {
		sla := p.Start(pr, friday)
		fmt.Printf("%-6s first response %s, resolution %s\n", pr,
			sla.FirstResponseDue.Format("Mon 15:04"), sla.ResolutionDue.Format("Mon 15:04"))
	}
	// Output:
	// urgent first response Fri 19:00, resolution Fri 22:00
	// high   first response Mon 17:00, resolution Mon 17:00
	// medium first response Mon 17:00, resolution Wed 17:00
}
