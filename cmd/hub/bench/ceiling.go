package bench

import (
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"strings"
	"time"

	"github.com/hibiken/asynq"

	"hub/connectors/shopify"
)

// The ceiling is the least a webhook receiver can do on this machine:
// read the body, verify Shopify's HMAC, enqueue the body to asynq under
// the webhook id, answer. It keeps nothing in Postgres, so what the hub
// reaches against it in the same run says what durable intake costs.
// `hub bench` runs it as a child process (`hub bench-ceiling`), like the
// hub, so both pay for the same process boundaries.

// Ceiling environment, set by the bench for its child.
const (
	CeilingAddrEnv  = "BENCH_CEILING_ADDR"
	CeilingQueueEnv = "BENCH_CEILING_QUEUE"
	CeilingRedisEnv = "BENCH_CEILING_REDIS"
)

// ServeCeiling runs the bare handler until ctx ends.
func ServeCeiling(ctx context.Context, getenv func(string) string) error {
	ropt, err := asynq.ParseRedisURI(getenv(CeilingRedisEnv))
	if err != nil {
		return err
	}
	client := asynq.NewClient(ropt)
	defer client.Close()
	queue := getenv(CeilingQueueEnv)
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, 8<<20))
		if err != nil {
			http.Error(w, "bad body", http.StatusBadRequest)
			return
		}
		shop := r.Header.Get("X-Shopify-Shop-Domain")
		if !shopify.ValidShop(shop) || !shopify.VerifyWebhook(body, r.Header.Get("X-Shopify-Hmac-Sha256"), benchShopSecret) {
			http.Error(w, "unauthorized", http.StatusUnauthorized)
			return
		}
		id := shop + ":" + strings.TrimSpace(r.Header.Get("X-Shopify-Webhook-Id"))
		_, err = client.EnqueueContext(r.Context(), asynq.NewTask("bench:ceiling", body), asynq.TaskID(id), asynq.Queue(queue))
		if err != nil && !errors.Is(err, asynq.ErrTaskIDConflict) {
			http.Error(w, "unavailable", http.StatusServiceUnavailable)
			return
		}
		w.WriteHeader(http.StatusOK)
	})
	ln, err := net.Listen("tcp", getenv(CeilingAddrEnv))
	if err != nil {
		return err
	}
	srv := &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second}
	go func() { <-ctx.Done(); _ = srv.Close() }()
	if err := srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}

// startCeiling runs the ceiling as a child of the stage.
func (s *stage) startCeiling(ctx context.Context) (*child, error) {
	addr, err := freeAddr()
	if err != nil {
		return nil, err
	}
	cmd := execCommand(s.env.cfg.Exe, "bench-ceiling")
	cmd.Env = append(s.hubEnv(addr), CeilingAddrEnv+"="+addr, CeilingQueueEnv+"="+s.queue+"-ceiling", CeilingRedisEnv+"="+s.env.cfg.RedisURL)
	c, err := s.run(cmd, "ceiling", addr)
	if err != nil {
		return nil, err
	}
	// Ready when it answers anything.
	deadline := time.Now().Add(30 * time.Second)
	for {
		resp, err := http.Get("http://" + addr + "/")
		if err == nil {
			drainBody(resp)
			return c, nil
		}
		if time.Now().After(deadline) || ctx.Err() != nil {
			c.stop()
			return nil, errors.New("the ceiling server did not start")
		}
		time.Sleep(50 * time.Millisecond)
	}
}
