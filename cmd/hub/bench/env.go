package bench

import (
	"bufio"
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/hibiken/asynq"
	"github.com/jackc/pgx/v5"
	"github.com/redis/go-redis/v9"

	"hub/webhooks"
)

// env is what every phase shares: the vendor fakes and the bench's
// settings. Each phase gets a stage of its own (database and queue), so
// one phase's leftovers never become the next one's work.
type env struct {
	cfg    Config
	fakes  *fakes
	redis  asynq.RedisConnOpt
	stages []*stage
}

func newEnv(ctx context.Context, cfg Config) (*env, error) {
	ropt, err := asynq.ParseRedisURI(cfg.RedisURL)
	if err != nil {
		return nil, fmt.Errorf("REDIS_URL: %w", err)
	}
	f, err := startFakes(cfg)
	if err != nil {
		return nil, err
	}
	return &env{cfg: cfg, fakes: f, redis: ropt}, nil
}

func (e *env) close() {
	for _, s := range e.stages {
		s.close()
	}
	e.fakes.close()
}

func (e *env) logf(format string, args ...any) {
	fmt.Fprintf(e.cfg.Log, "bench: "+format+"\n", args...)
}

// stage is one phase's database, queue and hub processes.
type stage struct {
	env      *env
	name     string
	dbURL    string
	adminURL string
	queue    string
	apiKey   string
	// childDB, when set, is the DATABASE_URL the hub processes get instead
	// of dbURL (the chaos tests put a proxy they can break in between);
	// the bench's own checks always read dbURL.
	childDB  string
	children []*child
}

// newStage creates a fresh database and names a queue for a phase.
func (e *env) newStage(ctx context.Context, phase string) (*stage, error) {
	u, err := url.Parse(e.cfg.DatabaseURL)
	if err != nil {
		return nil, fmt.Errorf("DATABASE_URL: %w", err)
	}
	suffix := randomHex(4)
	name := "hub_bench_" + phase + "_" + suffix
	admin := *u
	admin.Path = "/postgres"
	q := admin.Query()
	for k := range q {
		if strings.HasPrefix(k, "pool_") {
			q.Del(k)
		}
	}
	admin.RawQuery = q.Encode()
	conn, err := pgx.Connect(ctx, admin.String())
	if err != nil {
		return nil, fmt.Errorf("connect to postgres: %w", err)
	}
	defer conn.Close(ctx)
	if _, err := conn.Exec(ctx, "create database "+pgx.Identifier{name}.Sanitize()); err != nil {
		return nil, fmt.Errorf("create bench database: %w", err)
	}
	db := *u
	db.Path = "/" + name
	s := &stage{
		env: e, name: phase, dbURL: db.String(), adminURL: admin.String(),
		queue: "bench-" + phase + "-" + suffix, apiKey: "bench-key-" + randomHex(12),
	}
	e.stages = append(e.stages, s)
	return s, nil
}

// close stops the stage's processes, deletes its queue and drops its
// database: a bench leaves nothing behind.
func (s *stage) close() {
	s.stop()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	// The hub's queue and the ceiling's (the intake phase's bare handler
	// enqueues everything it verifies to a queue of its own), every key.
	rdb := s.env.redis.MakeRedisClient().(redis.UniversalClient)
	for _, q := range []string{s.queue, s.queue + "-ceiling"} {
		if err := webhooks.RemoveQueue(ctx, rdb, q); err != nil {
			s.env.logf("remove queue %s: %v", q, err)
		}
	}
	_ = rdb.Close()
	if conn, err := pgx.Connect(ctx, s.adminURL); err == nil {
		u, _ := url.Parse(s.dbURL)
		_, _ = conn.Exec(ctx, "drop database if exists "+pgx.Identifier{strings.TrimPrefix(u.Path, "/")}.Sanitize()+" with (force)")
		conn.Close(ctx)
	}
}

func (s *stage) stop() {
	for _, c := range s.children {
		c.stop()
	}
	s.children = nil
}

// hubEnv is the environment of a hub child: the stage's database and
// queue, and every connector pointed at the fakes.
func (s *stage) hubEnv(addr string) []string {
	f := s.env.fakes
	db := s.dbURL
	if s.childDB != "" {
		db = s.childDB
	}
	env := []string{
		"PATH=" + os.Getenv("PATH"),
		"HOME=" + os.Getenv("HOME"),
		"DATABASE_URL=" + db,
		"REDIS_URL=" + s.env.cfg.RedisURL,
		"HUB_QUEUE=" + s.queue,
		"HUB_ADDR=" + addr,
		"HUB_API_KEY=" + s.apiKey,
		"HUB_LOG_LEVEL=warn",
		"SHOPIFY_SHOP=" + benchShop,
		"SHOPIFY_ACCESS_TOKEN=" + benchShopToken,
		"SHOPIFY_API_SECRET=" + benchShopSecret,
		"SHOPIFY_API_BASE_URL=" + f.shopifyURL,
		"SHOPIFY_OPEN_TICKETS=cancelled,refund,fraud",
		"WOOCOMMERCE_URL=" + f.wooURL,
		"WOOCOMMERCE_CONSUMER_KEY=" + f.woo.Key,
		"WOOCOMMERCE_CONSUMER_SECRET=" + f.woo.Secret,
		"WOOCOMMERCE_WEBHOOK_SECRET=" + benchWooSecret,
		"WOOCOMMERCE_RECONCILE_EVERY=1h",
		"SLACK_BOT_TOKEN=" + benchSlackToken,
		"SLACK_SIGNING_SECRET=" + benchSlackSecret,
		"SLACK_CHANNEL=" + benchChannel,
		"SLACK_API_URL=" + f.slackURL,
		"ZAPIER_HOOK_ALLOWLIST=" + f.hooksURL + "/",
	}
	return append(env, s.env.cfg.Env...)
}

