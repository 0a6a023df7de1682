package web

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/go-chi/chi/v5"

	"hub/tickets"
)

type integrationsView struct {
	Connections []connectionView
	Hooks       []tickets.Hook
	Failed      []tickets.Delivery
	Other       []tickets.SourceHealth // deliveries from sources with no connection row (Zapier intake, ...)
	Since       time.Time
}

func (integrationsView) PageTitle() string { return "Integrations" }

type connectionView struct {
	C      tickets.Connection
	Health tickets.SourceHealth
	// Webhooks is the last webhook subscription check of a Shopify shop;
	// nil when there is none.
	Webhooks *webhookCheck
	// Advice says what to do when something is off; empty when all is well.
	Advice string
}

// webhookCheck is what the Shopify subscription check (webhooks/shopify,
// SubscriptionCheck) recorded in a shop's connection settings, under the
// keys of its Setting* constants.
type webhookCheck struct {
	CheckedAt      time.Time
	Subscribed     []string // topics subscribed to this hub
	Missing        []string // topics without, that the check could not subscribe again
	Elsewhere      []string // topics also (or only) subscribed to another address
	OtherURLs      []string
	Refused        string // Shopify's reason for refusing a missing topic
	Reregistered   []string
	ReregisteredAt time.Time
	Error          string // the last check failed: why
	ErrorCode      string // "unauthorized", "denied" or "failed"
}

// webhookCheckOf reads a connection's last check; nil when it has none.
func webhookCheckOf(c tickets.Connection) *webhookCheck {
	at, err := time.Parse(time.RFC3339, c.Settings["webhooks_checked_at"])
	if c.Kind != tickets.SourceShopify || err != nil {
		return nil
	}
	list := func(k string) []string {
		if v := c.Settings[k]; v != "" {
			return strings.Split(v, ",")
		}
		return nil
	}
	w := &webhookCheck{
		CheckedAt: at, Subscribed: list("webhooks_subscribed"), Missing: list("webhooks_missing"),
		Elsewhere: list("webhooks_elsewhere"), OtherURLs: strings.Fields(c.Settings["webhooks_other_urls"]),
		Refused: c.Settings["webhooks_refused"], Reregistered: list("webhooks_reregistered"),
		Error: c.Settings["webhooks_error"], ErrorCode: c.Settings["webhooks_error_code"],
	}
	w.ReregisteredAt, _ = time.Parse(time.RFC3339, c.Settings["webhooks_reregistered_at"])
	if w.Error != "" && w.ErrorCode == "" {
		w.ErrorCode = "failed"
	}
	return w
}

// Line says in one sentence what the last check found.
func (w *webhookCheck) Line(now time.Time) string {
	var b strings.Builder
	b.WriteString("Webhooks: ")
	if w.Error != "" {
		fmt.Fprintf(&b, "the check failed %s: %s", ago(now, w.CheckedAt), w.Error)
		return b.String()
	}
	fmt.Fprintf(&b, "%d of %d topics subscribed", len(w.Subscribed), len(w.Subscribed)+len(w.Missing))
	if len(w.Missing) > 0 {
		fmt.Fprintf(&b, "; missing %s", strings.Join(w.Missing, ", "))
	}
	if len(w.Elsewhere) > 0 {
		fmt.Fprintf(&b, "; %s subscribed to another address too: %s", strings.Join(w.Elsewhere, ", "), strings.Join(w.OtherURLs, " "))
	}
	fmt.Fprintf(&b, " (checked %s)", ago(now, w.CheckedAt))
	if len(w.Reregistered) > 0 && !w.ReregisteredAt.IsZero() {
		fmt.Fprintf(&b, ". Re-registered %s %s", strings.Join(w.Reregistered, ", "), ago(now, w.ReregisteredAt))
	}
	return b.String()
}

// integrationsPage shows each connection's health as the inbox sees it,
// the Zapier hooks, and the failed deliveries with a replay button.
func (s *Server) integrationsPage(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	now := s.now()
	v := integrationsView{Since: now.Add(-24 * time.Hour)}
	health, err := s.store.DeliveryHealth(ctx, v.Since)
	if err != nil {
		return err
	}
	byTenant := map[string]tickets.SourceHealth{}
	for _, h := range health {
		byTenant[string(h.Source)+":"+h.Tenant] = h
	}
	for _, kind := range []tickets.Source{tickets.SourceShopify, tickets.SourceWooCommerce, tickets.SourceSlack, tickets.SourceEmail} {
		conns, err := s.store.ListConnections(ctx, kind)
		if err != nil {
			return err
		}
		for _, c := range conns {
			h := byTenant[c.StoreKey()]
			delete(byTenant, c.StoreKey())
			v.Connections = append(v.Connections, connectionView{C: c, Health: h, Webhooks: webhookCheckOf(c), Advice: advice(c, h)})
		}
	}
	for _, h := range health {
		if _, ok := byTenant[string(h.Source)+":"+h.Tenant]; ok {
			v.Other = append(v.Other, h)
		}
	}
	if v.Hooks, err = s.store.AllHooks(ctx); err != nil {
		return err
	}
	if v.Failed, err = s.store.ListDeliveries(ctx, tickets.DeliveryFailed, 50); err != nil {
		return err
	}
	return s.render(w, r, "integrations", v)
}

