package shopify_test

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"hub/connectors/shopify/shopifytest"
	"hub/tickets"
	whshopify "hub/webhooks/shopify"
)

// An order event reaches the tickets linked to the order: the snapshot
// (with tracking) is updated and the timeline says what happened.
func TestOrderEventReachesLinkedTicket(t *testing.T) {
	b := setup(t, setupOpts{})
	b.startWorker(t)
	ctx := context.Background()
	if status, resp := b.send(t, "orders/create", shopifytest.Webhook("orders_create")); status != 200 {
		t.Fatalf("create: %d %s", status, resp)
	}
	b.waitProcessed(t)
	tk, _, err := b.store.CreateTicket(ctx, tickets.Actor{Kind: tickets.ActorAgent, ID: "sam@acme.example"}, tickets.NewTicket{
		Subject: "Where is my mug?", Source: tickets.SourceAPI, Customer: tickets.CustomerInput{Email: "ada.lovelace@example.com"},
	})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := b.store.LinkOrder(ctx, tickets.Actor{Kind: tickets.ActorAgent, ID: "sam@acme.example"}, tk.ID,
		tickets.OrderRef{Store: "shopify:" + shop, OrderNumber: "1001"}); err != nil {
		t.Fatal(err)
	}
	if status, _ := b.send(t, "orders/fulfilled", shopifytest.Webhook("orders_fulfilled")); status != 200 {
		t.Fatal(status)
	}
	b.waitProcessed(t)
	got, err := b.store.GetTicket(ctx, tk.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(got.Orders) != 1 {
		t.Fatalf("orders %+v", got.Orders)
	}
	o := got.Orders[0]
	var d tickets.OrderDetails
	if err := json.Unmarshal(o.Details, &d); err != nil {
		t.Fatal(err)
	}
	if o.OrderID != "5843223773234" || o.FulfillmentStatus != "fulfilled" || o.Total != "59.00" || o.Currency != "EUR" ||
		len(d.Tracking) != 1 || d.Tracking[0].Company != "UPS" || !strings.Contains(d.Tracking[0].URL, "1Z999AA10123456784") ||
		d.ShippingCity != "Berlin" || len(d.LineItems) != 2 || d.AdminURL != "https://admin.shopify.com/store/acme/orders/5843223773234" {
		t.Errorf("order %+v details %+v", o, d)
	}
	notes := b.messages(t, tk.ID, tickets.MessageSystem)
	if !contains(notes, "Order #1001 fulfilled — UPS 1Z999AA10123456784") {
		t.Errorf("timeline %q", notes)
	}
	// orders/updated fires for every tag edit: the snapshot moves on, the
	// timeline stays quiet.
	b.send(t, "orders/updated", shopifytest.Webhook("orders_updated"))
	b.waitProcessed(t)
	if n := len(b.messages(t, tk.ID, tickets.MessageSystem)); n != len(notes) {
		t.Errorf("orders/updated added a timeline entry")
	}
}

// state is what the hub keeps after a run of deliveries, as comparable
// text: orders, tickets with their links, customers and store profiles.
func (b *bundle) state(t *testing.T) string {
	t.Helper()
	var out []string
	for _, q := range []string{
		`select store, order_id, order_number, financial_status, fulfillment_status, total, currency, customer_email,
			source_updated_at, details from orders order by store, order_id`,
		`select t.subject, t.description, t.status, t.priority, t.tags, t.source, t.external_ref, t.store,
			coalesce(c.email, ''), coalesce((select string_agg(order_id, ',' order by order_id) from ticket_orders o where o.ticket_id = t.id), '')
			from tickets t left join customers c on c.id = t.customer_id order by t.external_ref, t.subject`,
		`select email, name, phone from customers order by email, phone`,
		`select store, customer_id_in_store, name, email, phone, orders_count, total_spent, currency, tags, note, admin_url, updated_at
			from customer_stores order by store, customer_id_in_store`,
	} {
		rows, err := b.pool.Query(context.Background(), q)
		if err != nil {
			t.Fatal(err)
		}
		for rows.Next() {
			vals, err := rows.Values()
			if err != nil {
				t.Fatal(err)
			}
			out = append(out, fmt.Sprint(vals...))
		}
		rows.Close()
	}
	return strings.Join(out, "\n")
}

// The same webhooks delivered three times (a retry with the same id, and
// the same fact under a new id), in reverse order, leave the state they
// leave delivered once in order: stale versions change nothing, an update
// for an unseen order creates it, repeats open no second ticket.
func TestDuplicatesAndDisorderLeaveTheSameState(t *testing.T) {
	type hook struct{ topic, fixture string }
	hooks := []hook{
		{"customers/create", "customers_create"},
		{"orders/create", "orders_create"},
		{"orders/paid", "orders_paid"},
		{"orders/fulfilled", "orders_fulfilled"},
		{"orders/updated", "orders_updated"},
		{"orders/cancelled", "orders_cancelled"},
		{"refunds/create", "refunds_create"},
		{"customers/update", "customers_update"},
	}
	inOrder := setup(t, setupOpts{})
	inOrder.startWorker(t)
	for _, h := range hooks {
		if status, resp := inOrder.send(t, h.topic, shopifytest.Webhook(h.fixture)); status != 200 {
			t.Fatalf("%s: %d %s", h.topic, status, resp)
		}
		inOrder.waitProcessed(t) // one at a time: in order
	}
	want := inOrder.state(t)

	shuffled := setup(t, setupOpts{})
	shuffled.startWorker(t)
	for i := len(hooks) - 1; i >= 0; i-- {
		h := hooks[i]
		id, ev := fmt.Sprintf("wh-%d", i), fmt.Sprintf("ev-%d", i)
		for _, muts := range [][]any{{id, ev}, {id, ev}, {id + "-again", ev + "-again"}} {
			status, _ := shuffled.send(t, h.topic, shopifytest.Webhook(h.fixture),
				withHeader("X-Shopify-Webhook-Id", muts[0].(string)), withHeader("X-Shopify-Event-Id", muts[1].(string)))
			if status != 200 {
				t.Fatalf("%s: %d", h.topic, status)
			}
			shuffled.waitProcessed(t)
		}
	}
	if got := shuffled.state(t); got != want {
		t.Errorf("out of order and repeated:\n%s\n\nin order, once:\n%s", got, want)
	}
	// What that state is: one ticket, opened by the customer's cancellation.
	list := shuffled.listTickets(t)
	if len(list) != 1 || list[0].Subject != "Order #1003 cancelled by the customer" || list[0].Customer.Email != "grace@example.com" ||
		len(list[0].Orders) != 1 || list[0].Orders[0].OrderNumber != "1003" {
		t.Fatalf("tickets %+v", list)
	}
	if !strings.Contains(want, "vip") || !strings.Contains(want, "84.00") {
		t.Errorf("the newer customer profile is not the one kept:\n%s", want)
	}
}

// The rules that open tickets, by reason, and their switch.
func TestOrderEventsOpenTickets(t *testing.T) {
	fraud := strings.NewReplacer(`"id":5843223773234`, `"id":5843223838770`, `"name":"#1001"`, `"name":"#1004"`,
		`"admin_graphql_api_id":"gid://shopify/Order/5843223773234"`, `"admin_graphql_api_id":"gid://shopify/Order/5843223838770"`).
		Replace(string(shopifytest.Webhook("orders_create")))
	for _, tc := range []struct {
		name, open, topic string
		body              []byte
		subject           string // "" for no ticket
		priority          tickets.Priority
	}{
		{"refund alone, refund rule", "refund", "refunds/create", shopifytest.Webhook("refunds_create"), "Refund of 42.00 EUR on order #1003", tickets.PriorityMedium},
		{"customer cancellation", "", "orders/cancelled", shopifytest.Webhook("orders_cancelled"), "Order #1003 cancelled by the customer", tickets.PriorityMedium},
		{"cancellation rule off", "refund,fraud", "orders/cancelled", shopifytest.Webhook("orders_cancelled"), "Refund of 42.00 EUR on order #1003", tickets.PriorityMedium},
		{"all off", "none", "orders/cancelled", shopifytest.Webhook("orders_cancelled"), "", ""},
		{"high fraud risk", "", "orders/create", []byte(fraud), "Order #1004 flagged as high fraud risk", tickets.PriorityHigh},
		{"low fraud risk", "", "orders/create", shopifytest.Webhook("orders_create"), "", ""},
		{"refund that moved no money", "", "orders/updated", shopifytest.Webhook("orders_updated_no_money_refund"), "", ""},
		{"refunds/create that moved no money", "", "refunds/create", shopifytest.Webhook("refunds_create_no_money"), "", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			open, err := parseOpen(tc.open)
			if err != nil {
				t.Fatal(err)
			}
			b := setup(t, setupOpts{open: open})
			b.startWorker(t)
			if status, _ := b.send(t, tc.topic, tc.body); status != 200 {
				t.Fatal(status)
			}
			b.waitProcessed(t)
			b.waitFollowups(t, whshopify.TypeFraudCheck) // the fraud check runs after the delivery
			list := b.listTickets(t)
			if tc.subject == "" {
				if len(list) != 0 {
					t.Errorf("opened %q", list[0].Subject)
				}
				return
			}
			if len(list) != 1 || list[0].Subject != tc.subject || list[0].Priority != tc.priority || list[0].Source != tickets.SourceShopify ||
				list[0].Store != "shopify:"+shop || len(list[0].Orders) != 1 {
				t.Fatalf("tickets %+v", list)
			}
		})
	}
}

