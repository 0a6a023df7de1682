package postgres_test

import (
	"strings"
	"testing"
	"time"

	"hub/tickets"
	"hub/tickets/postgres"
)

func orderAt(status string, at time.Time) tickets.OrderRef {
	return tickets.OrderRef{Store: "shopify:acme.myshopify.com", OrderID: "820982911946154508", OrderNumber: "1001",
		FinancialStatus: "paid", FulfillmentStatus: status, Total: "25.00", Currency: "EUR",
		CustomerEmail: "jon@example.com", SourceUpdatedAt: at}
}

func TestOrderChangedUpdatesLinkedTicketsOnceAndIgnoresStaleVersions(t *testing.T) {
	b := setup(t)
	t0 := start.Add(-24 * time.Hour)
	tk := b.create(t, tickets.NewTicket{Subject: "Where is my order?", Customer: tickets.CustomerInput{Email: "jon@example.com"}})
	if _, err := b.store.LinkOrder(b.ctx, agent, tk.ID, orderAt("unfulfilled", t0)); err != nil {
		t.Fatal(err)
	}
	fulfilled := tickets.OrderChanged{Order: orderAt("fulfilled", t0.Add(time.Hour)), Timeline: "Order #1001 fulfilled — UPS 1Z999"}
	stale := tickets.OrderChanged{Order: orderAt("unfulfilled", t0.Add(30*time.Minute)), Timeline: "Order #1001 updated"}

	// In order, three times over, then a stale version: one note, one event.
	for _, c := range []tickets.OrderChanged{fulfilled, fulfilled, stale, fulfilled} {
		if err := b.store.Apply(b.ctx, webhook, c); err != nil {
			t.Fatal(err)
		}
	}
	got, _ := b.store.GetTicket(b.ctx, tk.ID)
	if got.Orders[0].FulfillmentStatus != "fulfilled" {
		t.Errorf("fulfillment %q, want fulfilled", got.Orders[0].FulfillmentStatus)
	}
	msgs, _ := b.store.ListMessages(b.ctx, tk.ID)
	notes := 0
	for _, m := range msgs {
		if m.Kind == tickets.MessageSystem {
			notes++
			if m.Body != fulfilled.Timeline {
				t.Errorf("timeline %q", m.Body)
			}
		}
	}
	if notes != 1 {
		t.Errorf("%d timeline notes, want 1", notes)
	}
	if n := b.count(t, "select count(*) from events where type = $1", tickets.EventOrderUpdated); n != 1 {
		t.Errorf("%d order.updated events, want 1", n)
	}
}

func TestOrderChangedOpensATicketOnlyWhenNoneIsOpen(t *testing.T) {
	b := setup(t)
	t0 := start.Add(-time.Hour)
	open := func(at time.Time) tickets.OrderChanged {
		return tickets.OrderChanged{
			Order:    orderAt("cancelled", at),
			Customer: tickets.CustomerInput{Email: "jon@example.com", Name: "Jon", StoreCustomerID: "115310627314723954"},
			Timeline: "Order #1001 cancelled by the customer",
			Open: &tickets.NewTicket{Subject: "Order #1001 cancelled", Source: tickets.SourceShopify,
				ExternalRef: "shopify:acme.myshopify.com/820982911946154508/cancelled", Tags: []string{"cancellation"}},
		}
	}
	// An update for an order never seen before opens the ticket; a retry
	// and a newer version do not open a second.
	for _, at := range []time.Time{t0, t0, t0.Add(time.Minute)} {
		if err := b.store.Apply(b.ctx, webhook, open(at)); err != nil {
			t.Fatal(err)
		}
	}
	list, _, err := b.store.ListTickets(b.ctx, tickets.Filter{})
	if err != nil {
		t.Fatal(err)
	}
	if len(list) != 1 {
		t.Fatalf("%d tickets, want 1", len(list))
	}
	tk := list[0]
	if tk.Store != "shopify:acme.myshopify.com" || len(tk.Orders) != 1 || tk.Customer.Email != "jon@example.com" ||
		len(tk.Customer.Stores) != 1 || tk.Customer.Stores[0].CustomerID != "115310627314723954" {
		t.Errorf("ticket %+v", tk)
	}
}

