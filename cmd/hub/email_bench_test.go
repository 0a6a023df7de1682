package main

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/emersion/go-smtp"
	"github.com/jackc/pgx/v5"

	"hub/tickets/postgres/pgtest"
)

// BenchmarkEmailSMTPIntake sends 20 KB messages to the hub's SMTP
// listener over one connection, as a sending server does, and reports the
// intake rate (each 250 comes after the message is committed to Postgres)
// and, once every ticket is open, the mean and worst time from a
// message's arrival to its ticket (deliveries.received_at to
// tickets.created_at).
func BenchmarkEmailSMTPIntake(b *testing.B) {
	env, _, _ := emailEnv(b)
	env["DATABASE_URL"] = pgtest.URL(b)
	h := bootEmailHub(b, env)
	body := strings.Repeat("The parcel arrived with the lid cracked and the base dented.\n", 20<<10/61)
	c, err := smtp.Dial(h.smtpAddr)
	if err != nil {
		b.Fatal(err)
	}
	defer c.Close()
	run := time.Now().UnixNano()

	b.ResetTimer()
	start := time.Now()
	for i := range b.N {
		from := fmt.Sprintf("bench%d@customer.test", i)
		msg := mailText(from, supportAddr, fmt.Sprintf("Damaged parcel %d", i), fmt.Sprintf("bench-%d-%d@customer.test", run, i), "", body)
		if err := c.SendMail(from, []string{supportAddr}, strings.NewReader(msg)); err != nil {
			b.Fatal(err)
		}
	}
	elapsed := time.Since(start)
	b.StopTimer()
	b.ReportMetric(float64(b.N)/elapsed.Seconds(), "msgs/s")

	ctx := context.Background()
	db, err := pgx.Connect(ctx, env["DATABASE_URL"])
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close(ctx)
	deadline := time.Now().Add(10 * time.Minute)
	for {
		var n int
		if err := db.QueryRow(ctx, `select count(*) from tickets where source = 'email'`).Scan(&n); err != nil {
			b.Fatal(err)
		}
		if n == b.N {
			break
		}
		if time.Now().After(deadline) {
			b.Fatalf("%d of %d tickets after 10 minutes", n, b.N)
		}
		time.Sleep(100 * time.Millisecond)
	}
	var mean, worst float64
	err = db.QueryRow(ctx, `
		select avg(extract(epoch from t.created_at - d.received_at)), max(extract(epoch from t.created_at - d.received_at))
		from tickets t join deliveries d on d.source = 'email' and d.key = 'mid:' || t.external_ref
		where t.source = 'email'`).Scan(&mean, &worst)
	if err != nil {
		b.Fatal(err)
	}
	b.ReportMetric(mean*1000, "ms-to-ticket")
	b.ReportMetric(worst*1000, "ms-to-ticket-max")
}