// advice is what an admin should do about a connection that is off.
func advice(c tickets.Connection, h tickets.SourceHealth) string {
	w := webhookCheckOf(c)
	if w == nil {
		w = &webhookCheck{}
	}
	switch {
	case !c.Active && c.Kind == tickets.SourceShopify:
		return "The app was uninstalled from this shop. Install it again from the Shopify admin, or run hub connect shopify."
	case !c.Active:
		return fmt.Sprintf("This connection is off. Connect it again with hub connect %s.", c.Kind)
	case w.Error != "" && w.ErrorCode == "unauthorized":
		return "Shopify refused the hub's token when it checked the webhook subscriptions: the app was uninstalled or its token revoked. " +
			"Install the app again from the Shopify admin (a custom app: run hub connect shopify with a new token)."
	case w.Error != "" && w.ErrorCode == "denied":
		return "Shopify denied the hub access to the shop's webhook subscriptions. Install the app again so that the shop grants the access it asks for."
	case w.Error == "" && len(w.Missing) > 0:
		why := ""
		if w.Refused != "" {
			why = " Shopify said: " + w.Refused + "."
		}
		return fmt.Sprintf("No webhook subscription to this hub for %s, and the hub could not subscribe again.%s "+
			"Check that HUB_PUBLIC_URL is this hub's public https address; the hourly check tries again. "+
			"Orders changed meanwhile sent no webhook.", strings.Join(w.Missing, ", "), why)
	case c.Settings["silent_since"] != "":
		// The WooCommerce health check's finding (webhooks/woocommerce).
		return fmt.Sprintf("The store has not been delivering since %s: %s. The hub re-activates webhooks WooCommerce disabled; "+
			"check WooCommerce → Settings → Advanced → Webhooks for ones paused or pointing elsewhere.",
			c.Settings["silent_since"], c.Settings["silent_reason"])
	case h.Failed > 0:
		return fmt.Sprintf("Failed deliveries in the last day: %d. Read their reasons below, fix the cause, then replay them.", h.Failed)
	case w.Error != "":
		return "The last webhook subscription check failed; it runs again within the hour. If it keeps failing, check that Shopify is reachable from the hub."
	case w.Error == "" && len(w.Elsewhere) > 0:
		return fmt.Sprintf("The app's subscriptions for %s also point at %s, not this hub: an old hub address? Shopify sends those webhooks there too. "+
			"If that address is no longer yours, delete them (webhookSubscriptionDelete in the Admin API), or uninstall and install the app again: "+
			"the hub then subscribes only itself.", strings.Join(w.Elsewhere, ", "), strings.Join(w.OtherURLs, " "))
	case h.Received == 0 && c.Kind != tickets.SourceSlack && c.Kind != tickets.SourceEmail:
		return "Nothing arrived in the last day. If the store had orders, check its webhook subscriptions point at this hub (HUB_PUBLIC_URL)."
	}
	return ""
}

// replay puts a failed delivery back into the pipeline and says so.
func (s *Server) replay(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	id, err := strconv.ParseInt(chi.URLParam(r, "id"), 10, 64)
	if err != nil {
		return tickets.Invalid("id", "no such delivery")
	}
	if s.cfg.Replayer == nil {
		return tickets.Errorf(tickets.EUNAVAILABLE, "replay is not available on this hub")
	}
	d, err := s.cfg.Replayer.Replay(ctx, id)
	switch {
	case err == nil:
		s.log.Info("web: delivery replayed", "delivery", id, "agent", agentFrom(ctx).Email)
		s.setFlash(ctx, "ok", fmt.Sprintf("Delivery %d (%s %s) is queued again.", d.ID, d.Source, d.Topic))
	case tickets.ErrorCode(err) == tickets.EINVALID || tickets.ErrorCode(err) == tickets.ECONFLICT || tickets.ErrorCode(err) == tickets.ENOTFOUND:
		s.setFlash(ctx, "error", fmt.Sprintf("Delivery %d was not replayed: %s", id, tickets.ErrorMessage(err)))
	default:
		return err
	}
	http.Redirect(w, r, "/integrations#failed", http.StatusSeeOther)
	return nil
}
