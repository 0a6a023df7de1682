package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"hub/tickets"
)

func (a *App) apikeyCommand(ctx context.Context, sub string, fs *flag.FlagSet, out io.Writer) error {
	rest := fs.Args()
	switch sub {
	case "create":
		name := strings.TrimSpace(fs.Lookup("name").Value.String())
		if name == "" || len(rest) > 0 {
			return usageError{"apikey create needs --name NAME and nothing else"}
		}
		key, k, err := a.store.CreateAPIKey(ctx, name)
		if err != nil {
			return err
		}
		fmt.Fprintf(out, "Created API key %q (id %s). It is shown only once:\n%s\n", k.Name, k.ID, key)
		return nil
	case "list":
		if len(rest) > 0 {
			return usageError{"apikey list takes no arguments"}
		}
		keys, err := a.store.ListAPIKeys(ctx)
		if err != nil {
			return err
		}
		tw := tabwriter.NewWriter(out, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "ID\tNAME\tPREFIX\tCREATED\tREVOKED")
		for _, k := range keys {
			revoked := "-"
			if k.RevokedAt != nil {
				revoked = k.RevokedAt.UTC().Format(time.RFC3339)
			}
			fmt.Fprintf(tw, "%s\t%s\t%s…\t%s\t%s\n", k.ID, cut(k.Name, 40), k.Prefix, k.CreatedAt.UTC().Format(time.RFC3339), revoked)
		}
		return tw.Flush()
	case "revoke":
		if len(rest) == 0 {
			return usageError{"apikey revoke needs at least one key id (see hub apikey list)"}
		}
		for _, id := range rest {
			if err := a.store.RevokeAPIKey(ctx, id); err != nil {
				return fmt.Errorf("revoke %s: %s", id, tickets.ErrorMessage(err))
			}
			fmt.Fprintf(out, "API key %s revoked\n", id)
		}
		return nil
	}
	return usageError{fmt.Sprintf("unknown apikey subcommand %q (want create, list or revoke)", sub)}
}

func (a *App) deliveriesCommand(ctx context.Context, sub string, fs *flag.FlagSet, out io.Writer) error {
	rest := fs.Args()
	switch sub {
	case "list":
		if len(rest) > 0 {
			return usageError{"deliveries list takes no arguments"}
		}
		st := tickets.DeliveryStatus(fs.Lookup("status").Value.String())
		limit, _ := strconv.Atoi(fs.Lookup("limit").Value.String())
		if limit < 1 {
			return usageError{"--limit must be at least 1"}
		}
		switch st {
		case "", tickets.DeliveryReceived, tickets.DeliveryProcessed, tickets.DeliveryFailed, tickets.DeliveryIgnored:
		default:
			return usageError{"--status must be received, processed, failed or ignored"}
		}
		list, err := a.store.ListDeliveries(ctx, st, limit)
		if err != nil {
			return err
		}
		tw := tabwriter.NewWriter(out, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "ID\tSOURCE\tTOPIC\tSTATUS\tATTEMPTS\tNEXT TRY\tRECEIVED\tERROR")
		for _, d := range list {
			next := "-"
			if d.RetryAt != nil {
				next = d.RetryAt.UTC().Format(time.RFC3339)
			}
			fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%d\t%s\t%s\t%s\n", d.ID, d.Source, d.Topic, d.Status, d.Attempts, next,
				d.ReceivedAt.UTC().Format(time.RFC3339), cut(d.Error, 80))
		}
		return tw.Flush()
	case "replay":
		if len(rest) == 0 {
			return usageError{"deliveries replay needs at least one delivery id"}
		}
		for _, s := range rest {
			id, err := strconv.ParseInt(s, 10, 64)
			if err != nil {
				return usageError{fmt.Sprintf("%q is not a delivery id", s)}
			}
			if _, err := a.pipeline.Replay(ctx, id); err != nil {
				return fmt.Errorf("replay %d: %s", id, tickets.ErrorMessage(err))
			}
			fmt.Fprintf(out, "delivery %d queued again\n", id)
		}
		return nil
	}
	return usageError{fmt.Sprintf("unknown deliveries subcommand %q (want list or replay)", sub)}
}

func cut(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n-1]) + "…"
}
