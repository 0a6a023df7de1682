package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"

	"hub/connectors/shopify/shopifytest"
	"hub/tickets"
)

// The demo's shop: a fake Shopify on a local port, connected the way a
// store owner with a custom app connects one (SHOPIFY_SHOP,
// SHOPIFY_ACCESS_TOKEN, SHOPIFY_API_SECRET), reached through
// SHOPIFY_API_BASE_URL.
const (
	demoShop       = "acme.myshopify.com"
	demoShopToken  = "shpat_demo_acme"
	demoShopSecret = "demo-shopify-app-secret"
)

// demoPurchase is the order the story follows.
func demoPurchase() shopifytest.Purchase {
	return shopifytest.Purchase{
		OrderID: 5843223900001, Number: 1057, CustomerID: 7392119400001,
		Email: "lin.chen@example.com", FirstName: "Lin", LastName: "Chen",
		Item: "Babbage Calculator Kit", Quantity: 2, Price: "17.50", Currency: "EUR",
		PlacedAt: time.Date(2026, 11, 26, 10, 0, 0, 0, time.UTC), Carrier: "DHL", Tracking: "00340434161094042557",
	}
}

// demoFraud is an order Shopify rates a high fraud risk.
func demoFraud() shopifytest.Purchase {
	return shopifytest.Purchase{
		OrderID: 5843223900002, Number: 1058, CustomerID: 7392119400002,
		Email: "m.allory@example.net", FirstName: "M.", LastName: "Allory",
		Item: "Enigma Replica", Quantity: 3, Price: "899.00", Currency: "EUR",
		PlacedAt: time.Date(2026, 11, 27, 3, 12, 0, 0, time.UTC), Carrier: "DHL", Tracking: "00340434161094049999", Risk: "HIGH",
	}
}

// demoSetupShopify starts the built-in Shopify fakes and points cfg at them; the
// returned func stops them.
func demoSetupShopify(cfg *Config) (stop func(), err error) {
	fake := shopifytest.New("demo-client-id", demoShopSecret)
	fake.AddShop(demoShop, demoShopToken)
	fake.AddPurchase(demoShop, demoPurchase())
	fake.AddPurchase(demoShop, demoFraud())
	cfg.Shopify.Shop, cfg.Shopify.AccessToken = demoShop, demoShopToken
	cfg.Shopify.APISecret, cfg.Shopify.APIBaseURL = demoShopSecret, fake.URL
	return fake.Close, nil
}

// storyShopify is the Shopify part of hub demo.
func storyShopify(ctx context.Context, e *demoEnv) error {
	p := demoPurchase()
	hooks := p.Hooks()
	send := func(what, topic string, body []byte, id, secret string) error {
		req, err := shopifytest.WebhookRequest(ctx, e.base+"/webhooks/shopify", demoShop, topic, body, secret, id, "ev-"+id, time.Now())
		if err != nil {
			return err
		}
		resp, err := e.client.Do(req)
		if err != nil {
			return err
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		fmt.Fprintf(e.out, "POST /webhooks/shopify (%s, %s) → %d %s\n", topic, what, resp.StatusCode, strings.TrimSpace(string(b)))
		return nil
	}
	fmt.Fprintf(e.out, "%s is connected with a custom app token. Lin Chen orders two calculator kits (#%d):\n", demoShop, p.Number)
	if err := send("signed", "orders/create", hooks.Create, "wh-1005-create", demoShopSecret); err != nil {
		return err
	}
	if err := send("Shopify retrying the same delivery", "orders/create", hooks.Create, "wh-1005-create", demoShopSecret); err != nil {
		return err
	}
	if err := send("forged: signed with the wrong secret", "orders/create", hooks.Create, "wh-forged", "guess"); err != nil {
		return err
	}

	fmt.Fprintln(e.out, "\nLin writes in without naming the order:")
	status, body, err := e.post(ctx, "/webhooks/zapier", "shopify-demo-lin",
		`{"subject":"Has my parcel left yet?","email":"lin.chen@example.com","name":"Lin Chen"}`)
	if err != nil {
		return err
	}
	fmt.Fprintf(e.out, "POST /webhooks/zapier → %d %s\n", status, cut(strings.TrimSpace(body), 60))
	ref, err := e.waitShopifyTicket(ctx, p.Email)
	if err != nil {
		return err
	}
	if err := e.printShopifyTicket(ctx, ref); err != nil {
		return err
	}

	fmt.Fprintln(e.out, "\nThe parcel ships; Shopify says so:")
	if err := send("signed", "orders/fulfilled", hooks.Fulfilled, "wh-1005-fulfilled", demoShopSecret); err != nil {
		return err
	}
	want := fmt.Sprintf("Order #%d fulfilled", p.Number)
	if err := e.waitMessage(ctx, ref, want); err != nil {
		return err
	}
	if err := e.printTimeline(ctx, ref); err != nil {
		return err
	}

	// Grace wrote in earlier (the first story); the enrichment linked her
	// latest order, so its cancellation goes to her ticket.
	fmt.Fprintln(e.out, "\nGrace Hopper, who wrote in earlier, cancels her order #1003 and is refunded:")
	if err := send("signed", "orders/cancelled", shopifytest.Webhook("orders_cancelled"), "wh-1003-cancelled", demoShopSecret); err != nil {
		return err
	}
	_, graceTickets, err := e.app.store.CustomerByEmail(ctx, "grace@example.com")
	if err != nil || len(graceTickets) == 0 {
		return fmt.Errorf("no ticket of Grace's to show: %v", err)
	}
	if err := e.waitMessage(ctx, graceTickets[0].Ref(), "Order #1003 cancelled"); err != nil {
		return err
	}
	if err := e.printTimeline(ctx, graceTickets[0].Ref()); err != nil {
		return err
	}

	fmt.Fprintf(e.out, "\nAn order nobody wrote about, #%d, is rated a high fraud risk by Shopify; it opens a ticket by itself:\n", demoFraud().Number)
	if err := send("signed", "orders/create", demoFraud().Hooks().Create, "wh-1058-create", demoShopSecret); err != nil {
		return err
	}
	list, err := e.waitSource(ctx, "shopify")
	if err != nil {
		return err
	}
	printTickets(e.out, list)
	return nil
}

// waitShopifyTicket waits for the customer's ticket to show their order
// and their store profile, as the enrichment finds them.
func (e *demoEnv) waitShopifyTicket(ctx context.Context, email string) (string, error) {
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		c, list, err := e.app.store.CustomerByEmail(ctx, email)
		if err == nil && len(list) > 0 && len(list[0].Orders) > 0 && len(c.Stores) > 0 && c.Stores[0].OrdersCount != nil && *c.Stores[0].OrdersCount > 0 {
			return list[0].Ref(), nil
		}
		time.Sleep(50 * time.Millisecond)
	}
	return "", fmt.Errorf("no ticket with order context for %s after 30s", email)
}