func TestCustomerChangedSavesTheStoreProfile(t *testing.T) {
	b := setup(t)
	tk := b.create(t, tickets.NewTicket{Subject: "Hello", Customer: tickets.CustomerInput{Email: "Mia@Example.com"}})
	first := time.Date(2023, 5, 1, 0, 0, 0, 0, time.UTC)
	seven := 7
	err := b.store.Apply(b.ctx, webhook, tickets.CustomerChanged{Profile: tickets.StoreCustomer{
		Store: "woocommerce:shop.example.com", CustomerID: "42", Email: "mia@example.com", Name: "Mia Wong",
		OrdersCount: &seven, TotalSpent: "412.50", Currency: "GBP", FirstOrderAt: &first, Tags: []string{"vip"},
		AdminURL: "https://shop.example.com/wp-admin/user-edit.php?user_id=42",
	}})
	if err != nil {
		t.Fatal(err)
	}
	got, _ := b.store.GetTicket(b.ctx, tk.ID)
	if len(got.Customer.Stores) != 1 {
		t.Fatalf("stores %+v", got.Customer.Stores)
	}
	p := got.Customer.Stores[0]
	if p.OrdersCount == nil || *p.OrdersCount != 7 || p.TotalSpent != "412.50" || p.Name != "Mia Wong" || !p.FirstOrderAt.Equal(first) || p.UpdatedAt.IsZero() {
		t.Errorf("profile %+v", p)
	}
	if got.Customer.Name != "Mia Wong" {
		t.Errorf("customer name %q filled from the store profile", got.Customer.Name)
	}
}

func TestRedactCustomerLeavesNoTraceOfTheEmail(t *testing.T) {
	b := setup(t)
	const email = "erin.private@example.com"
	tk := b.create(t, tickets.NewTicket{Subject: "Refund for " + email, Description: "Call me on +44 20 7946 0958",
		Customer: tickets.CustomerInput{Email: email, Name: "Erin Private", Phone: "+44 20 7946 0958"}})
	other := b.create(t, tickets.NewTicket{Subject: "Unrelated", Customer: tickets.CustomerInput{Email: "sam@example.com"}})
	if _, _, err := b.store.AddMessage(b.ctx, agent, other.ID, tickets.NewMessage{Kind: tickets.MessageNote, Body: "Same issue as " + email}); err != nil {
		t.Fatal(err)
	}
	if _, _, err := b.store.AddMessage(b.ctx, agent, tk.ID, tickets.NewMessage{Kind: tickets.MessageCustomer, Body: "I am Erin Private"}); err != nil {
		t.Fatal(err)
	}
	o := orderAt("fulfilled", start)
	o.CustomerEmail, o.Details = email, []byte(`{"shipping_city":"London","email":"`+email+`"}`)
	if _, err := b.store.LinkOrder(b.ctx, agent, tk.ID, o); err != nil {
		t.Fatal(err)
	}
	d := &tickets.Delivery{Source: tickets.SourceShopify, Tenant: "acme.myshopify.com", Topic: "customers/redact", Key: "redact-1",
		Body: []byte(`{"customer":{"email":"` + email + `"}}`)}
	if _, err := b.store.RecordDelivery(b.ctx, d); err != nil {
		t.Fatal(err)
	}
	if _, err := b.store.ApplyDelivery(b.ctx, d.ID, webhook, []tickets.Command{tickets.RedactCustomer{
		Store: o.Store, Email: email, OrderIDs: []string{o.OrderID}}}); err != nil {
		t.Fatal(err)
	}

	// Search every text column of every table for the email, the phone and
	// the name, as an auditor would.
	for _, needle := range []string{email, "7946", "Erin Private"} {
		var hits []string
		rows, err := b.pool.Query(b.ctx, `
			select table_name, column_name from information_schema.columns
			where table_schema = 'public' and data_type in ('text', 'jsonb', 'bytea', 'ARRAY', 'tsvector')`)
		if err != nil {
			t.Fatal(err)
		}
		var cols [][2]string
		for rows.Next() {
			var tbl, col string
			_ = rows.Scan(&tbl, &col)
			cols = append(cols, [2]string{tbl, col})
		}
		rows.Close()
		for _, c := range cols {
			n := b.count(t, `select count(*) from `+c[0]+` where position(lower($1) in lower(`+c[1]+`::text)) > 0
				or (pg_typeof(`+c[1]+`)::text = 'bytea' and position(convert_to($1, 'UTF8') in `+c[1]+`::text::bytea) > 0)`, needle)
			if n > 0 {
				hits = append(hits, c[0]+"."+c[1])
			}
		}
		if len(hits) > 0 {
			t.Errorf("%q still in %s", needle, strings.Join(hits, ", "))
		}
	}
	got, _ := b.store.GetTicket(b.ctx, tk.ID)
	if got.Customer.Email != "" || got.Subject != "[redacted]" {
		t.Errorf("ticket after redaction: %+v", got)
	}
	if n := b.count(t, "select count(*) from events where type = $1", tickets.EventRedacted); n != 1 {
		t.Errorf("%d redaction events, want 1", n)
	}
}

