package webhooks

import (
	"context"
	"sync"
	"time"

	"hub/tickets"
)

// StatusReader reads the status of many deliveries at once; the store
// implements it. The intake's waiters share it.
type StatusReader interface {
	DeliveryStatuses(ctx context.Context, ids []int64) (map[int64]tickets.DeliveryStatus, error)
}

// waiters lets intake requests wait for their deliveries to be processed
// without each polling the database: one loop reads the status of every
// waited-for delivery in one query per tick and wakes whoever is done.
// At most max requests wait at once; the rest are answered at once (202),
// so that waiting can never be what holds the hub's connections.
type waiters struct {
	read StatusReader
	max  int
	tick time.Duration

	mu      sync.Mutex
	waiting map[int64][]chan tickets.DeliveryStatus
	running bool
}

func newWaiters(read StatusReader, max int) *waiters {
	return &waiters{read: read, max: max, tick: 20 * time.Millisecond, waiting: map[int64][]chan tickets.DeliveryStatus{}}
}

// wait blocks until delivery id is no longer received, ctx ends, or there
// is no room to wait (ok false).
func (w *waiters) wait(ctx context.Context, id int64) (status tickets.DeliveryStatus, ok bool) {
	ch := make(chan tickets.DeliveryStatus, 1)
	w.mu.Lock()
	if w.count() >= w.max {
		w.mu.Unlock()
		return "", false
	}
	w.waiting[id] = append(w.waiting[id], ch)
	if !w.running {
		w.running = true
		go w.loop()
	}
	w.mu.Unlock()
	select {
	case st := <-ch:
		return st, true
	case <-ctx.Done():
		w.drop(id, ch)
		return tickets.DeliveryReceived, true
	}
}

func (w *waiters) count() int {
	n := 0
	for _, chs := range w.waiting {
		n += len(chs)
	}
	return n
}

func (w *waiters) drop(id int64, ch chan tickets.DeliveryStatus) {
	w.mu.Lock()
	defer w.mu.Unlock()
	chs := w.waiting[id]
	for i, c := range chs {
		if c == ch {
			chs = append(chs[:i], chs[i+1:]...)
			break
		}
	}
	if len(chs) == 0 {
		delete(w.waiting, id)
	} else {
		w.waiting[id] = chs
	}
}

// loop polls while anyone waits, then ends.
func (w *waiters) loop() {
	t := time.NewTicker(w.tick)
	defer t.Stop()
	for range t.C {
		w.mu.Lock()
		if len(w.waiting) == 0 {
			w.running = false
			w.mu.Unlock()
			return
		}
		ids := make([]int64, 0, len(w.waiting))
		for id := range w.waiting {
			ids = append(ids, id)
		}
		w.mu.Unlock()

		ctx, cancel := context.WithTimeout(context.Background(), time.Second)
		st, err := w.read.DeliveryStatuses(ctx, ids)
		cancel()
		if err != nil {
			continue // the waits end on their own deadlines
		}
		w.mu.Lock()
		for id, s := range st {
			if s == tickets.DeliveryReceived {
				continue
			}
			for _, ch := range w.waiting[id] {
				ch <- s
			}
			delete(w.waiting, id)
		}
		w.mu.Unlock()
	}
}
