package main

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"hub/tickets"
)

// chromiumPath finds Debian's chromium (HUB_CHROMIUM overrides).
func chromiumPath() string {
	if p := os.Getenv("HUB_CHROMIUM"); p != "" {
		return p
	}
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome", "headless-shell"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	return ""
}

// screenshotDir is where the end-to-end test writes its screenshots:
// HUB_SCREENSHOTS (relative to the repository root, e.g. docs/screenshots
// for the README), else testdata/screenshots here (git-ignored).
func screenshotDir(t *testing.T) string {
	dir := os.Getenv("HUB_SCREENSHOTS")
	if dir == "" {
		dir = filepath.Join("testdata", "screenshots")
	} else if !filepath.IsAbs(dir) {
		dir = filepath.Join("..", "..", dir) // the test runs in cmd/hub
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	return dir
}

// e2e drives one browser tab through the dashboard.
type e2e struct {
	t    *testing.T
	ctx  context.Context
	base string
	dir  string
}

// do runs steps with a generous deadline: a slow shared machine must not
// fail the test, only a page that never shows what it should.
func (e *e2e) do(what string, steps ...chromedp.Action[chromedp.Void]) {
	e.t.Helper()
	ctx, cancel := context.WithTimeout(e.ctx, 90*time.Second)
	defer cancel()
	if err := chromedp.Do(ctx, steps...); err != nil {
		var html string
		hctx, hcancel := context.WithTimeout(e.ctx, 10*time.Second)
		html, _ = chromedp.Run(hctx, chromedp.OuterHTML(chromedp.CSS("main")))
		hcancel()
		e.t.Fatalf("%s: %v\npage:\n%s", what, err, html)
	}
}

// pageWaits waits until the JavaScript expression is true, across page
// loads (a form post navigates while the wait runs): each try polls for a
// moment, and the caller's deadline bounds the whole wait.
func pageWaits(expr string) chromedp.Action[chromedp.Void] {
	return func(ctx context.Context, t *chromedp.Target) (chromedp.Void, error) {
		for {
			_, err := chromedp.Poll[chromedp.Void](expr, chromedp.WithPollingTimeout(2*time.Second),
				chromedp.WithPollingInterval(50*time.Millisecond))(ctx, t)
			if err == nil {
				return chromedp.Void{}, nil
			}
			if ctx.Err() != nil {
				return chromedp.Void{}, fmt.Errorf("waiting for %s: %w", expr, err)
			}
			select {
			case <-ctx.Done():
			case <-time.After(50 * time.Millisecond):
			}
		}
	}
}

// flashSays waits for the outcome message of the last action.
func flashSays(text string) chromedp.Action[chromedp.Void] {
	return pageWaits(fmt.Sprintf(`Array.from(document.querySelectorAll('.flash')).some(f => f.textContent.includes(%q))`, text))
}

// labelsAndOverflow lists what is wrong with the page as a person would
// meet it: form controls without a label, and anything wider than the
// viewport (the page scrolls sideways).
const labelsAndOverflow = `(() => {
  const bad = [];
  document.querySelectorAll('input, select, textarea').forEach(el => {
    if (el.type === 'hidden') return;
    const labelled = (el.id && document.querySelector('label[for="' + CSS.escape(el.id) + '"]')) ||
      el.closest('label') || el.getAttribute('aria-label') || el.getAttribute('aria-labelledby');
    if (!labelled) bad.push('no label: ' + el.outerHTML.slice(0, 120));
  });
  const vw = document.documentElement.clientWidth;
  if (document.documentElement.scrollWidth > vw) {
    bad.push('page is ' + document.documentElement.scrollWidth + 'px wide in a ' + vw + 'px viewport');
    document.querySelectorAll('body *').forEach(el => {
      const r = el.getBoundingClientRect();
      if (r.right > vw + 1 && !el.closest('.table-wrap')) bad.push('overflows: ' + el.tagName + '.' + el.className + ' right=' + Math.round(r.right));
    });
  }
  return bad.slice(0, 20);
})()`

// check screenshots the page at 1280 and 390 pixels wide and fails on an
// unlabelled control or horizontal overflow at either width.
func (e *e2e) check(name string) {
	e.t.Helper()
	for _, width := range []int64{1280, 390} {
		ctx, cancel := context.WithTimeout(e.ctx, 90*time.Second)
		err := chromedp.Do(ctx, chromedp.EmulateViewport(width, 900), pageWaits(`document.readyState === 'complete'`))
		var bad []string
		if err == nil {
			bad, err = chromedp.Run(ctx, chromedp.Evaluate[[]string](labelsAndOverflow))
		}
		var png []byte
		if err == nil {
			png, err = chromedp.Run(ctx, chromedp.FullScreenshot(100))
		}
		cancel()
		if err != nil {
			e.t.Fatalf("%s at %dpx: %v", name, width, err)
		}
		if err := os.WriteFile(filepath.Join(e.dir, fmt.Sprintf("%s-%d.png", name, width)), png, 0o644); err != nil {
			e.t.Fatal(err)
		}
		for _, b := range bad {
			e.t.Errorf("%s at %dpx: %s", name, width, b)
		}
	}
	e.do("back to desktop width", chromedp.EmulateViewport(1280, 900))
}

func TestWebDashboardInChromium(t *testing.T) {
	if testing.Short() {
		t.Skip("end-to-end browser test (-short)")
	}
	chrome := chromiumPath()
	if chrome == "" {
		t.Skip("chromium is not installed (apt-get install -y chromium, or set HUB_CHROMIUM): skipping the end-to-end dashboard test")
	}
	h := bootHub(t, nil)
	pw := createAgent(t, h, "lead@example.com", "Lee Lead", true)
	seedDashboard(t, h)

	actx, acancel := chromedp.NewExecAllocator(context.Background(), append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(chrome), chromedp.NoSandbox, chromedp.Flag("disable-dev-shm-usage", true),
		chromedp.Flag("lang", "en-US"))...)
	defer acancel()
	ctx, cancel := chromedp.NewContext(actx)
	defer cancel()
	if err := chromedp.Do(ctx); err != nil { // start the browser without a deadline (see chromedp.Run)
		t.Fatalf("start chromium: %v", err)
	}
	e := &e2e{t: t, ctx: ctx, base: h.base, dir: screenshotDir(t)}

	// Sign in: a wrong password first.
	e.do("login page", chromedp.Navigate(h.base+"/"), chromedp.WaitVisible(chromedp.CSS("#email")))
	e.check("login")
	e.do("wrong password",
		chromedp.SendKeys(chromedp.CSS("#email"), "lead@example.com"),
		chromedp.SendKeys(chromedp.CSS("#password"), "not-the-password"),
		chromedp.Click(chromedp.CSS("form button[type=submit]")),
		pageWaits(`document.body.textContent.includes('do not match an enabled account')`))
	e.do("sign in",
		chromedp.SetValue(chromedp.CSS("#email"), "lead@example.com"),
		chromedp.SendKeys(chromedp.CSS("#password"), pw),
		chromedp.Click(chromedp.CSS("form button[type=submit]")),
		chromedp.WaitVisible(chromedp.CSS("#tickets")))
	e.check("list")

	// Filter the list: urgent only, then a view.
	e.do("filter by priority",
		chromedp.SetValue(chromedp.CSS("#priority"), "urgent"),
		chromedp.Click(chromedp.CSS(".filters button[type=submit]")),
		pageWaits(`location.search.includes('priority=urgent')`),
		pageWaits(`document.querySelectorAll('#tickets .ticket').length === 1 && document.querySelector('#tickets').textContent.includes('Charged twice')`))
	e.do("unassigned view",
		chromedp.Click(chromedp.CSS(`.views a[data-view="unassigned"]`)),
		pageWaits(`location.search.includes('view=unassigned')`),
		pageWaits(`document.querySelectorAll('#tickets .ticket').length === 4`))
	e.do("breached view", chromedp.Navigate(h.base+"/?view=breached"),
		pageWaits(`document.querySelectorAll('#tickets .ticket').length === 1 && document.querySelector('#tickets .sla-breached') !== null`))
	e.do("at-risk view, due first", chromedp.Navigate(h.base+"/?view=at_risk&sort=due"),
		pageWaits(`document.querySelectorAll('#tickets .ticket').length === 1 && document.querySelector('#tickets').textContent.includes('Discount code')`))
	e.do("search", chromedp.Navigate(h.base+"/?q=parcel"),
		pageWaits(`document.querySelectorAll('#tickets .ticket').length === 1`))

	// New tickets appear without a reload (server-sent events).
	e.do("live list", chromedp.Navigate(h.base+"/"), chromedp.WaitVisible(chromedp.CSS("#tickets")))
	createTicket(t, h, `{"subject":"Arrived while watching","customer":{"email":"new@example.com"}}`)
	e.do("new ticket shows up", pageWaits(`document.querySelector('#tickets').textContent.includes('Arrived while watching')`))

	// Open a ticket with the keyboard: j selects the first row, Enter opens.
	e.do("open ticket",
		chromedp.Navigate(h.base+"/?q=parcel"), chromedp.WaitVisible(chromedp.CSS("#tickets .ticket")),
		chromedp.KeyEvent("j"), chromedp.KeyEvent("\r"),
		chromedp.WaitVisible(chromedp.CSS("#reply-body")))
	e.do("ticket shows conversation", pageWaits(`document.querySelector('.msg-customer') !== null`))

	// Reply: nothing connected reaches this customer, and the page says so.
	e.do("reply",
		chromedp.KeyEvent("r"),
		pageWaits(`document.activeElement.id === 'reply-body'`),
		// The key's own character may land in the box it focused: start empty.
		chromedp.Evaluate[chromedp.Void](`document.getElementById('reply-body').value = ''`),
		chromedp.SendKeys(chromedp.CSS("#reply-body"), "Sorry about that, a new parcel is on its way."),
		chromedp.SetValue(chromedp.CSS("#reply-saved"), "sign-off"),
		chromedp.Click(chromedp.CSS(".compose form:first-of-type button[type=submit]")),
		flashSays("could not be delivered"),
		// The agent's text, then the saved reply filled in from the ticket.
		pageWaits(`document.querySelector('.msg-reply') && document.querySelector('.msg-reply').textContent.includes('a new parcel is on its way') &&
			document.querySelector('.msg-reply').textContent.includes('Best wishes, Lee Lead (ticket T-1001)')`))
	e.do("note",
		chromedp.SendKeys(chromedp.CSS("#note-body"), "Checked with the warehouse."),
		chromedp.Click(chromedp.CSS(".note-form button")),
		flashSays("Internal note added"))
	e.do("status",
		chromedp.SetValue(chromedp.CSS("#p-status"), "pending"),
		chromedp.SetValue(chromedp.CSS("#p-assignee"), "lead@example.com"),
		chromedp.Click(chromedp.CSS(".props button")),
		flashSays("status is now pending"),
		pageWaits(`document.querySelector('.ticket-head .badge').textContent === 'pending'`))

	// Link an order found by searching the stores' orders.
	e.do("search orders",
		chromedp.SendKeys(chromedp.CSS("#order-q"), "1001"),
		chromedp.Click(chromedp.CSS(".order-search button")),
		chromedp.WaitVisible(chromedp.CSS("form.found button")))
	e.do("link order",
		chromedp.Click(chromedp.CSS("form.found button")),
		flashSays("linked"),
		pageWaits(`document.querySelector('#orders .order') && document.querySelector('#orders .lines').textContent.includes('Blue mug')`))
	e.check("ticket")

	// A forged CSRF token is refused.
	e.do("forged CSRF",
		chromedp.Evaluate[chromedp.Void](`document.querySelector('.note-form input[name=csrf_token]').value = 'forged'; document.querySelector('#note-body').value = 'x'; document.querySelector('.note-form').submit()`),
		pageWaits(`document.body.textContent.includes('This form has expired')`))

	// The customer, across stores.
	e.do("customer page", chromedp.Navigate(h.base+"/customers?email=cy%40example.com"),
		pageWaits(`document.querySelector('main h1').textContent.includes('Cy Customer')`))
	e.check("customer")

	e.do("reports", chromedp.Navigate(h.base+"/reports"), chromedp.WaitVisible(chromedp.CSS("svg.chart")))
	e.check("reports")

	e.do("integrations", chromedp.Navigate(h.base+"/integrations"), chromedp.WaitVisible(chromedp.CSS("#failed form button")))
	e.check("integrations")
	e.do("replay", chromedp.Click(chromedp.CSS("#failed form button")), flashSays("is queued again"))

	// The Team page, with the one-time password of an agent just added.
	e.do("add agent", chromedp.Navigate(h.base+"/team"),
		chromedp.SendKeys(chromedp.CSS("#agent-email"), "new.agent@example.com"),
		chromedp.SendKeys(chromedp.CSS("#agent-name"), "Nia New"),
		chromedp.Click(chromedp.CSS("#add-agent button[type=submit]")),
		chromedp.WaitVisible(chromedp.CSS(".secret-value")))
	e.check("team")
}

