package web

import (
	"bytes"
	"embed"
	"fmt"
	"html/template"
	"io/fs"
	"net/http"
	"net/url"
	"path"
	"strings"
	"time"

	"hub/tickets"
)

//go:embed templates/*.tmpl
var templateFS embed.FS

//go:embed static
var staticFS embed.FS

// staticHandler serves the embedded assets with a long cache lifetime: their
// URLs carry the build's asset version (assetVersion), so a new build is a
// new URL.
func staticHandler() http.Handler {
	sub, _ := fs.Sub(staticFS, "static")
	files := http.FileServerFS(sub)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		// /static/<version>/app.css: the version only busts caches.
		_, rest, _ := strings.Cut(strings.TrimPrefix(r.URL.Path, "/static/"), "/")
		r2 := r.Clone(r.Context())
		r2.URL.Path = "/" + rest
		w.Header().Set("Cache-Control", "public, max-age=86400")
		files.ServeHTTP(w, r2)
	})
}

// pages holds one template set per page: the layout, the shared partials,
// and the page's own file.
type pages struct {
	set map[string]*template.Template
}

func mustParsePages() *pages {
	p := &pages{set: map[string]*template.Template{}}
	names, err := fs.Glob(templateFS, "templates/*.tmpl")
	if err != nil {
		panic(err)
	}
	for _, n := range names {
		base := strings.TrimSuffix(path.Base(n), ".tmpl")
		if base == "layout" || strings.HasPrefix(base, "_") {
			continue
		}
		t := template.New("layout.tmpl").Funcs(funcs)
		t = template.Must(t.ParseFS(templateFS, "templates/layout.tmpl", "templates/_*.tmpl", n))
		p.set[base] = t
	}
	return p
}

// page is what every template gets: the agent, the CSRF token, the flash
// and the page's own data.
type page struct {
	Title  string
	Agent  tickets.Account
	CSRF   string
	Flash  *flash
	Nav    string
	Data   any
	Now    time.Time
	Static string // asset URL prefix
}

// assetVersion changes the assets' URLs when they change (set at build by
// hand: bump it with the CSS or JS).
const assetVersion = "5"

func (s *Server) render(w http.ResponseWriter, r *http.Request, name string, data any) error {
	return s.renderStatus(w, r, http.StatusOK, name, data)
}

func (s *Server) renderStatus(w http.ResponseWriter, r *http.Request, status int, name string, data any) error {
	t, ok := s.pages.set[name]
	if !ok {
		return fmt.Errorf("web: no page %q", name)
	}
	p := page{Agent: agentFrom(r.Context()), Data: data, Nav: name, Now: s.now(), Static: "/static/" + assetVersion}
	if s.sessions != nil {
		p.CSRF = s.csrfToken(r.Context())
		p.Flash = s.popFlash(r.Context())
	}
	p.Title = titleOf(name, data)
	var buf bytes.Buffer
	if err := t.Execute(&buf, p); err != nil {
		return fmt.Errorf("web: render %s: %w", name, err)
	}
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Cache-Control", "no-store")
	h.Set("X-Frame-Options", "DENY")
	h.Set("Referrer-Policy", "same-origin")
	h.Set("Content-Security-Policy", "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; form-action 'self'; frame-ancestors 'none'")
	w.WriteHeader(status)
	_, err := w.Write(buf.Bytes())
	return err
}

// titled pages name themselves.
type titled interface{ PageTitle() string }

func titleOf(name string, data any) string {
	if t, ok := data.(titled); ok {
		return t.PageTitle()
	}
	switch name {
	case "login":
		return "Sign in"
	case "error":
		return "Something is wrong"
	}
	return strings.ToUpper(name[:1]) + name[1:]
}

var funcs = template.FuncMap{
	"ref":   tickets.FormatNumber,
	"ago":   func(now, t time.Time) string { return ago(now, t) },
	"until": until,
	"stamp": stamp,
	"iso":   iso,
	"date":  func(t time.Time) string { return t.UTC().Format("2006-01-02") },
	"query": func(kv ...string) template.URL {
		v := url.Values{}
		for i := 0; i+1 < len(kv); i += 2 {
			if kv[i+1] != "" {
				v.Set(kv[i], kv[i+1])
			}
		}
		if len(v) == 0 {
			return "?"
		}
		return template.URL("?" + v.Encode())
	},
	"join": strings.Join,
	"rate": func(a tickets.Attainment) string {
		if r, ok := a.Rate(); ok {
			return fmt.Sprintf("%.0f%%", r*100)
		}
		return "–"
	},
	"csatAvg": func(c tickets.CSATSummary) string {
		if avg, ok := c.Average(); ok {
			return fmt.Sprintf("%.1f", avg)
		}
		return "–"
	},
	"statuses": func() []tickets.Status {
		return []tickets.Status{tickets.StatusOpen, tickets.StatusPending, tickets.StatusResolved, tickets.StatusClosed}
	},
	"priorities": func() []tickets.Priority {
		return []tickets.Priority{tickets.PriorityUrgent, tickets.PriorityHigh, tickets.PriorityMedium, tickets.PriorityLow}
	},
	"viewName": viewName,
	"customerURL": func(email string) template.URL {
		return template.URL("/customers?email=" + url.QueryEscape(email))
	},
	"safeURL": func(s string) template.URL {
		if u, err := url.Parse(s); err == nil && (u.Scheme == "https" || u.Scheme == "http") {
			return template.URL(s)
		}
		return ""
	},
}

func viewName(v tickets.View) string {
	switch v {
	case tickets.ViewAll:
		return "All"
	case tickets.ViewMine:
		return "Mine"
	case tickets.ViewUnassigned:
		return "Unassigned"
	case tickets.ViewAtRisk:
		return "At risk"
	case tickets.ViewBreached:
		return "Breached"
	case tickets.ViewWaiting:
		return "Waiting on customer"
	}
	return string(v)
}

func until(now, t time.Time) string {
	if t.IsZero() {
		return ""
	}
	if t.Before(now) {
		return "overdue " + ago(now, t)
	}
	return "due in " + span(t.Sub(now))
}

func stamp(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format("2 Jan 2006 15:04 UTC")
}

func iso(t time.Time) string { return t.UTC().Format(time.RFC3339) }

func ago(now, t time.Time) string {
	if t.IsZero() {
		return ""
	}
	d := now.Sub(t)
	if d < 0 {
		return "in " + span(-d)
	}
	if d < time.Minute {
		return "just now"
	}
	return span(d) + " ago"
}

// span is a duration as people say it: the largest unit or two.
func span(d time.Duration) string {
	switch {
	case d < time.Minute:
		return fmt.Sprintf("%ds", int(d.Seconds()))
	case d < time.Hour:
		return fmt.Sprintf("%dm", int(d.Minutes()))
	case d < 48*time.Hour:
		h := int(d.Hours())
		if m := int(d.Minutes()) % 60; m != 0 && h < 10 {
			return fmt.Sprintf("%dh %dm", h, m)
		}
		return fmt.Sprintf("%dh", h)
	default:
		return fmt.Sprintf("%dd", int(d.Hours()/24))
	}
}