// customers/redact removes the customer's personal data everywhere the hub
// keeps it: afterwards the database holds their email nowhere.
func TestCustomersRedactLeavesNoTrace(t *testing.T) {
	b := setup(t, setupOpts{})
	b.startWorker(t)
	ctx := context.Background()
	for _, h := range [][2]string{{"orders/create", "orders_create"}, {"customers/update", "customers_update"}} {
		if status, _ := b.send(t, h[0], shopifytest.Webhook(h[1])); status != 200 {
			t.Fatal(status)
		}
	}
	b.waitProcessed(t)
	tk, _, err := b.store.CreateTicket(ctx, tickets.Actor{Kind: tickets.ActorSystem, ID: "test"}, tickets.NewTicket{
		Subject: "Mug broken — ada.lovelace@example.com", Description: "Write to ada.lovelace@example.com or call +49301234567",
		Source: tickets.SourceAPI, Customer: tickets.CustomerInput{Email: "Ada.Lovelace@example.com", Name: "Ada Lovelace"},
		Orders: []tickets.OrderRef{{Store: "shopify:" + shop, OrderNumber: "1001"}},
	})
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := b.store.AddMessage(ctx, tickets.Actor{Kind: tickets.ActorCustomer, ID: "ada"}, tk.ID,
		tickets.NewMessage{Kind: tickets.MessageCustomer, Body: "It's me, Ada Lovelace (ada.lovelace@example.com).", Source: tickets.SourceAPI}); err != nil {
		t.Fatal(err)
	}
	if !b.dbHolds(t, "ada.lovelace@example.com") {
		t.Fatal("the email is not in the database to begin with: the test proves nothing")
	}
	if status, _ := b.send(t, "customers/redact", shopifytest.Webhook("customers_redact")); status != 200 {
		t.Fatal(status)
	}
	b.waitProcessed(t)
	for _, needle := range []string{"ada.lovelace@example.com", "+49301234567", "Ada Lovelace"} {
		if b.dbHolds(t, needle) {
			t.Errorf("%q is still in the database", needle)
		}
	}
}