// child is one hub process.
type child struct {
	role      string
	cmd       *exec.Cmd
	addr      string        // the web role's address
	debugAddr string        // its profiler's, when profiling
	done      chan struct{} // closed when the process has exited
	err       error         // how it exited, once done
}

// start runs `hub <role>` (web, serve, worker) for the stage and waits
// until it is ready.
func (s *stage) start(ctx context.Context, role string) (*child, error) {
	addr := ""
	if role != "worker" {
		var err error
		if addr, err = freeAddr(); err != nil {
			return nil, err
		}
	}
	cmd := exec.Command(s.env.cfg.Exe, role)
	cmd.Env = s.hubEnv(addr)
	if role == "web" && s.name == "intake" {
		// The intake phase runs no worker: the queue only grows, and past
		// HUB_MAX_BACKLOG the hub would rightly shed everything, which is
		// not what the phase measures. The user's --env still wins.
		cmd.Env = append([]string{"HUB_MAX_BACKLOG=100000000"}, cmd.Env...)
	}
	debug := ""
	if s.env.cfg.ProfileDir != "" && addr != "" {
		if a, err := freeAddr(); err == nil {
			debug = a
			cmd.Env = append(cmd.Env, "HUB_DEBUG_ADDR="+debug)
		}
	}
	c, err := s.run(cmd, role, addr)
	if err != nil {
		return nil, err
	}
	c.debugAddr = debug
	if addr != "" {
		if err := c.waitReady(ctx); err != nil {
			c.stop()
			return nil, err
		}
	}
	return c, nil
}

func (s *stage) run(cmd *exec.Cmd, role, addr string) (*child, error) {
	cmd.Stdout = s.env.cfg.Log
	// A bench that dies (Ctrl-C twice, a timeout) takes its hubs with it.
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	stderr, err := cmd.StderrPipe()
	if err != nil {
		return nil, err
	}
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("start hub %s: %w", role, err)
	}
	c := &child{role: role, cmd: cmd, addr: addr, done: make(chan struct{})}
	go func() {
		sc := bufio.NewScanner(stderr)
		sc.Buffer(make([]byte, 64<<10), 1<<20)
		for sc.Scan() {
			fmt.Fprintf(s.env.cfg.Log, "[%s %s] %s\n", s.name, role, sc.Text())
		}
		c.err = cmd.Wait()
		close(c.done)
	}()
	s.children = append(s.children, c)
	return c, nil
}

func (c *child) waitReady(ctx context.Context) error {
	deadline := time.Now().Add(90 * time.Second)
	for {
		select {
		case <-c.done:
			return fmt.Errorf("hub %s exited before it was ready: %v", c.role, c.err)
		default:
		}
		resp, err := http.Get("http://" + c.addr + "/readyz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return nil
			}
		}
		if time.Now().After(deadline) || ctx.Err() != nil {
			return fmt.Errorf("hub %s on %s not ready", c.role, c.addr)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// stop ends the process as an operator would (SIGTERM), then for good.
// Stopping a stopped child does nothing.
func (c *child) stop() {
	select {
	case <-c.done:
		return
	default:
	}
	_ = c.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-c.done:
	case <-time.After(30 * time.Second):
		_ = c.cmd.Process.Kill()
		<-c.done
	}
}

// memory is the process's resident memory now and at its peak, in MiB.
func (c *child) memory() (rss, peak float64) {
	f, err := os.Open("/proc/" + strconv.Itoa(c.cmd.Process.Pid) + "/status")
	if err != nil {
		return 0, 0
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		k, v, _ := strings.Cut(sc.Text(), ":")
		fields := strings.Fields(v)
		if len(fields) == 0 {
			continue
		}
		kb, _ := strconv.ParseFloat(fields[0], 64)
		switch k {
		case "VmRSS":
			rss = kb / 1024
		case "VmHWM":
			peak = kb / 1024
		}
	}
	return rss, peak
}

func freeAddr() (string, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	defer ln.Close()
	return ln.Addr().String(), nil
}

func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// drainBody reads and closes a response body so its connection is reused.
func drainBody(resp *http.Response) {
	_, _ = io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
}
