// Command hub is the integration hub: it receives Shopify, WooCommerce,
// Slack and Zapier webhooks, turns them into support tickets, and lets
// agents work those tickets from Slack. See README.md.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"hub/cmd/hub/bench"
)

const usage = `hub: the support integration hub

Usage:
  hub [serve]                      web + workers + scheduler in one process (default)
  hub web                          the HTTP role only (webhooks, API, admin)
  hub worker                       the asynq workers, outbox relay and sweeper only
  hub migrate                      create the database if missing and apply migrations
  hub connect shopify --shop S --token T
  hub connect woocommerce --url U --key K --secret S [--name N] [--customer-notes]
  hub connect slack --token T --signing-secret S --channel C
  hub connect email --address A [--imap-url U] [--smtp-url U]
                                   connect a store or workspace (credentials stored encrypted: needs HUB_SECRET_KEY)
  hub apikey create --name NAME    create an API key; prints the key alone on its last line
  hub apikey list                  list API keys (never the keys themselves)
  hub apikey revoke ID...          revoke API keys; the API refuses them at once
  hub agent create --email E --name N [--admin]
                                   create a dashboard account; prints a one-time password on its last line
  hub agent list | disable --email E
  hub deliveries list [--status S] [--limit N]
  hub deliveries replay ID...      put failed or ignored deliveries back in the pipeline
  hub replies list|show|add|edit|delete ...
                                   manage saved replies (hub replies --help)
  hub report [--from D] [--to D] [--json]
                                   the summary report as a table (or the API's JSON)
  hub demo                         run a whole story against built-in fakes and print it
  hub bench [flags]                load-test a hub of its own and check what it made
  hub rules check FILE             report each mistake in a rules file with its line (exit 1 if any)
  hub rules test FILE --ticket JSON
                                   show what the rules would do to a ticket (hub rules --help)
  hub --version                    print the version and the revision it was built from

hub COMMAND --help prints a command's own flags.

Configuration comes from the environment (see README.md): HUB_ADDR,
DATABASE_URL, REDIS_URL, HUB_API_KEY, HUB_SECRET_KEY, HUB_PUBLIC_URL,
HUB_RULES_FILE (rules; reloaded on SIGHUP), ...

Exit codes: 0 ok, 1 failure, 2 bad usage.
`

// usageError is a bad command line: exit code 2.
type usageError struct{ msg string }

func (e usageError) Error() string { return e.msg }

