package postgres

import (
	"context"
	"encoding/json"
	"strings"
	"sync"
	"time"

	"hub/tickets"
)

// IntakeBatcher records deliveries in groups. Every acknowledged webhook
// must be committed before its 2xx, and a commit waits for PostgreSQL to
// flush its WAL to disk: one request, one flush. Requests that arrive while
// a group is being written join the next one, so under load N concurrent
// webhooks cost one INSERT and one flush instead of N, and a quiet hub
// writes each delivery at once (nothing waits for a timer).
//
// A delivery is acknowledged only after its group committed, exactly as
// with Store.RecordDelivery; the dedupe rules are the same.
type IntakeBatcher struct {
	s    *Store
	reqs chan *recordReq
	max  int
	quit chan struct{}
	// mu orders sends against the stop: once closed is set, no request
	// enters the channel, and the writers drain what did before leaving.
	mu     sync.RWMutex
	closed bool
}

type recordReq struct {
	d       *tickets.Delivery
	created bool
	err     error
	done    chan struct{}
}

// NewIntakeBatcher starts writers writing groups of at most max deliveries each
// until ctx ends; after that, calls go straight to the store.
func (s *Store) NewIntakeBatcher(ctx context.Context, writers, max int) *IntakeBatcher {
	b := &IntakeBatcher{s: s, reqs: make(chan *recordReq, writers*max), max: max, quit: make(chan struct{})}
	for range writers {
		go b.write()
	}
	go func() {
		<-ctx.Done()
		b.mu.Lock()
		b.closed = true
		b.mu.Unlock()
		close(b.quit)
	}()
	return b
}

// RecordDelivery is Store.RecordDelivery, grouped with concurrent calls.
func (b *IntakeBatcher) RecordDelivery(ctx context.Context, d *tickets.Delivery) (bool, error) {
	if strings.TrimSpace(d.Key) == "" {
		return false, tickets.Invalid("key", "a delivery needs a dedupe key")
	}
	req := &recordReq{d: d, done: make(chan struct{})}
	b.mu.RLock()
	if b.closed {
		b.mu.RUnlock()
		return b.s.RecordDelivery(ctx, d)
	}
	select {
	case b.reqs <- req:
		b.mu.RUnlock()
	case <-ctx.Done():
		b.mu.RUnlock()
		return false, dbError("record delivery", ctx.Err())
	}
	select {
	case <-req.done:
		return req.created, req.err
	case <-ctx.Done():
		// The group may still commit it: the sender's retry is then a
		// duplicate, acknowledged without a second row.
		return false, dbError("record delivery", ctx.Err())
	}
}

func (b *IntakeBatcher) write() {
	group := make([]*recordReq, 0, b.max)
	for {
		group = group[:0]
		select {
		case <-b.quit:
			b.drain()
			return
		case r := <-b.reqs:
			group = append(group, r)
		}
	gather:
		for len(group) < b.max {
			select {
			case r := <-b.reqs:
				group = append(group, r)
			default:
				break gather
			}
		}
		b.writeGroup(group)
	}
}

// drain answers what is still queued when the batcher stops.
func (b *IntakeBatcher) drain() {
	for {
		select {
		case r := <-b.reqs:
			r.created, r.err = b.s.RecordDelivery(context.Background(), r.d)
			close(r.done)
		default:
			return
		}
	}
}

// groupTimeout bounds one group's write: the requests in it give up after
// their own deadline anyway (webhooks.Record's 3 s).
const groupTimeout = 5 * time.Second

func (b *IntakeBatcher) writeGroup(group []*recordReq) {
	defer func() {
		for _, r := range group {
			close(r.done)
		}
	}()
	if len(group) == 1 {
		ctx, cancel := context.WithTimeout(context.Background(), groupTimeout)
		defer cancel()
		group[0].created, group[0].err = b.s.RecordDelivery(ctx, group[0].d)
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), groupTimeout)
	defer cancel()
	if err := b.s.recordGroup(ctx, group); err != nil {
		if IsUnavailable(err) {
			for _, r := range group {
				r.err = err
			}
			return
		}
		// One bad row must not fail its neighbours: each on its own.
		for _, r := range group {
			r.created, r.err = b.s.RecordDelivery(ctx, r.d)
		}
	}
}

// recordGroup inserts a group in one statement and one commit, then finds
// the existing rows of the duplicates.
func (s *Store) recordGroup(ctx context.Context, group []*recordReq) error {
	n := len(group)
	sources, tenants, topics, keys, alts, bodies := make([]string, n), make([]string, n), make([]string, n), make([]string, n), make([]string, n), make([][]byte, n)
	headers := make([]string, n)
	for i, r := range group {
		d := r.d
		sources[i], tenants[i], topics[i], keys[i], alts[i] = string(d.Source), d.Tenant, d.Topic, d.Key, d.AltKey
		h := d.Headers
		if h == nil {
			h = map[string]string{}
		}
		b, err := json.Marshal(h)
		if err != nil {
			return err
		}
		headers[i] = string(b)
		bodies[i] = d.Body
		if bodies[i] == nil {
			bodies[i] = []byte{}
		}
	}
	now := s.now()
	rows, err := s.pool.Query(ctx, `
		insert into deliveries (source, tenant, topic, key, alt_key, headers, body, status, received_at, sweep_at)
		select source, tenant, topic, key, alt_key, headers::jsonb, body, 'received', $8, $8
		from unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::bytea[])
			with ordinality as g(source, tenant, topic, key, alt_key, headers, body, n)
		order by n
		on conflict do nothing
		returning id, source, key`,
		sources, tenants, topics, keys, alts, headers, bodies, now)
	if err != nil {
		return dbError("record deliveries", err)
	}
	type sk struct{ source, key string }
	inserted := map[sk]int64{}
	for rows.Next() {
		var id int64
		var k sk
		if err := rows.Scan(&id, &k.source, &k.key); err != nil {
			rows.Close()
			return dbError("record deliveries", err)
		}
		inserted[k] = id
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return dbError("record deliveries", err)
	}
	for _, r := range group {
		d := r.d
		k := sk{string(d.Source), d.Key}
		if id, ok := inserted[k]; ok {
			// The first of the group with this key made the row; a second
			// with the same key in the same group is its duplicate.
			delete(inserted, k)
			d.ID = id
			d.Status, d.Error, d.Attempts, d.RetryAt, d.ReceivedAt, d.ProcessedAt = tickets.DeliveryReceived, "", 0, nil, now, nil
			r.created = true
			continue
		}
		err := s.pool.QueryRow(ctx, `
			select id from deliveries
			where source = $1 and (key = $2 or (alt_key = $3 and $3 <> ''))
			order by id limit 1`,
			d.Source, d.Key, d.AltKey).Scan(&d.ID)
		r.err = dbError("record delivery: find duplicate", err)
	}
	return nil
}
