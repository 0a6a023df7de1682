package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"os"
	"slices"
	"strings"
	"text/tabwriter"

	"github.com/go-chi/chi/v5"

	"hub/tickets"
	"hub/tickets/survey"
)

// wireSurvey serves the satisfaction page at /survey/{token}.
func (a *App) wireSurvey(context.Context) error {
	page := survey.New(a.store, a.log.With("component", "survey"))
	a.routes = append(a.routes, func(r chi.Router) { r.Mount("/survey", page.Routes()) })
	return nil
}

// surveyURL is the link a resolution reply carries: the hub's public URL
// (HUB_PUBLIC_URL), else this machine's listen address, which is right for
// a hub tried locally.
func surveyURL(cfg Config) func(token string) string {
	base := linkBase(cfg)
	return func(token string) string { return base + "/survey/" + token }
}

// linkBase is where links the hub mails (surveys, sign-in links) point:
// HUB_PUBLIC_URL, else this machine's listen address.
func linkBase(cfg Config) string {
	base := cfg.PublicURL
	if base == "" {
		host, port, err := net.SplitHostPort(cfg.Addr)
		if err != nil || host == "" || host == "0.0.0.0" || host == "::" {
			host = "localhost"
		}
		if port == "" {
			port = "8080"
		}
		base = "http://" + net.JoinHostPort(host, port)
	}
	return base
}

// The subcommands of replies.
var (
	repliesOrder = []string{"list", "show", "add", "edit", "delete"}
	repliesSubs  = map[string]subcommand{
		"list": {synopsis: "replies list", doc: "List the saved replies, with the placeholders each names."},
		"show": {synopsis: "replies show NAME", doc: "Print one saved reply."},
		"add": {synopsis: "replies add NAME (--body TEXT | --file F)", doc: "Save a new reply. Its placeholders are filled in from the ticket when it is sent; an unknown one is refused.",
			flags: replyTextFlags},
		"edit": {synopsis: "replies edit NAME [--name NEW] [--body TEXT | --file F]", doc: "Rename a saved reply or change its text.",
			flags: func(fs *flag.FlagSet) {
				fs.String("name", "", "a new name")
				replyTextFlags(fs)
			}},
		"delete": {synopsis: "replies delete NAME", doc: "Delete a saved reply."},
	}
)

func replyTextFlags(fs *flag.FlagSet) {
	fs.String("body", "", "the reply's text")
	fs.String("file", "", "read the reply's text from this file (- for stdin)")
}

// placeholderHelp lists what a saved reply may ask for.
func placeholderHelp(w io.Writer) {
	names := make([]string, 0, len(tickets.Placeholders))
	for n := range tickets.Placeholders {
		names = append(names, n)
	}
	slices.Sort(names)
	fmt.Fprintln(w, "\nPlaceholders, filled in from the ticket when a reply is sent:")
	for _, n := range names {
		fmt.Fprintf(w, "  %-24s %s\n", "{{"+n+"}}", tickets.Placeholders[n])
	}
}

// runReplies manages saved replies: hub replies list|show|add|edit|delete.
func runReplies(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	if len(args) == 0 || isHelp(args[:1]) {
		groupHelp(stdout, "replies", repliesSubs, repliesOrder)
		placeholderHelp(stdout)
		if len(args) == 0 {
			return usageError{"replies needs a subcommand"}
		}
		return flag.ErrHelp
	}
	sub, args := args[0], args[1:]
	sc, ok := repliesSubs[sub]
	if !ok {
		return usageError{fmt.Sprintf("unknown replies subcommand %q (want %s)", sub, strings.Join(repliesOrder, ", "))}
	}
	fs := flag.NewFlagSet("hub "+sc.synopsis, flag.ContinueOnError)
	if sc.flags != nil {
		sc.flags(fs)
	}
	// The name comes first (hub replies add NAME --body ...), or after the
	// flags.
	var name string
	if len(args) > 0 && !strings.HasPrefix(args[0], "-") {
		name, args = args[0], args[1:]
	}
	if err := parseFlags(fs, args, stdout, sc.synopsis, sc.doc); err != nil {
		if errors.Is(err, flag.ErrHelp) && (sub == "add" || sub == "edit") {
			placeholderHelp(stdout)
		}
		return err
	}
	rest := fs.Args()
	if name == "" && len(rest) > 0 {
		name, rest = rest[0], rest[1:]
	}
	if len(rest) > 0 {
		return usageError{fmt.Sprintf("replies %s: unexpected %q", sub, rest[0])}
	}
	set := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { set[f.Name] = true })
	flagValue := func(n string) string { return fs.Lookup(n).Value.String() }
	var body string
	switch {
	case set["body"] && set["file"]:
		return usageError{"give --body or --file, not both"}
	case set["body"]:
		body = flagValue("body")
	case set["file"]:
		b, err := readFile(flagValue("file"))
		if err != nil {
			return err
		}
		body, set["body"] = string(b), true
	}
	switch sub {
	case "list":
		if name != "" {
			return usageError{"replies list takes no name"}
		}
	case "show", "delete":
		if name == "" {
			return usageError{"replies " + sub + " needs a NAME"}
		}
	case "add":
		if name == "" || !set["body"] {
			return usageError{"replies add needs a NAME and --body or --file"}
		}
	case "edit":
		if name == "" || (!set["body"] && !set["name"]) {
			return usageError{"replies edit needs a NAME and --name, --body or --file"}
		}
	}

	app, err := openApp(ctx, getenv, stderr, false)
	if err != nil {
		return err
	}
	defer app.Close()
	st := app.store
	const by = "cli"
	switch sub {
	case "list":
		list, err := st.ListReplies(ctx)
		if err != nil {
			return err
		}
		tw := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "NAME\tPLACEHOLDERS\tUPDATED\tTEXT")
		for _, r := range list {
			ph := strings.Join(tickets.ReplyPlaceholders(r.Body), ",")
			if ph == "" {
				ph = "-"
			}
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", r.Name, ph, r.UpdatedAt.UTC().Format("2006-01-02 15:04"),
				cut(strings.Join(strings.Fields(r.Body), " "), 60))
		}
		return tw.Flush()
	case "show":
		r, err := st.GetReply(ctx, name)
		if err != nil {
			return errors.New(tickets.ErrorMessage(err))
		}
		fmt.Fprintf(stdout, "%s (updated %s by %s)\n\n%s\n", r.Name, r.UpdatedAt.UTC().Format("2006-01-02 15:04"), r.UpdatedBy, r.Body)
		return nil
	case "add":
		r, err := st.CreateReply(ctx, by, name, body)
		if err != nil {
			return errors.New(tickets.ErrorMessage(err))
		}
		fmt.Fprintf(stdout, "saved reply %q added\n", r.Name)
		return nil
	case "edit":
		var e tickets.ReplyEdit
		if set["body"] {
			e.Body = &body
		}
		if set["name"] {
			rename := flagValue("name")
			e.Name = &rename
		}
		r, err := st.EditReply(ctx, by, name, e)
		if err != nil {
			return errors.New(tickets.ErrorMessage(err))
		}
		fmt.Fprintf(stdout, "saved reply %q updated\n", r.Name)
		return nil
	}
	if err := st.DeleteReply(ctx, name); err != nil {
		return errors.New(tickets.ErrorMessage(err))
	}
	fmt.Fprintf(stdout, "saved reply %q deleted\n", name)
	return nil
}

func readFile(name string) ([]byte, error) {
	if name == "-" {
		return io.ReadAll(os.Stdin)
	}
	return os.ReadFile(name)
}
