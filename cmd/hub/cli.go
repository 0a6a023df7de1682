package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"runtime/debug"
	"strings"
)

// version is set at build time (go build -ldflags "-X main.version=v1.2.3");
// without it, hub --version reports what the Go toolchain recorded: the
// module version and the VCS revision the binary was built from.
var version = ""

// versionString is what hub --version prints.
func versionString() string {
	v, rev, at, dirty := version, "", "", false
	goVersion := ""
	if bi, ok := debug.ReadBuildInfo(); ok {
		goVersion = bi.GoVersion
		if v == "" {
			v = bi.Main.Version
		}
		for _, s := range bi.Settings {
			switch s.Key {
			case "vcs.revision":
				rev = s.Value
			case "vcs.time":
				at = s.Value
			case "vcs.modified":
				dirty = s.Value == "true"
			}
		}
	}
	if v == "" || v == "(devel)" {
		v = "devel"
	}
	var extra []string
	if rev != "" {
		if len(rev) > 12 {
			rev = rev[:12]
		}
		if dirty {
			rev += "+dirty"
		}
		extra = append(extra, rev)
	}
	if at != "" {
		extra = append(extra, at)
	}
	if goVersion != "" {
		extra = append(extra, goVersion)
	}
	if len(extra) == 0 {
		return "hub " + v
	}
	return "hub " + v + " (" + strings.Join(extra, ", ") + ")"
}

// subcommand is one command line of hub's: how it is written, what it does,
// and the flags it alone takes.
type subcommand struct {
	synopsis string // after "hub ", e.g. "apikey create --name NAME"
	doc      string
	flags    func(fs *flag.FlagSet) // nil: no flags
}

// parseFlags parses args for one subcommand. --help prints that
// subcommand's own usage and flags on stdout and returns flag.ErrHelp (exit
// 0); a bad flag is returned once, as a usageError, and nothing else is
// printed: run reports it.
func parseFlags(fs *flag.FlagSet, args []string, stdout io.Writer, synopsis, doc string) error {
	fs.SetOutput(io.Discard)
	fs.Usage = func() {}
	err := fs.Parse(args)
	if errors.Is(err, flag.ErrHelp) {
		printHelp(stdout, fs, synopsis, doc)
		return err
	}
	if err != nil {
		return usageError{err.Error()}
	}
	return nil
}

// printHelp prints a subcommand's usage and its flags, if any.
func printHelp(w io.Writer, fs *flag.FlagSet, synopsis, doc string) {
	fmt.Fprintf(w, "Usage: hub %s\n", synopsis)
	if doc != "" {
		fmt.Fprintf(w, "\n%s\n", strings.TrimSpace(doc))
	}
	n := 0
	fs.VisitAll(func(*flag.Flag) { n++ })
	if n > 0 {
		fmt.Fprintln(w, "\nFlags:")
		fs.SetOutput(w)
		fs.PrintDefaults()
		fs.SetOutput(io.Discard)
	}
}

// isHelp reports whether args ask for help anywhere a flag could be.
func isHelp(args []string) bool {
	for _, a := range args {
		switch a {
		case "--":
			return false
		case "-h", "-help", "--help", "--h":
			return true
		}
	}
	return false
}

// groupHelp prints the subcommands of a command with subcommands (apikey,
// deliveries).
func groupHelp(w io.Writer, group string, subs map[string]subcommand, order []string) {
	fmt.Fprintf(w, "Usage:\n")
	for _, name := range order {
		s := subs[name]
		fmt.Fprintf(w, "  hub %-40s %s\n", s.synopsis, firstSentence(s.doc))
	}
	fmt.Fprintf(w, "\nhub %s SUBCOMMAND --help shows a subcommand's flags.\n", group)
}

func firstSentence(s string) string {
	s = strings.TrimSpace(s)
	if i := strings.IndexAny(s, ".\n"); i >= 0 {
		return s[:i]
	}
	return s
}

// The commands that take no flags of their own.
var plainCommands = map[string]subcommand{
	"serve":   {synopsis: "serve", doc: "Run the web role, the workers and the scheduler in one process (the default command)."},
	"web":     {synopsis: "web", doc: "Run the HTTP role only: webhooks, the API, health and metrics."},
	"worker":  {synopsis: "worker", doc: "Run the asynq workers, the outbox relay, the sweeper and the scheduler only."},
	"migrate": {synopsis: "migrate", doc: "Create the database if it is missing and apply the migrations."},
}

// The subcommands of apikey and deliveries.
var (
	apikeyOrder = []string{"create", "list", "revoke"}
	apikeySubs  = map[string]subcommand{
		"create": {synopsis: "apikey create --name NAME", doc: "Create an API key. It is printed once, alone on the last line; only its hash is stored.",
			flags: func(fs *flag.FlagSet) { fs.String("name", "", "a name telling people what the key is for (required)") }},
		"list":   {synopsis: "apikey list", doc: "List the API keys: id, name, prefix, created and revoked times. Keys themselves are never shown."},
		"revoke": {synopsis: "apikey revoke ID...", doc: "Revoke API keys by id (from apikey list). The API refuses a revoked key at once."},
	}
	deliveriesOrder = []string{"list", "replay"}
	deliveriesSubs  = map[string]subcommand{
		"list": {synopsis: "deliveries list [--status S] [--limit N]", doc: "List webhook deliveries, newest first, with their attempts, next try and last error.",
			flags: func(fs *flag.FlagSet) {
				fs.String("status", "", "only deliveries in this status: received, processed, failed or ignored")
				fs.Int("limit", 50, "how many to list")
			}},
		"replay": {synopsis: "deliveries replay ID...", doc: "Put failed or ignored deliveries back in the pipeline."},
	}
)
