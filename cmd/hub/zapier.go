package main

import (
	"context"
	"fmt"
	"time"

	"github.com/go-chi/chi/v5"
	"github.com/hibiken/asynq"

	hookclient "hub/connectors/zapier"
	"hub/connectors/zapier/zapiertest"
	"hub/tickets"
	"hub/tickets/api"
	"hub/tickets/postgres"
	"hub/webhooks"
	"hub/webhooks/zapier"
)

// zapierConfig is the Zapier connector's part of the configuration.
type zapierConfig struct {
	// Allowlist is ZAPIER_HOOK_ALLOWLIST: the URL prefixes a hook's
	// target_url may start with (default https://hooks.zapier.com/).
	Allowlist hookclient.Allowlist
	// IntakeWait is ZAPIER_INTAKE_WAIT: how long POST /webhooks/zapier waits
	// for its ticket before answering 202 without it (default 5s; 0 never
	// waits).
	IntakeWait time.Duration
	// demo is the fake Zapier hub demo starts (demo_zapier.go), kept here
	// so its story can read what the Zaps received.
	demo *zapiertest.Server
}

func loadZapierConfig(getenv func(string) string) (zapierConfig, error) {
	var c zapierConfig
	allow, err := hookclient.ParseAllowlist(getenv("ZAPIER_HOOK_ALLOWLIST"))
	if err != nil {
		return c, configError{"ZAPIER_HOOK_ALLOWLIST", "must be comma-separated http(s) URL prefixes such as https://hooks.zapier.com/"}
	}
	c.Allowlist = allow
	c.IntakeWait = 5 * time.Second
	if v := getenv("ZAPIER_INTAKE_WAIT"); v != "" {
		d, err := time.ParseDuration(v)
		if err != nil || d < 0 || d > 25*time.Second {
			// Zapier gives a step 30 seconds in all.
			return c, configError{"ZAPIER_INTAKE_WAIT", "must be a duration from 0s to 25s"}
		}
		c.IntakeWait = d
	}
	return c, nil
}

// wireZapier connects the Zapier connector: the intake's answer, hook
// subscriptions, sample lists and searches under /api/v1, and the delivery
// of ticket events to hooks through the outbox.
func (a *App) wireZapier(context.Context) error {
	a.replies = append(a.replies, func(ctx context.Context, _ tickets.Ticket) []string {
		hooks, err := a.store.HooksFor(ctx, tickets.EventMessageCreated)
		if err != nil {
			return nil
		}
		n := 0
		for _, h := range hooks {
			if h.MessageKind == "" || h.MessageKind == string(tickets.MessageReply) {
				n++
			}
		}
		if n == 0 {
			return nil
		}
		return []string{fmt.Sprintf("the ticket.message_created event to %d Zapier workflow(s)", n)}
	})
	svc := zapier.New(zapier.Config{
		Store:         a.store,
		Client:        hookclient.NewClient(a.cfg.Zapier.Allowlist, 15*time.Second),
		Policy:        a.cfg.Policy,
		Now:           a.now,
		Logger:        a.log.With("component", "zapier"),
		IsUnavailable: postgres.IsUnavailable,
		Metrics:       zapier.NewMetrics(a.reg),
	})
	keyID := func(ctx context.Context) string {
		id, _ := api.IdentityFrom(ctx)
		return id.ID
	}
	var intakeOpts []webhooks.IntakeOption
	if a.cfg.Zapier.IntakeWait > 0 {
		intakeOpts = append(intakeOpts, webhooks.WaitForTicket(a.cfg.Zapier.IntakeWait, svc.IntakeTicket, a.store, maxIntakeWaiting))
	}
	a.routes = append(a.routes,
		svc.Routes(a.api.RequireKey, keyID),
		// The intake answering with its ticket. chi prefers this static
		// path to router.go's /webhooks mount, which still holds the
		// plain (202-only) intake.
		func(r chi.Router) { r.Post("/webhooks/zapier", a.pipeline.ServeIntake(a.intakeAuth, intakeOpts...)) },
	)
	a.tasks = append(a.tasks, func(mux *asynq.ServeMux) { mux.HandleFunc(zapier.TypeDeliver, svc.ProcessDeliver) })
	a.followups = append(a.followups, zapier.Followups)
	return nil
}

// maxIntakeWaiting is how many intake requests may wait for their ticket
// at once in one process; more are answered 202 at once.
const maxIntakeWaiting = 64