func TestEraseStoreRemovesItsData(t *testing.T) {
	b := setup(t)
	store := "shopify:gone.myshopify.com"
	if err := b.store.Apply(b.ctx, webhook, tickets.OrderChanged{
		Order:    tickets.OrderRef{Store: store, OrderID: "1", OrderNumber: "1001", SourceUpdatedAt: start},
		Customer: tickets.CustomerInput{Email: "only@gone.example", StoreCustomerID: "9"},
		Open:     &tickets.NewTicket{Subject: "Refund", Source: tickets.SourceShopify, ExternalRef: "gone/1/refund"},
	}); err != nil {
		t.Fatal(err)
	}
	kept := b.create(t, tickets.NewTicket{Subject: "Kept", Customer: tickets.CustomerInput{Email: "stay@example.com"}})
	if err := b.store.Apply(b.ctx, webhook, tickets.EraseStore{Store: store}); err != nil {
		t.Fatal(err)
	}
	for _, q := range []string{
		"select count(*) from tickets where store = 'shopify:gone.myshopify.com'",
		"select count(*) from orders where store = 'shopify:gone.myshopify.com'",
		"select count(*) from customer_stores where store = 'shopify:gone.myshopify.com'",
		"select count(*) from customers where email = 'only@gone.example'",
	} {
		if n := b.count(t, q); n != 0 {
			t.Errorf("%s = %d, want 0", q, n)
		}
	}
	if _, err := b.store.GetTicket(b.ctx, kept.ID); err != nil {
		t.Errorf("an unrelated ticket went too: %v", err)
	}
	wantCode(t, b.store.Apply(b.ctx, webhook, tickets.EraseStore{Store: "nonsense"}), tickets.EINVALID)
}

