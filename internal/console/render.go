package console

import (
	"bytes"
	"embed"
	"fmt"
	"html/template"
	"io/fs"
	"net/http"
	"strconv"
	"time"

	"github.com/usersync/syncer/internal/textfmt"
)

//go:embed templates/*.html static/style.css
var assets embed.FS

// page is what the layout needs around a page's body.
type page struct {
	Title string
	Nav   string // the navigation entry that is current
	User  string
	Role  Role
	CSRF  string
	Body  any
}

func (c *Console) page(s *session, title, nav string, body any) page {
	p := page{Title: title, Nav: nav, Body: body}
	if s != nil {
		p.User, p.Role, p.CSRF = s.user, s.role, s.csrf
	}
	return p
}

// pages holds one template set per page, each the layout with that page's
// body.
type pages struct {
	sets map[string]*template.Template
	css  []byte
}

func newPages(loc *time.Location) (*pages, error) {
	funcs := template.FuncMap{
		// s makes text from the org or a feed plain: control characters,
		// bidi overrides and invalid UTF-8 are shown escaped (\x1b,
		// \u202e), as textfmt.Safe does for the terminal; html/template
		// then escapes markup.
		"s":       textfmt.Safe,
		"when":    func(t time.Time) string { return formatTime(t, loc) },
		"iso":     func(t time.Time) string { return t.UTC().Format(time.RFC3339) },
		"dur":     shortDuration,
		"n":       func(v any) string { return textfmt.Thousands(toInt64(v)) },
		"f1":      func(v float64) string { return strconv.FormatFloat(v, 'f', 1, 64) },
		"seconds": func(n int) time.Duration { return time.Duration(n) * time.Second },
		"ratio": func(calls, minimum int64) string {
			if minimum <= 0 {
				return ""
			}
			return fmt.Sprintf("%.2fx", float64(calls)/float64(minimum))
		},
		"pct": func(part, whole int) float64 {
			if whole <= 0 {
				return 0
			}
			return 100 * float64(part) / float64(whole)
		},
	}
	layout, err := template.New("layout.html").Funcs(funcs).ParseFS(assets, "templates/layout.html", "templates/partials.html")
	if err != nil {
		return nil, fmt.Errorf("console: parse layout: %w", err)
	}
	p := &pages{sets: map[string]*template.Template{}}
	names, err := fs.Glob(assets, "templates/*.html")
	if err != nil {
		return nil, err
	}
	for _, file := range names {
		name := file[len("templates/") : len(file)-len(".html")]
		if name == "layout" || name == "partials" {
			continue
		}
		t, err := template.Must(layout.Clone()).ParseFS(assets, file)
		if err != nil {
			return nil, fmt.Errorf("console: parse %s: %w", file, err)
		}
		p.sets[name] = t
	}
	if p.css, err = assets.ReadFile("static/style.css"); err != nil {
		return nil, err
	}
	return p, nil
}

// render writes the page name with code. The page is rendered into a
// buffer first, so that a template error is a clean 500, not half a page.
func (p *pages) render(w http.ResponseWriter, code int, name string, data page) {
	t := p.sets[name]
	var buf bytes.Buffer
	if t == nil {
		http.Error(w, "no page "+name, http.StatusInternalServerError)
		return
	}
	if err := t.ExecuteTemplate(&buf, "layout.html", data); err != nil {
		http.Error(w, "render "+name+": "+err.Error(), http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(code)
	_, _ = w.Write(buf.Bytes())
}

func (c *Console) style(w http.ResponseWriter, _ *http.Request) {
	w.Header().Set("Content-Type", "text/css; charset=utf-8")
	w.Header().Set("Cache-Control", "max-age=3600")
	_, _ = w.Write(c.pages.css)
}

// errorView is the body of an error page.
type errorView struct {
	Code    int
	Status  string
	Message string
}

func (c *Console) errorPage(w http.ResponseWriter, _ *http.Request, s *session, code int, msg string) {
	c.pages.render(w, code, "error", c.page(s, http.StatusText(code), "", errorView{Code: code, Status: http.StatusText(code), Message: msg}))
}

// formatTime is a time in the console's zone with the zone's name; "—"
// for the zero time.
func formatTime(t time.Time, loc *time.Location) string {
	if t.IsZero() {
		return "—"
	}
	return t.In(loc).Format("2006-01-02 15:04:05 MST")
}

func toInt64(v any) int64 {
	switch x := v.(type) {
	case int:
		return int64(x)
	case int64:
		return x
	case int32:
		return int64(x)
	case float64:
		return int64(x)
	}
	return 0
}