// dbHolds searches every column of every table (bytea too, as UTF-8) for
// needle, case-insensitively (bytea as escaped text: ASCII stays as is).
func (b *bundle) dbHolds(t *testing.T, needle string) bool {
	t.Helper()
	ctx := context.Background()
	rows, err := b.pool.Query(ctx, `select table_name, column_name, data_type from information_schema.columns
		where table_schema = 'public' order by table_name, ordinal_position`)
	if err != nil {
		t.Fatal(err)
	}
	type col struct{ table, name, typ string }
	var cols []col
	for rows.Next() {
		var c col
		if err := rows.Scan(&c.table, &c.name, &c.typ); err != nil {
			t.Fatal(err)
		}
		cols = append(cols, c)
	}
	rows.Close()
	found := false
	for _, c := range cols {
		expr := fmt.Sprintf("%q::text", c.name)
		if c.typ == "bytea" {
			expr = fmt.Sprintf("encode(%q, 'escape')", c.name)
		}
		var n int
		if err := b.pool.QueryRow(ctx, fmt.Sprintf(`select count(*) from %q where %s ilike '%%' || $1 || '%%'`, c.table, expr), needle).Scan(&n); err != nil {
			t.Fatalf("search %s.%s: %v", c.table, c.name, err)
		}
		if n > 0 {
			t.Logf("%q found in %s.%s (%d rows)", needle, c.table, c.name, n)
			found = true
		}
	}
	return found
}

