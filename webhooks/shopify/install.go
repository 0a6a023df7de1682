package shopify

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"html"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/go-chi/chi/v5"

	"hub/connectors/shopify"
	"hub/tickets"
	"hub/webhooks"
)

// Subscriber queues the registration of a newly installed shop's webhook
// subscriptions (NewSubscribeTask through asynq in cmd/hub).
type Subscriber func(ctx context.Context, shop string) error

// Installer serves the OAuth install of the hub as a Shopify app:
// GET /shopify/install?shop=... and GET /shopify/callback.
type Installer struct {
	shops     *Shops
	subscribe Subscriber
	log       *slog.Logger
	now       func() time.Time
	secure    bool // cookies only over https
}

// NewInstaller returns the install handlers. The app's redirect URL must be
// HUB_PUBLIC_URL + "/shopify/callback".
func NewInstaller(shops *Shops, subscribe Subscriber, log *slog.Logger) *Installer {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Installer{shops: shops, subscribe: subscribe, log: log, now: shops.cfg.Now,
		secure: strings.HasPrefix(shops.cfg.App.RedirectURL, "https://")}
}

// Routes mounts the handlers on r.
func (in *Installer) Routes(r chi.Router) {
	r.Get("/shopify/install", in.install)
	r.Get("/shopify/callback", in.callback)
}

const (
	stateCookie = "hub_shopify_state"
	stateTTL    = 10 * time.Minute
)

// install sends the merchant to Shopify's consent screen. The state is
// signed (any hub process can check it) and bound to this browser by a
// cookie (a callback started elsewhere is refused).
func (in *Installer) install(w http.ResponseWriter, r *http.Request) {
	shop, ok := shopify.NormaliseShop(r.URL.Query().Get("shop"))
	if !ok {
		webhooks.WriteError(w, http.StatusBadRequest, "invalid", "shop must be a shop's myshopify.com domain, e.g. acme.myshopify.com")
		return
	}
	if in.shops.cfg.App.APIKey == "" || in.shops.cfg.App.APISecret == "" || in.shops.cfg.App.RedirectURL == "" {
		webhooks.WriteError(w, http.StatusServiceUnavailable, "unavailable", "the Shopify app is not configured (SHOPIFY_API_KEY, SHOPIFY_API_SECRET, HUB_PUBLIC_URL)")
		return
	}
	state := in.newState(shop)
	to, err := in.shops.cfg.App.AuthorizeURL(shop, state)
	if err != nil {
		webhooks.WriteError(w, http.StatusInternalServerError, "internal", "could not build the consent URL")
		return
	}
	http.SetCookie(w, &http.Cookie{Name: stateCookie, Value: state, Path: "/shopify/callback", MaxAge: int(stateTTL / time.Second),
		HttpOnly: true, Secure: in.secure, SameSite: http.SameSiteLaxMode})
	http.Redirect(w, r, to, http.StatusFound)
}

// callback finishes the install: Shopify's HMAC over the query, the state
// and its shop, the code exchanged for an expiring offline token, the token
// pair stored sealed, and the webhook subscriptions queued.
func (in *Installer) callback(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	shop, code, err := shopify.CheckCallback(q, 24*time.Hour, in.now(), in.shops.AppSecrets()...)
	if err != nil {
		in.log.Info("shopify install: callback refused", "err", err)
		webhooks.WriteError(w, http.StatusUnauthorized, "unauthorized", "the callback is not signed by Shopify")
		return
	}
	cookie, err := r.Cookie(stateCookie)
	if err != nil || !hmac.Equal([]byte(cookie.Value), []byte(q.Get("state"))) || !in.checkState(q.Get("state"), shop) {
		in.log.Info("shopify install: state refused", "shop", shop)
		webhooks.WriteError(w, http.StatusForbidden, "forbidden", "the install was not started from this browser or has expired; start again from /shopify/install")
		return
	}
	http.SetCookie(w, &http.Cookie{Name: stateCookie, Value: "", Path: "/shopify/callback", MaxAge: -1, HttpOnly: true, Secure: in.secure})
	tok, err := in.shops.cfg.App.ExchangeCode(r.Context(), shop, code)
	if err != nil {
		in.log.Warn("shopify install: code exchange failed", "shop", shop, "err", err)
		webhooks.WriteError(w, http.StatusBadGateway, "unavailable", "Shopify did not grant a token; start the install again")
		return
	}
	if _, err := in.shops.Install(r.Context(), shop, tok); err != nil {
		in.log.Error("shopify install: token not saved", "shop", shop, "err", err)
		msg := "could not save the shop's token"
		if tickets.ErrorCode(err) == tickets.EINVALID {
			msg += ": " + tickets.ErrorMessage(err) // e.g. HUB_SECRET_KEY is not set
		}
		webhooks.WriteError(w, http.StatusInternalServerError, "internal", msg)
		return
	}
	if in.subscribe != nil {
		if err := in.subscribe(r.Context(), shop); err != nil {
			// The shop is connected; the subscriptions can be registered by
			// installing again. Worth a warning, not a failed install.
			in.log.Warn("shopify install: webhook subscriptions not queued", "shop", shop, "err", err)
		}
	}
	in.log.Info("shopify shop installed", "shop", shop, "scope", tok.Scope, "expiring", !tok.ExpiresAt.IsZero())
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	fmt.Fprintf(w, "<!doctype html><title>Connected</title><p>%s is connected to the hub. Its orders and customers now show on tickets.</p>\n", html.EscapeString(shop))
}

// newState is nonce.expiry.mac, the mac binding both to the shop under the
// app secret.
func (in *Installer) newState(shop string) string {
	b := make([]byte, 16)
	_, _ = rand.Read(b)
	nonce := hex.EncodeToString(b)
	exp := strconv.FormatInt(in.now().Add(stateTTL).Unix(), 10)
	return nonce + "." + exp + "." + in.stateMAC(shop, nonce, exp)
}

func (in *Installer) checkState(state, shop string) bool {
	parts := strings.Split(state, ".")
	if len(parts) != 3 {
		return false
	}
	exp, err := strconv.ParseInt(parts[1], 10, 64)
	if err != nil || in.now().After(time.Unix(exp, 0)) {
		return false
	}
	return hmac.Equal([]byte(parts[2]), []byte(in.stateMAC(shop, parts[0], parts[1])))
}

func (in *Installer) stateMAC(shop, nonce, exp string) string {
	h := hmac.New(sha256.New, []byte(in.shops.cfg.App.APISecret))
	h.Write([]byte("hub-shopify-install|" + shop + "|" + nonce + "|" + exp))
	return hex.EncodeToString(h.Sum(nil))
}
