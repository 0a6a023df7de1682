package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"hub/tickets"
	"hub/tickets/rules"
	whslack "hub/webhooks/slack"
)

const rulesUsage = `Usage:
  hub rules check FILE                 report each mistake in a rules file with its line; exit 1 if any
  hub rules test FILE --ticket JSON    show what the rules would do to a ticket (JSON, @file, or - for stdin)
  hub rules defaults                   print the built-in rules, a start for one's own file

FILE may be "default" for the built-in rules. The hub loads HUB_RULES_FILE at
start and again on SIGHUP; a file with mistakes is refused and the rules in
force stay.
`

// loadRules reads the rules file named by HUB_RULES_FILE, or the built-in
// rules when none is named.
func loadRules(file string) (*rules.RuleSet, error) {
	if file == "" {
		return rules.Default(), nil
	}
	data, err := os.ReadFile(file)
	if err != nil {
		return nil, fmt.Errorf("HUB_RULES_FILE: %w", err)
	}
	return rules.Parse(file, data)
}

// reloadRules reads HUB_RULES_FILE again and puts it in force. A file
// that cannot be read or has mistakes is refused: each mistake is logged
// with its line and the rules in force stay.
func (a *App) reloadRules() error {
	file := a.cfg.RulesFile
	var data []byte
	if file == "" {
		file, data = "default.yaml", rules.DefaultFile()
	} else {
		var err error
		if data, err = os.ReadFile(file); err != nil {
			a.log.Error("rules: cannot read the rules file; the rules in force stay", "file", file, "error", err,
				"digest", a.rules.Get().Digest)
			return err
		}
	}
	rs, err := a.rules.Reload(file, data)
	if err != nil {
		var ps rules.Problems
		if errors.As(err, &ps) {
			for _, p := range ps {
				a.log.Error("rules: "+p.String(), "file", p.File, "line", p.Line)
			}
		}
		a.log.Error("rules: the file is refused; the rules in force stay", "file", file, "digest", rs.Digest)
		return err
	}
	a.log.Info("rules loaded", "file", file, "rules", len(rs.Rules), "teams", len(rs.Teams), "digest", rs.Digest)
	return nil
}

// watchRules reloads the rules on each signal on sig until ctx ends.
func (a *App) watchRules(ctx context.Context, sig <-chan os.Signal) {
	for {
		select {
		case <-ctx.Done():
			return
		case <-sig:
			_ = a.reloadRules()
		}
	}
}

// notifyRules starts reloading the rules on SIGHUP, for hub serve, web and
// worker alike (each role runs rules: the API creates tickets too).
func (a *App) notifyRules(ctx context.Context) {
	sig := make(chan os.Signal, 1)
	signal.Notify(sig, syscall.SIGHUP)
	go func() {
		<-ctx.Done()
		signal.Stop(sig)
	}()
	go a.watchRules(ctx, sig)
}