// shop/redact erases the shop's data; app/uninstalled deactivates it unless
// the shop was reinstalled after the event fired.
func TestUninstallAndShopRedact(t *testing.T) {
	b := setup(t, setupOpts{})
	b.startWorker(t)
	ctx := context.Background()
	b.send(t, "orders/cancelled", shopifytest.Webhook("orders_cancelled"))
	b.waitProcessed(t)
	conn, _, err := b.shops.Lookup(ctx, shop)
	if err != nil {
		t.Fatal(err)
	}
	// An uninstall that fired before the (re)install changes nothing.
	b.send(t, "app/uninstalled", shopifytest.Webhook("app_uninstalled"),
		withHeader("X-Shopify-Triggered-At", conn.InstalledAt.Add(-time.Minute).Format(time.RFC3339Nano)))
	b.waitProcessed(t)
	if c, _, _ := b.shops.Lookup(ctx, shop); !c.Active {
		t.Fatal("an uninstall from before the install deactivated the shop")
	}
	b.send(t, "app/uninstalled", shopifytest.Webhook("app_uninstalled"))
	b.waitProcessed(t)
	if c, _, _ := b.shops.Lookup(ctx, shop); c.Active {
		t.Fatal("the shop is still active after app/uninstalled")
	}
	if active, _ := b.shops.Active(ctx); len(active) != 0 {
		t.Errorf("an uninstalled shop is still asked: %v", active)
	}
	// Order webhooks of an inactive shop are refused; compliance ones not.
	if status, _ := b.send(t, "orders/updated", shopifytest.Webhook("orders_updated")); status != 401 {
		t.Errorf("orders/updated for an uninstalled shop: %d", status)
	}
	if status, _ := b.send(t, "shop/redact", shopifytest.Webhook("shop_redact")); status != 200 {
		t.Fatal(status)
	}
	b.waitProcessed(t)
	if len(b.listTickets(t)) != 0 || b.dbHolds(t, "grace@example.com") || b.dbHolds(t, "5843223806002") {
		t.Error("shop/redact left the shop's data")
	}
	if _, found, _ := b.shops.Lookup(ctx, shop); found {
		t.Error("the connection survived shop/redact")
	}
	// Shopify may send shop/redact again: still acknowledged, by the app's
	// signature alone.
	if status, _ := b.send(t, "shop/redact", shopifytest.Webhook("shop_redact")); status != 200 {
		t.Errorf("repeated shop/redact: %d", status)
	}
}

// customers/data_request is recorded and marked processed; the operator
// finds it in the inbox.
func TestDataRequestIsRecorded(t *testing.T) {
	b := setup(t, setupOpts{})
	b.startWorker(t)
	if status, _ := b.send(t, "customers/data_request", shopifytest.Webhook("customers_data_request")); status != 200 {
		t.Fatal(status)
	}
	b.waitProcessed(t)
	list, err := b.store.ListDeliveries(context.Background(), tickets.DeliveryProcessed, 10)
	if err != nil || len(list) != 1 || list[0].Topic != "customers/data_request" {
		t.Fatalf("deliveries %+v, %v", list, err)
	}
}
