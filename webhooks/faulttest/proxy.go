// Package faulttest makes the hub's infrastructure fail on purpose, for
// tests of what the hub promises under faults: a TCP proxy that can refuse
// or hang the connections to PostgreSQL (or anything), and a private
// redis-server that can be killed, restarted, flushed and frozen.
//
// Nothing here fakes a server: the proxy forwards to the real one, and the
// Redis is a real redis-server process.
package faulttest

import (
	"net"
	"sync"
	"testing"
)

// Proxy forwards TCP connections to a target and can make it look down.
type Proxy struct {
	target string
	addr   string

	mu     sync.Mutex
	ln     net.Listener
	hung   bool
	gate   chan struct{} // closed while traffic flows; replaced while hung
	conns  map[net.Conn]struct{}
	closed bool
}

// NewProxy listens on a free loopback port and forwards to target until the
// test ends.
func NewProxy(t testing.TB, target string) *Proxy {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("faulttest: listen: %v", err)
	}
	p := &Proxy{target: target, addr: ln.Addr().String(), conns: map[net.Conn]struct{}{}, gate: make(chan struct{})}
	close(p.gate)
	p.serve(ln)
	t.Cleanup(p.close)
	return p
}

// Addr is the proxy's host:port, to put in place of the target's.
func (p *Proxy) Addr() string { return p.addr }

// Refuse makes the target look stopped: open connections are cut and new
// ones are refused, as when a server is shut down.
func (p *Proxy) Refuse() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.ln != nil {
		p.ln.Close()
		p.ln = nil
	}
	p.cutLocked()
}

// Hang makes the target look frozen: connections are accepted and nothing
// comes back, on new connections and open ones alike, as when a server is
// stopped with SIGSTOP or a network drops packets.
func (p *Proxy) Hang() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if !p.hung {
		p.hung = true
		p.gate = make(chan struct{})
	}
}

// Restore lets traffic through again. Connections cut by Refuse stay cut;
// those held by Hang carry on.
func (p *Proxy) Restore() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.hung {
		p.hung = false
		close(p.gate)
	}
	if p.ln == nil && !p.closed {
		ln, err := net.Listen("tcp", p.addr)
		if err != nil {
			panic("faulttest: listen again on " + p.addr + ": " + err.Error())
		}
		p.serve(ln)
	}
}

// Cut closes every open connection (a server restart, a network reset)
// and leaves the proxy accepting new ones.
func (p *Proxy) Cut() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.cutLocked()
}

func (p *Proxy) cutLocked() {
	for c := range p.conns {
		c.Close()
		delete(p.conns, c)
	}
}

func (p *Proxy) close() {
	p.mu.Lock()
	p.closed = true
	if p.ln != nil {
		p.ln.Close()
		p.ln = nil
	}
	if p.hung {
		p.hung = false
		close(p.gate)
	}
	p.cutLocked()
	p.mu.Unlock()
}

// serve runs the accept loop of ln; p.mu is held or ln is new.
func (p *Proxy) serve(ln net.Listener) {
	p.ln = ln
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go p.handle(c)
		}
	}()
}

func (p *Proxy) handle(client net.Conn) {
	if !p.track(client) {
		return
	}
	p.wait()
	server, err := net.Dial("tcp", p.target)
	if err != nil || !p.track(server) {
		client.Close()
		return
	}
	var wg sync.WaitGroup
	wg.Add(2)
	go func() { defer wg.Done(); p.pipe(server, client) }()
	go func() { defer wg.Done(); p.pipe(client, server) }()
	wg.Wait()
	p.untrack(client)
	p.untrack(server)
}

// track registers c to be cut; false if the proxy is refusing.
func (p *Proxy) track(c net.Conn) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.ln == nil {
		c.Close()
		return false
	}
	p.conns[c] = struct{}{}
	return true
}

func (p *Proxy) untrack(c net.Conn) {
	p.mu.Lock()
	delete(p.conns, c)
	p.mu.Unlock()
	c.Close()
}

// wait blocks while the proxy is hung.
func (p *Proxy) wait() {
	p.mu.Lock()
	gate := p.gate
	p.mu.Unlock()
	<-gate
}

// pipe copies src to dst, holding each chunk while the proxy is hung.
func (p *Proxy) pipe(dst, src net.Conn) {
	buf := make([]byte, 32<<10)
	for {
		n, err := src.Read(buf)
		if n > 0 {
			p.wait()
			if _, werr := dst.Write(buf[:n]); werr != nil {
				break
			}
		}
		if err != nil { // EOF or a cut: close both sides
			break
		}
	}
	dst.Close()
	src.Close()
}
