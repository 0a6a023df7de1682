package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/hibiken/asynq"

	wc "hub/connectors/woocommerce"
	"hub/connectors/woocommerce/wootest"
	woo "hub/webhooks/woocommerce"
)

// demoWooSecret is the demo store's webhook secret, typed with the
// characters WooCommerce's HTML escaping used to get wrong.
const demoWooSecret = "demo&<secret>"

// demoSetupWooCommerce starts the built-in WooCommerce fakes and points cfg at them; the
// returned func stops them.
func demoSetupWooCommerce(cfg *Config) (stop func(), err error) {
	shop := wootest.New()
	cfg.WooCommerce.URL, cfg.WooCommerce.ConsumerKey, cfg.WooCommerce.ConsumerSecret = shop.URL(), shop.Key, shop.Secret
	cfg.WooCommerce.WebhookSecret = demoWooSecret
	cfg.WooCommerce.CustomerNotes = true
	return shop.Close, nil
}

// storyWooCommerce is the WooCommerce part of hub demo: webhooks subscribed
// (and their pings answered), a forged delivery refused, a failed payment
// opening a ticket, a change the hub never received caught by
// reconciliation, and a reply reaching the customer as an order note.
func storyWooCommerce(ctx context.Context, e *demoEnv) error {
	c := e.app.cfg.WooCommerce
	client, err := wc.New(c.URL, c.ConsumerKey, c.ConsumerSecret, wc.Options{})
	if err != nil {
		return err
	}
	key, _ := wc.NormaliseStoreURL(c.URL)
	fmt.Fprintf(e.out, "A WooCommerce store at %s is configured by WOOCOMMERCE_* (store key woocommerce:%s).\n", c.URL, key)
	for _, topic := range []string{"order.created", "order.updated", "order.deleted"} {
		w, err := client.CreateWebhook(ctx, wc.Webhook{Name: "Support hub", Topic: topic, DeliveryURL: e.base + woo.Path, Secret: demoWooSecret})
		if err != nil {
			return err
		}
		fmt.Fprintf(e.out, "Store owner adds webhook %d (%s) with the secret as typed, %q; WooCommerce pings the hub → %d\n",
			w.ID, topic, demoWooSecret, e.wooPing(ctx, c.URL, int64(w.ID)))
	}

	forged := []byte(`{"id":1234,"status":"refunded","date_modified_gmt":"2030-01-01T00:00:00"}`)
	status, err := e.wooPost(ctx, forged, c.URL, wc.Sign("a guess", forged))
	if err != nil {
		return err
	}
	fmt.Fprintf(e.out, "A forged order.updated (wrong signature) → %d, nothing recorded\n", status)

	fmt.Fprintln(e.out, "\nMaya's card is declined: the store marks order #1234 failed and sends order.updated.")
	if err := e.wooControl(ctx, c.URL, "orders/1234/status", `{"status":"failed"}`); err != nil {
		return err
	}
	t, err := e.waitTicketWith(ctx, "Payment failed for order #1234")
	if err != nil {
		return err
	}
	fmt.Fprintf(e.out, "→ %s %q (%s) for %s\n", t.Ref, t.Subject, t.Priority, t.Customer.Email)
	for _, o := range t.Orders {
		fmt.Fprintf(e.out, "  order #%s at %s: %s, %s %s\n", o.OrderNumber, o.Store, o.FinancialStatus, o.Total, o.Currency)
	}

	fmt.Fprintln(e.out, "\nThe hub is unreachable for a while; Tom's order #1251 is cancelled meanwhile. WooCommerce never retries.")
	if err := e.wooControl(ctx, c.URL, "deliveries", `{"drop":true}`); err != nil {
		return err
	}
	if err := e.wooControl(ctx, c.URL, "orders/1251/status", `{"status":"cancelled"}`); err != nil {
		return err
	}
	_ = e.wooControl(ctx, c.URL, "deliveries", `{"drop":false}`)
	// The scheduler runs this every WOOCOMMERCE_RECONCILE_EVERY; the demo
	// does not wait five minutes.
	if _, err := e.app.client.EnqueueContext(ctx, woo.NewReconcileStoreTask(woo.KeyPrefix+key), asynq.Queue(e.app.cfg.Queue)); err != nil {
		return err
	}
	t2, err := e.waitTicketWith(ctx, "Order #1251 was cancelled")
	if err != nil {
		return err
	}
	fmt.Fprintf(e.out, "Reconciliation lists the orders modified since its last run and finds it → %s %q for %s\n", t2.Ref, t2.Subject, t2.Customer.Email)

	reply := "Hi Maya, your bank declined the card. You can pay again from the link in your order email."
	if _, err := e.do(ctx, http.MethodPost, "/api/v1/tickets/"+t.Ref+"/messages", fmt.Sprintf(`{"body":%q,"visibility":"public"}`, reply)); err != nil {
		return err
	}
	deadline := time.Now().Add(30 * time.Second)
	for {
		notes, err := client.ListNotes(ctx, 1234)
		if err != nil {
			return err
		}
		if len(notes) > 0 {
			fmt.Fprintf(e.out, "\nAn agent replies publicly on %s; it reaches Maya as a customer note on order #1234 (WooCommerce emails it):\n  %q\n", t.Ref, notes[0].Note)
			return nil
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("the reply never became an order note")
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// wooPing reports what the hub answered to the webhook's ping.
func (e *demoEnv) wooPing(ctx context.Context, store string, id int64) int {
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, store+wootest.ControlPrefix+"webhooks", nil)
	resp, err := e.client.Do(req)
	if err != nil {
		return 0
	}
	defer resp.Body.Close()
	var hooks []wootest.Webhook
	_ = json.NewDecoder(resp.Body).Decode(&hooks)
	for _, w := range hooks {
		if w.ID == id {
			return w.PingStatus
		}
	}
	return 0
}

func (e *demoEnv) wooPost(ctx context.Context, body []byte, store, sig string) (int, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, e.base+woo.Path, bytes.NewReader(body))
	if err != nil {
		return 0, err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set(wc.HeaderSource, store+"/")
	req.Header.Set(wc.HeaderTopic, "order.updated")
	req.Header.Set(wc.HeaderSignature, sig)
	resp, err := e.client.Do(req)
	if err != nil {
		return 0, err
	}
	resp.Body.Close()
	return resp.StatusCode, nil
}

func (e *demoEnv) wooControl(ctx context.Context, store, path, body string) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, store+wootest.ControlPrefix+path, strings.NewReader(body))
	if err != nil {
		return err
	}
	resp, err := e.client.Do(req)
	if err != nil {
		return err
	}
	resp.Body.Close()
	if resp.StatusCode >= 300 {
		return fmt.Errorf("fake store: %s → %d", path, resp.StatusCode)
	}
	return nil
}

type demoWooTicket struct {
	demoTicket
	Orders []struct {
		Store           string `json:"store"`
		OrderNumber     string `json:"order_number"`
		FinancialStatus string `json:"financial_status"`
		Total           string `json:"total"`
		Currency        string `json:"currency"`
	} `json:"orders"`
}

// waitTicketWith polls the API for the ticket with that subject.
func (e *demoEnv) waitTicketWith(ctx context.Context, subject string) (demoWooTicket, error) {
	deadline := time.Now().Add(30 * time.Second)
	for {
		raw, err := e.do(ctx, http.MethodGet, "/api/v1/tickets?limit=100", "")
		if err != nil {
			return demoWooTicket{}, err
		}
		var page struct {
			Tickets []demoWooTicket `json:"tickets"`
		}
		if err := json.Unmarshal(raw, &page); err != nil {
			return demoWooTicket{}, err
		}
		for _, t := range page.Tickets {
			if t.Subject == subject {
				return t, nil
			}
		}
		if time.Now().After(deadline) {
			return demoWooTicket{}, fmt.Errorf("no ticket %q after 30s", subject)
		}
		time.Sleep(100 * time.Millisecond)
	}
}