func createTicket(t *testing.T, h *testHub, body string) {
	t.Helper()
	code, _, raw := h.call(t, http.MethodPost, "/api/v1/tickets", body, map[string]string{"X-API-Key": h.key})
	if code != http.StatusCreated {
		t.Fatalf("create ticket: %d %s", code, raw)
	}
}

// seedDashboard gives the dashboard something to show: tickets of every
// priority, an order the stores reported, and a delivery that failed.
func seedDashboard(t *testing.T, h *testHub) {
	t.Helper()
	ctx := context.Background()
	for _, body := range []string{
		`{"subject":"Parcel arrived damaged","description":"The box was crushed and the mug inside is broken.","priority":"high","tags":["shipping","damage"],"customer":{"email":"cy@example.com","name":"Cy Customer"}}`,
		`{"subject":"Charged twice for one order","priority":"urgent","customer":{"email":"dee@example.com","name":"Dee"}}`,
		`{"subject":"Can I change my delivery address?","priority":"low","customer":{"email":"cy@example.com","name":"Cy Customer"}}`,
		`{"subject":"Discount code did not apply","customer":{"email":"eli@example.com"}}`,
	} {
		createTicket(t, h, body)
	}
	details, _ := json.Marshal(tickets.OrderDetails{
		Number: "#1001", CreatedAt: time.Now().Add(-72 * time.Hour), FinancialStatus: "paid", FulfillmentStatus: "fulfilled",
		Total: "42.50", Currency: "EUR",
		LineItems: []tickets.LineItem{{Title: "Blue mug", SKU: "MUG-B", Quantity: 2, Price: "15.00"}, {Title: "Gift wrap", Quantity: 1, Price: "12.50"}},
		Tracking:  []tickets.Tracking{{Company: "DHL", Number: "JD014600003", URL: "https://www.dhl.com/track?id=JD014600003"}},
		Refunds:   []tickets.Refund{{Amount: "15.00", Currency: "EUR", Reason: "broken in transit", CreatedAt: time.Now().Add(-time.Hour)}},
	})
	err := h.app.store.Apply(ctx, tickets.Actor{Kind: tickets.ActorWebhook, ID: "test"}, tickets.OrderChanged{
		Order: tickets.OrderRef{Store: "shopify:acme.myshopify.com", OrderID: "5501", OrderNumber: "#1001", FinancialStatus: "paid",
			FulfillmentStatus: "fulfilled", Total: "42.50", Currency: "EUR", CustomerEmail: "cy@example.com",
			SourceUpdatedAt: time.Now().Add(-time.Hour), Details: details},
		Customer: tickets.CustomerInput{Email: "cy@example.com", Name: "Cy Customer"},
	})
	if err != nil {
		t.Fatal(err)
	}
	// One ticket past its first-response target, one close to it, as the
	// list shows them after a quiet hour (the risk instant moves with the
	// due time, as the SLA policy would have stored it).
	if _, err := h.app.pool.Exec(ctx, `update tickets set clock_start = now() - interval '2 hours',
		first_response_due = now() - interval '1 hour', first_response_risk_at = now() - interval '90 minutes' where number = 1002`); err != nil {
		t.Fatal(err)
	}
	if _, err := h.app.pool.Exec(ctx, `update tickets set clock_start = now() - interval '3 hours',
		first_response_due = now() + interval '10 minutes', first_response_risk_at = now() - interval '5 minutes',
		priority = 'high', tags = '{billing}' where number = 1004`); err != nil {
		t.Fatal(err)
	}
	if _, err := h.app.store.CreateReply(ctx, "lead@example.com", "sign-off", "Best wishes, {{agent_name}} (ticket {{ticket}})"); err != nil {
		t.Fatal(err)
	}
	d := &tickets.Delivery{Source: tickets.SourceShopify, Tenant: "acme.myshopify.com", Topic: "orders/updated",
		Key: "e2e-failed-1", Headers: map[string]string{}, Body: []byte(`{"id":5501}`), ReceivedAt: time.Now()}
	if _, err := h.app.store.RecordDelivery(ctx, d); err != nil {
		t.Fatal(err)
	}
	if err := h.app.store.FailDelivery(ctx, d.ID, "shop acme.myshopify.com is not connected"); err != nil {
		t.Fatal(err)
	}
	if strings.TrimSpace(d.Topic) == "" {
		t.Fatal("delivery not recorded")
	}
}
