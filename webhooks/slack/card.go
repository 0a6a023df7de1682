package slack

import (
	"encoding/json"
	"strings"
	"time"

	slackapi "hub/connectors/slack"
	"hub/tickets"
)

// statusOrder is the order of the status buttons on the card.
var statusOrder = []tickets.Status{tickets.StatusOpen, tickets.StatusPending, tickets.StatusResolved, tickets.StatusClosed}

// cardData turns a ticket into what the card shows, at now.
func cardData(t tickets.Ticket, p tickets.Policy, now time.Time) slackapi.CardData {
	st := p.State(t, now)
	d := slackapi.CardData{
		TicketID: t.ID, Ref: t.Ref(), Subject: t.Subject, Description: t.Description, Status: string(t.Status), Priority: string(t.Priority),
		Assignee: t.Assignee, Tags: t.Tags, Team: t.Team, Source: string(t.Source), ReplyError: t.ReplyError,
		Customer: slackapi.CardCustomer{Name: t.Customer.Name, Email: t.Customer.Email},
		SLA: slackapi.CardSLA{
			FirstResponseDue: st.FirstResponseDue, ResolutionDue: st.ResolutionDue,
			FirstResponded: t.FirstResponseAt != nil, AtRisk: st.AtRisk, Breached: st.Breached,
			Paused: t.SLA.PausedAt != nil, Summoned: t.Escalation.Summoned,
		},
		UpdatedAt: t.UpdatedAt,
		Location:  p.Calendar.Location,
	}
	if r := t.CSAT; r != nil {
		d.Rating = &slackapi.CardRating{Score: r.Score, Comment: r.Comment}
	}
	for _, to := range statusOrder {
		if to != t.Status && tickets.CanTransition(t.Status, to) {
			d.Transitions = append(d.Transitions, string(to))
		}
	}
	// Open goes last: "Reopen" reads best after the forward moves.
	if len(d.Transitions) > 0 && d.Transitions[0] == string(tickets.StatusOpen) {
		d.Transitions = append(d.Transitions[1:], d.Transitions[0])
	}
	for _, sc := range t.Customer.Stores {
		if sc.OrdersCount == nil && sc.TotalSpent == "" {
			continue // an id only: the enrichment has not looked yet
		}
		d.Customer.Profiles = append(d.Customer.Profiles, slackapi.CardProfile{
			Store: sc.Store, Orders: sc.OrdersCount, Spent: sc.TotalSpent, Currency: sc.Currency,
		})
	}
	for _, o := range t.Orders {
		co := slackapi.CardOrder{
			Number: o.OrderNumber, Store: o.Store, Financial: o.FinancialStatus, Fulfillment: o.FulfillmentStatus,
			Total: o.Total, Currency: o.Currency,
		}
		if co.Number == "" {
			co.Number = strings.TrimPrefix(o.OrderID, "#")
		}
		var det tickets.OrderDetails
		if len(o.Details) > 0 && json.Unmarshal(o.Details, &det) == nil {
			co.URL = det.AdminURL
			co.Refunds = len(det.Refunds)
			for _, tr := range det.Tracking {
				co.Tracking = append(co.Tracking, slackapi.CardTracking{Company: tr.Company, Number: tr.Number, URL: tr.URL})
			}
		}
		d.Orders = append(d.Orders, co)
	}
	return d
}
