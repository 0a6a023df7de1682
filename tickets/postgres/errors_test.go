package postgres_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"hub/tickets"
	"hub/tickets/postgres"
)

func TestIsUnavailable(t *testing.T) {
	t.Parallel()
	pool, err := pgxpool.New(context.Background(), "postgres://postgres@127.0.0.1:1/hub?sslmode=disable&connect_timeout=2")
	if err != nil {
		t.Fatal(err)
	}
	defer pool.Close()
	store := postgres.New(pool, postgres.Options{})
	_, err = store.GetTicket(context.Background(), "T-1001")
	if err == nil || !postgres.IsUnavailable(err) {
		t.Errorf("GetTicket with Postgres down: %v; IsUnavailable = false", err)
	}
	if tickets.ErrorCode(err) != tickets.EINTERNAL {
		t.Errorf("code = %s; a connection failure is not the caller's fault", tickets.ErrorCode(err))
	}
	_, err = store.RecordDelivery(context.Background(), &tickets.Delivery{Source: "shopify", Key: "k"})
	if !postgres.IsUnavailable(err) {
		t.Errorf("RecordDelivery with Postgres down: %v; IsUnavailable = false", err)
	}

	// A vendor's API that cannot be reached is not the database: it must
	// not make tasks wait for an outage that is not there.
	_, vendorErr := http.Get("http://127.0.0.1:1/admin/api/graphql.json")
	for _, err := range []error{nil, errors.New("boom"), tickets.Errorf(tickets.ENOTFOUND, "x"), fmt.Errorf("shopify: order: %w", vendorErr)} {
		if postgres.IsUnavailable(err) {
			t.Errorf("IsUnavailable(%v) = true", err)
		}
	}
	if !postgres.IsUnavailable(fmt.Errorf("wrapped: %w", context.DeadlineExceeded)) {
		t.Error("deadline exceeded is unavailable")
	}
}

func TestSameNewCustomerConcurrently(t *testing.T) {
	b := setup(t)
	var wg sync.WaitGroup
	for i := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, _, err := b.store.CreateTicket(b.ctx, webhook, tickets.NewTicket{
				Subject: fmt.Sprintf("ticket %d", i), Source: tickets.SourceShopify, ExternalRef: fmt.Sprint(i),
				Customer: tickets.CustomerInput{Email: "new@example.com", Phone: "+1 555 123 4567", Store: "shopify:acme", StoreCustomerID: "9"},
			})
			if err != nil {
				t.Error(err)
			}
		}()
	}
	wg.Wait()
	if n := b.count(t, "select count(*) from customers"); n != 1 {
		t.Errorf("%d customers; want 1", n)
	}
	if n := b.count(t, "select count(distinct customer_id) from tickets"); n != 1 {
		t.Errorf("tickets point at %d customers; want 1", n)
	}
}

func TestSlackCard(t *testing.T) {
	b := setup(t)
	tk := b.create(t, tickets.NewTicket{Subject: "Card"})
	b.clock.Advance(time.Hour)
	card := tickets.SlackCard{Team: "T1", Channel: "C1", TS: "1700000000.000200"}
	if err := b.store.SetSlackCard(b.ctx, tk.Ref(), card); err != nil {
		t.Fatal(err)
	}
	got, err := b.store.TicketBySlackThread(b.ctx, "C1", "1700000000.000200")
	if err != nil || got.ID != tk.ID || got.Slack != card || !got.UpdatedAt.Equal(tk.UpdatedAt) {
		t.Errorf("by thread = %+v, %v", got, err)
	}
	_, err = b.store.TicketBySlackThread(b.ctx, "C1", "")
	wantCode(t, err, tickets.ENOTFOUND)
	wantCode(t, b.store.SetSlackCard(b.ctx, "T-5", card), tickets.ENOTFOUND)
}