func main() {
	routeRedisLogs()
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.Getenv, os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

// run is main without the process: tests call it.
func run(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) int {
	cmd := "serve"
	if len(args) > 0 {
		cmd, args = args[0], args[1:]
	}
	if cmd == "-h" || cmd == "--help" || cmd == "help" {
		fmt.Fprint(stdout, usage)
		return 0
	}
	err := dispatch(ctx, cmd, args, getenv, stdout, stderr)
	var ue usageError
	switch {
	case err == nil:
		return 0
	case errors.Is(err, flag.ErrHelp):
		return 0 // the command printed its help
	case errors.As(err, &ue):
		fmt.Fprintf(stderr, "hub: %s\n(see hub --help)\n", ue.msg)
		return 2
	default:
		fmt.Fprintf(stderr, "hub: %s\n", err)
		return 1
	}
}

func dispatch(ctx context.Context, cmd string, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	switch cmd {
	case "--version", "-version", "version":
		fmt.Fprintln(stdout, versionString())
		return nil
	case "replies":
		return runReplies(ctx, args, getenv, stdout, stderr)
	case "report":
		return runReport(ctx, args, getenv, stdout, stderr)
	case "rules":
		return runRules(args, getenv, os.Stdin, stdout, stderr, time.Now())
	case "agent":
		return runAgent(ctx, args, getenv, stdout, stderr)
	case "bench-ceiling":
		// The bench's bare handler, run by `hub bench` as a child process.
		return bench.ServeCeiling(ctx, getenv)
	case "bench":
		return runBench(ctx, args, getenv, stdout, stderr)
	case "demo":
		return runDemo(ctx, args, getenv, stdout, stderr)
	case "connect":
		return runConnect(ctx, args, getenv, stdout, stderr)
	}
	var (
		sc  subcommand
		sub string
	)
	switch cmd {
	case "apikey", "deliveries":
		subs, order := apikeySubs, apikeyOrder
		if cmd == "deliveries" {
			subs, order = deliveriesSubs, deliveriesOrder
		}
		if len(args) == 0 || isHelp(args[:1]) {
			groupHelp(stdout, cmd, subs, order)
			if len(args) == 0 {
				return usageError{cmd + " needs a subcommand"}
			}
			return flag.ErrHelp
		}
		sub, args = args[0], args[1:]
		var ok bool
		if sc, ok = subs[sub]; !ok {
			return usageError{fmt.Sprintf("unknown %s subcommand %q (want %s)", cmd, sub, strings.Join(order, ", "))}
		}
	default:
		var ok bool
		if sc, ok = plainCommands[cmd]; !ok {
			return usageError{fmt.Sprintf("unknown command %q", cmd)}
		}
	}
	fs := flag.NewFlagSet("hub "+sc.synopsis, flag.ContinueOnError)
	if sc.flags != nil {
		sc.flags(fs)
	}
	if err := parseFlags(fs, args, stdout, sc.synopsis, sc.doc); err != nil {
		return err
	}
	serving := cmd == "serve" || cmd == "web" || cmd == "worker"

	app, err := openApp(ctx, getenv, stderr, serving)
	if err != nil {
		return err
	}
	defer app.Close()

	switch cmd {
	case "migrate":
		if fs.NArg() > 0 {
			return usageError{"migrate takes no arguments"}
		}
		fmt.Fprintln(stdout, "database is up to date")
		return nil
	case "apikey":
		return app.apikeyCommand(ctx, sub, fs, stdout)
	case "deliveries":
		return app.deliveriesCommand(ctx, sub, fs, stdout)
	}
	if fs.NArg() > 0 {
		return usageError{fmt.Sprintf("%s takes no arguments", cmd)}
	}
	var ln net.Listener
	if cmd == "serve" || cmd == "web" {
		if ln, err = net.Listen("tcp", app.cfg.Addr); err != nil {
			return fmt.Errorf("listen on %s: %w", app.cfg.Addr, err)
		}
	}
	return app.serve(ctx, ln, cmd == "serve" || cmd == "worker")
}

// serve runs the web role on ln (none when ln is nil), the worker role if
// worker, or both, until ctx ends. hub serve, the demo and the tests all
// run through it.
func (a *App) serve(ctx context.Context, ln net.Listener, worker bool) error {
	if a.cfg.DebugAddr != "" {
		if err := a.serveDebug(ctx, a.cfg.DebugAddr); err != nil {
			return fmt.Errorf("HUB_DEBUG_ADDR: %w", err)
		}
	}
	a.notifyRules(ctx)
	errc := make(chan error, 2)
	n := 0
	if ln != nil {
		a.log.Info("hub listening", "addr", ln.Addr().String())
		n++
		go func() { errc <- a.ServeHTTP(ctx, ln) }()
	}
	if worker {
		a.log.Info("hub workers running", "concurrency", a.cfg.WorkerConcurrency)
		n++
		go func() { errc <- a.RunWorker(ctx) }()
	}
	watchCtx, stopWatch := context.WithCancel(ctx)
	watched := make(chan struct{})
	go func() { defer close(watched); a.watchRedis(watchCtx) }()
	var first error
	for range n {
		if err := <-errc; err != nil && first == nil {
			first = err
		}
	}
	stopWatch()
	<-watched
	a.log.Info("hub stopped")
	return first
}

// runConnect connects a store or workspace: hub connect shopify|woocommerce|slack ...
// Each connector parses its own flags.
func runConnect(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" {
		fmt.Fprint(stdout, usage)
		if len(args) == 0 {
			return usageError{"connect needs shopify, woocommerce, slack or email"}
		}
		return nil
	}
	kind, rest := args[0], args[1:]
	var connect func(*App) func(context.Context, []string, io.Writer) error
	switch kind {
	case "shopify":
		connect = func(a *App) func(context.Context, []string, io.Writer) error { return a.connectShopify }
	case "woocommerce":
		connect = func(a *App) func(context.Context, []string, io.Writer) error { return a.connectWooCommerce }
	case "slack":
		connect = func(a *App) func(context.Context, []string, io.Writer) error { return a.connectSlack }
	case "email":
		connect = func(a *App) func(context.Context, []string, io.Writer) error { return a.connectEmail }
	default:
		return usageError{fmt.Sprintf("cannot connect %q (want shopify, woocommerce, slack or email)", kind)}
	}
	if isHelp(rest) {
		// Each connector prints its help while parsing, before it needs
		// the App: no database is opened to show flags.
		return connect(&App{})(ctx, rest, stdout)
	}
	app, err := openApp(ctx, getenv, stderr, false)
	if err != nil {
		return err
	}
	defer app.Close()
	return connect(app)(ctx, rest, stdout)
}

// openApp reads the configuration and opens the App for a command. Only
// the serving roles log about connectors; a command that serves nothing
// logs errors only.
func openApp(ctx context.Context, getenv func(string) string, stderr io.Writer, serving bool) (*App, error) {
	cfg, err := LoadConfig(getenv)
	if err != nil {
		return nil, err
	}
	return Open(ctx, cfg, commandLogger(stderr, cfg.LogLevel, serving))
}