// runRules is `hub rules ...`: it needs neither database nor Redis.
func runRules(args []string, getenv func(string) string, stdin io.Reader, stdout, stderr io.Writer, now time.Time) error {
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" {
		fmt.Fprint(stdout, rulesUsage)
		if len(args) == 0 {
			return usageError{"rules needs check, test or defaults"}
		}
		return nil
	}
	sub, args := args[0], args[1:]
	fs := flag.NewFlagSet("rules "+sub, flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() { fmt.Fprint(stderr, rulesUsage) }
	ticket := fs.String("ticket", "", "the ticket as JSON, @FILE, or - for stdin (rules test)")
	// Flags may come after FILE: `hub rules test rules.yaml --ticket ...`.
	var pos []string
	for len(args) > 0 {
		if err := fs.Parse(args); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				return err
			}
			return usageError{err.Error()}
		}
		if fs.NArg() == 0 {
			break
		}
		pos, args = append(pos, fs.Arg(0)), fs.Args()[1:]
	}
	switch sub {
	case "defaults":
		if len(pos) > 0 {
			return usageError{"rules defaults takes no arguments"}
		}
		_, err := stdout.Write(rules.DefaultFile())
		return err
	case "check", "test":
	default:
		return usageError{fmt.Sprintf("unknown rules subcommand %q (want check, test or defaults)", sub)}
	}
	if len(pos) != 1 {
		return usageError{"rules " + sub + " needs one FILE"}
	}
	name, data, err := readRulesArg(pos[0])
	if err != nil {
		return err
	}
	if sub == "check" {
		if ps := rules.Check(name, data); len(ps) > 0 {
			for _, p := range ps {
				fmt.Fprintln(stdout, p.String())
			}
			return fmt.Errorf("%s: %d mistake(s); the hub would refuse this file", name, len(ps))
		}
		rs, _ := rules.Parse(name, data)
		fmt.Fprintln(stdout, rs.Summary())
		return nil
	}
	if *ticket == "" {
		return usageError{"rules test needs --ticket JSON"}
	}
	rs, err := rules.Parse(name, data)
	if err != nil {
		fmt.Fprintln(stdout, err.Error())
		return fmt.Errorf("%s has mistakes; run hub rules check %s", name, pos[0])
	}
	js, err := readTicketArg(*ticket, stdin)
	if err != nil {
		return err
	}
	cal, err := tickets.ParseCalendar(getenv("HUB_TIMEZONE"), getenv("HUB_BUSINESS_DAYS"), getenv("HUB_BUSINESS_HOURS"))
	if err != nil {
		return configError{"HUB_TIMEZONE/HUB_BUSINESS_DAYS/HUB_BUSINESS_HOURS", tickets.ErrorMessage(err)}
	}
	out, err := rules.Explain(rs, js, cal, now)
	if err != nil {
		return usageError{err.Error()}
	}
	_, err = io.WriteString(stdout, out)
	return err
}

func readRulesArg(file string) (string, []byte, error) {
	if file == "default" {
		return "default.yaml", rules.DefaultFile(), nil
	}
	data, err := os.ReadFile(file)
	if err != nil {
		return "", nil, err
	}
	return file, data, nil
}

func readTicketArg(v string, stdin io.Reader) ([]byte, error) {
	switch {
	case v == "-":
		return io.ReadAll(io.LimitReader(stdin, 1<<20))
	case strings.HasPrefix(v, "@"):
		return os.ReadFile(v[1:])
	}
	return []byte(v), nil
}

// ruleRoutes adds the rules' team channels to Slack's routes: a ticket a
// rule gives to a team goes to that team's channel. SLACK_ROUTES (and a
// connected workspace's routes) come first, so an operator's explicit
// route wins.
type ruleRoutes struct {
	whslack.Settings
	rules *rules.Current
}

func (r ruleRoutes) Workspace(ctx context.Context) (whslack.Workspace, bool, error) {
	ws, ok, err := r.Settings.Workspace(ctx)
	return r.add(ws), ok, err
}

func (r ruleRoutes) Peek(ctx context.Context) (whslack.Workspace, bool, error) {
	ws, ok, err := r.Settings.Peek(ctx)
	return r.add(ws), ok, err
}

func (r ruleRoutes) add(ws whslack.Workspace) whslack.Workspace {
	rs := r.rules.Get()
	if rs == nil {
		return ws
	}
	routes := append(whslack.Routes(nil), ws.Routes...)
	for _, t := range rs.Teams {
		if t.Channel != "" {
			routes = append(routes, whslack.Route{Kind: "team", Value: strings.ToLower(t.Name), Channel: t.Channel})
		}
	}
	ws.Routes = routes
	return ws
}

// logRules says at start which rules are in force.
func logRules(log *slog.Logger, file string, rs *rules.RuleSet) {
	if file == "" {
		file = "built-in defaults"
	}
	log.Info("rules in force", "file", file, "rules", len(rs.Rules), "teams", len(rs.Teams), "digest", rs.Digest)
}