func TestEditMessageFromItsSource(t *testing.T) {
	b := setup(t)
	tk := b.create(t, tickets.NewTicket{Subject: "Thread"})
	slackUser := tickets.Actor{Kind: tickets.ActorSlack, ID: "U123"}
	if _, _, err := b.store.AddMessage(b.ctx, slackUser, tk.ID, tickets.NewMessage{Kind: tickets.MessageNote, Body: "frist", Source: tickets.SourceSlack, ExternalRef: "C1/1700000000.000100"}); err != nil {
		t.Fatal(err)
	}
	edit := tickets.EditMessage{Source: tickets.SourceSlack, ExternalRef: "C1/1700000000.000100", Body: "first"}
	for range 2 { // a repeated edit changes nothing the second time
		if err := b.store.Apply(b.ctx, slackUser, edit); err != nil {
			t.Fatal(err)
		}
	}
	if err := b.store.Apply(b.ctx, slackUser, tickets.EditMessage{Source: tickets.SourceSlack, ExternalRef: "unknown", Body: "x"}); err != nil {
		t.Errorf("edit of an unknown message: %v", err)
	}
	msgs, _ := b.store.ListMessages(b.ctx, tk.ID)
	if msgs[0].Body != "first" || msgs[0].EditedAt == nil {
		t.Errorf("message after edit: %+v", msgs[0])
	}
	if err := b.store.Apply(b.ctx, slackUser, tickets.EditMessage{Source: tickets.SourceSlack, ExternalRef: "C1/1700000000.000100", Deleted: true}); err != nil {
		t.Fatal(err)
	}
	msgs, _ = b.store.ListMessages(b.ctx, tk.ID)
	if msgs[0].DeletedAt == nil {
		t.Error("message not marked deleted")
	}
	evs := b.events(t, tk.ID)
	if got := evs[len(evs)-2].Type + "," + evs[len(evs)-1].Type; got != "message.edited,message.deleted" {
		t.Errorf("last events %s", got)
	}
}

func TestConnectionsSealTheirSecrets(t *testing.T) {
	b := setup(t, func(o *postgres.Options) { o.SecretKey = "correct horse battery staple" })
	c, err := b.store.SaveConnection(b.ctx, tickets.Connection{Kind: tickets.SourceShopify, Key: "acme.myshopify.com",
		Secrets: map[string]string{"access_token": "shpat_supersecret"}, Settings: map[string]string{"scopes": "read_orders"}, Active: true,
		InstalledAt: start})
	if err != nil {
		t.Fatal(err)
	}
	if c.Secrets["access_token"] != "shpat_supersecret" {
		t.Errorf("secrets %v", c.Secrets)
	}
	if n := b.count(t, "select count(*) from connections where position('shpat' in secrets::text) > 0 or position(convert_to('shpat', 'UTF8') in secrets) > 0"); n != 0 {
		t.Error("the token is stored in clear")
	}
	got, err := b.store.GetConnection(b.ctx, tickets.SourceShopify, "acme.myshopify.com")
	if err != nil || got.Secrets["access_token"] != "shpat_supersecret" || got.Settings["scopes"] != "read_orders" {
		t.Fatalf("get: %+v %v", got, err)
	}

	// An uninstall that fired before the (re)install does not undo it.
	if off, err := b.store.DeactivateConnection(b.ctx, tickets.SourceShopify, "acme.myshopify.com", start.Add(-time.Minute)); err != nil || off {
		t.Errorf("stale uninstall: deactivated=%v err=%v", off, err)
	}
	if off, err := b.store.DeactivateConnection(b.ctx, tickets.SourceShopify, "acme.myshopify.com", start.Add(time.Minute)); err != nil || !off {
		t.Errorf("uninstall: deactivated=%v err=%v", off, err)
	}
	if err := b.store.SetConnectionSettings(b.ctx, tickets.SourceShopify, "acme.myshopify.com", map[string]string{"cursor": "x"}); err != nil {
		t.Fatal(err)
	}
	list, err := b.store.ListConnections(b.ctx, tickets.SourceShopify)
	if err != nil || len(list) != 1 || list[0].Active || list[0].Settings["cursor"] != "x" || list[0].Settings["scopes"] != "read_orders" {
		t.Errorf("list: %+v %v", list, err)
	}

	// A store with another key cannot open them; one with none cannot save them.
	other := postgres.New(b.pool, postgres.Options{SecretKey: "another key"})
	if _, err := other.GetConnection(b.ctx, tickets.SourceShopify, "acme.myshopify.com"); err == nil {
		t.Error("opened with the wrong key")
	}
	none := postgres.New(b.pool, postgres.Options{})
	_, err = none.SaveConnection(b.ctx, tickets.Connection{Kind: tickets.SourceSlack, Key: "T1", Secrets: map[string]string{"bot_token": "xoxb"}})
	wantCode(t, err, tickets.EINVALID)
	if _, err := none.SaveConnection(b.ctx, tickets.Connection{Kind: tickets.SourceSlack, Key: "T1", Active: true}); err != nil {
		t.Errorf("a connection without secrets needs no key: %v", err)
	}
}

