package web

import (
	"fmt"
	"net/http"
	"strconv"
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
	// Advice says what to do when something is off; empty when all is well.
	Advice string
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
			v.Connections = append(v.Connections, connectionView{C: c, Health: h, Advice: advice(c, h)})
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
	switch {
	case !c.Active && c.Kind == tickets.SourceShopify:
		return "The app was uninstalled from this shop. Install it again from the Shopify admin, or run hub connect shopify."
	case !c.Active:
		return fmt.Sprintf("This connection is off. Connect it again with hub connect %s.", c.Kind)
	case c.Settings["silent_since"] != "":
		// The WooCommerce health check's finding (webhooks/woocommerce).
		return fmt.Sprintf("The store has not been delivering since %s: %s. The hub re-activates webhooks WooCommerce disabled; "+
			"check WooCommerce → Settings → Advanced → Webhooks for ones paused or pointing elsewhere.",
			c.Settings["silent_since"], c.Settings["silent_reason"])
	case h.Failed > 0:
		return fmt.Sprintf("Failed deliveries in the last day: %d. Read their reasons below, fix the cause, then replay them.", h.Failed)
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
