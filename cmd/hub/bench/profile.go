package bench

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// metric reads one unlabelled counter or gauge from a hub's /metrics; 0 if
// it cannot.
func metric(base, name string) float64 {
	resp, err := http.Get(base + "/metrics")
	if err != nil {
		return 0
	}
	defer resp.Body.Close()
	sc := bufio.NewScanner(resp.Body)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	for sc.Scan() {
		if v, ok := strings.CutPrefix(sc.Text(), name+" "); ok {
			f, _ := strconv.ParseFloat(strings.TrimSpace(v), 64)
			return f
		}
	}
	return 0
}

// profile records a CPU profile of the web (or serve) process for the
// load's duration into the profile directory, when one is set; the
// returned func waits for it.
func (s *stage) profile(ctx context.Context, c *child, phase string, d time.Duration) (wait func()) {
	dir := s.env.cfg.ProfileDir
	if dir == "" || c.debugAddr == "" {
		return func() {}
	}
	done := make(chan struct{})
	go func() {
		defer close(done)
		secs := max(1, int(d.Seconds())-1)
		url := fmt.Sprintf("http://%s/debug/pprof/profile?seconds=%d", c.debugAddr, secs)
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			s.env.logf("%s: profile: %v", phase, err)
			return
		}
		defer resp.Body.Close()
		path := filepath.Join(dir, "hub-"+phase+".pprof")
		if err := os.MkdirAll(dir, 0o755); err != nil {
			s.env.logf("%s: profile: %v", phase, err)
			return
		}
		f, err := os.Create(path)
		if err != nil {
			s.env.logf("%s: profile: %v", phase, err)
			return
		}
		defer f.Close()
		if _, err := io.Copy(f, resp.Body); err == nil {
			s.env.logf("%s: CPU profile of hub %s in %s", phase, c.role, path)
		}
	}()
	return func() { <-done }
}