func TestWarnSLAOncePerTargetAndLevel(t *testing.T) {
	b := setup(t)
	// Urgent: first response due in 1h around the clock, at risk in its last 15 minutes.
	tk := b.create(t, tickets.NewTicket{Subject: "Site down", Priority: tickets.PriorityUrgent})
	due := tk.SLA.FirstResponseDue
	steps := []struct {
		at   time.Time
		want int
	}{
		{due.Add(-30 * time.Minute), 0},
		{due.Add(-10 * time.Minute), 1}, // first response at risk
		{due.Add(-5 * time.Minute), 0},  // already warned
		{due.Add(time.Minute), 1},       // first response breached
		{due.Add(2 * time.Minute), 0},
	}
	for i, st := range steps {
		n, err := b.store.WarnSLA(b.ctx, st.at)
		if err != nil {
			t.Fatal(err)
		}
		if n != st.want {
			t.Errorf("step %d: %d warnings, want %d", i, n, st.want)
		}
	}
	evs := b.events(t, tk.ID)
	last := evs[len(evs)-1]
	if last.Type != tickets.EventSLAWarning || last.After["target"] != "first_response" || last.After["level"] != "breached" {
		t.Errorf("last event %+v", last)
	}
}

// A count the store did not send is unknown, not 0: it is kept as unknown,
// and a later profile that does not say leaves the known count alone.
func TestUnknownCountsAreNotZero(t *testing.T) {
	b := setup(t)
	tk := b.create(t, tickets.NewTicket{Subject: "Hello", Customer: tickets.CustomerInput{Email: "mia@example.com"}})
	profile := func(at time.Time, count *int, spent string) tickets.StoreCustomer {
		return tickets.StoreCustomer{Store: "woocommerce:shop.example.com", CustomerID: "42", Email: "mia@example.com",
			Name: "Mia Wong", OrdersCount: count, TotalSpent: spent, Currency: "GBP", UpdatedAt: at}
	}
	load := func() tickets.StoreCustomer {
		t.Helper()
		got, err := b.store.GetTicket(b.ctx, tk.ID)
		if err != nil || len(got.Customer.Stores) != 1 {
			t.Fatalf("stores %+v, %v", got.Customer.Stores, err)
		}
		return got.Customer.Stores[0]
	}
	at := time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)
	if err := b.store.Apply(b.ctx, webhook, tickets.CustomerChanged{Profile: profile(at, nil, "")}); err != nil {
		t.Fatal(err)
	}
	if p := load(); p.OrdersCount != nil || p.TotalSpent != "" {
		t.Errorf("unknown counts stored as %v orders, %q spent", p.OrdersCount, p.TotalSpent)
	}
	seven := 7
	for i, p := range []tickets.StoreCustomer{profile(at.Add(time.Hour), &seven, "412.50"), profile(at.Add(2*time.Hour), nil, "")} {
		if err := b.store.Apply(b.ctx, webhook, tickets.CustomerChanged{Profile: p}); err != nil {
			t.Fatalf("profile %d: %v", i, err)
		}
	}
	if p := load(); p.OrdersCount == nil || *p.OrdersCount != 7 || p.TotalSpent != "412.50" || p.Currency != "GBP" {
		t.Errorf("a profile without counts erased the known ones: %v orders, %q spent", p.OrdersCount, p.TotalSpent)
	}
}