// printShopifyTicket shows the ticket as an agent sees it: the customer
// with the shop's profile of them, and the order with its facts.
func (e *demoEnv) printShopifyTicket(ctx context.Context, ref string) error {
	t, err := e.app.store.GetTicket(ctx, ref)
	if err != nil {
		return err
	}
	c, _, err := e.app.store.CustomerByEmail(ctx, t.Customer.Email)
	if err != nil {
		return err
	}
	fmt.Fprintf(e.out, "\n%s %q — %s <%s>\n", t.Ref(), t.Subject, t.Customer.Name, t.Customer.Email)
	for _, sc := range c.Stores {
		first := ""
		if sc.FirstOrderAt != nil {
			first = ", customer since " + sc.FirstOrderAt.Format("2 Jan 2006")
		}
		orders := "?"
		if sc.OrdersCount != nil {
			orders = fmt.Sprint(*sc.OrdersCount)
		}
		fmt.Fprintf(e.out, "  customer in %s: %s order(s), %s %s spent%s\n    %s\n", sc.Store, orders, sc.TotalSpent, sc.Currency, first, sc.AdminURL)
	}
	for _, o := range t.Orders {
		var d tickets.OrderDetails
		_ = json.Unmarshal(o.Details, &d)
		fmt.Fprintf(e.out, "  order #%s of %s: %s %s, %s, %s\n", o.OrderNumber, d.CreatedAt.Format("2 Jan 2006"), o.Total, o.Currency, o.FinancialStatus, o.FulfillmentStatus)
		for _, li := range d.LineItems {
			fmt.Fprintf(e.out, "    %d × %s at %s\n", li.Quantity, li.Title, li.Price)
		}
		if d.ShippingCity != "" {
			fmt.Fprintf(e.out, "    ships to %s, %s\n", d.ShippingCity, d.ShippingCountry)
		}
		for _, tr := range d.Tracking {
			fmt.Fprintf(e.out, "    tracking: %s %s %s\n", tr.Company, tr.Number, tr.URL)
		}
		fmt.Fprintf(e.out, "    %s\n", d.AdminURL)
	}
	return nil
}

func (e *demoEnv) waitMessage(ctx context.Context, ref, prefix string) error {
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		msgs, err := e.app.store.ListMessages(ctx, ref)
		if err != nil {
			return err
		}
		for _, m := range msgs {
			if strings.HasPrefix(m.Body, prefix) {
				return nil
			}
		}
		time.Sleep(50 * time.Millisecond)
	}
	return fmt.Errorf("%s: no %q on the timeline after 30s", ref, prefix)
}

// printTimeline prints the ticket's conversation through the API.
func (e *demoEnv) printTimeline(ctx context.Context, ref string) error {
	raw, err := e.do(ctx, http.MethodGet, "/api/v1/tickets/"+ref+"/messages", "")
	if err != nil {
		return err
	}
	var page struct {
		Messages []struct {
			Kind string `json:"kind"`
			Body string `json:"body"`
		} `json:"messages"`
	}
	if err := json.Unmarshal(raw, &page); err != nil {
		return err
	}
	fmt.Fprintf(e.out, "GET /api/v1/tickets/%s/messages:\n", ref)
	for _, m := range page.Messages {
		fmt.Fprintf(e.out, "  [%s] %s\n", m.Kind, m.Body)
	}
	return nil
}

// waitSource waits for a ticket from a source and lists that source's
// tickets.
func (e *demoEnv) waitSource(ctx context.Context, source string) ([]demoTicket, error) {
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		list, err := e.waitTickets(ctx, 1)
		if err != nil {
			return nil, err
		}
		var out []demoTicket
		for _, t := range list {
			if t.Source == source {
				out = append(out, t)
			}
		}
		if len(out) > 0 {
			return out, nil
		}
		time.Sleep(50 * time.Millisecond)
	}
	return nil, fmt.Errorf("no ticket from %s after 30s", source)
}
