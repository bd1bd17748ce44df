package emulator

import (
	"bytes"
	"fmt"
	"net/http"
	"regexp"
	"strconv"
)

// Kinds of PageCorruption.
const (
	CorruptTruncated = "truncated" // the JSON answer cut in half
	CorruptHTML      = "html"      // an HTML error page, as a proxy in front of the API answers
	CorruptTypes     = "types"     // every JSON number a string
)

// DefaultCorruptPage is the page PageCorruption corrupts when it names
// none: a page in the middle of a listing, after one that was fine.
const DefaultCorruptPage = 2

// PageCorruption corrupts the answers to one page of a page-numbered GET
// listing, as a broken proxy or a bad deploy in front of Genesys Cloud
// would in the middle of paging. The handler runs (and is counted) as
// usual; its answer is replaced.
type PageCorruption struct {
	// Path is the listing, e.g. "/api/v2/users".
	Path string `json:"path"`
	// Page is the pageNumber whose answers are corrupted (a request without
	// one is page 1). Default DefaultCorruptPage.
	Page int `json:"page,omitempty"`
	// Kind is CorruptTruncated, CorruptHTML or CorruptTypes.
	Kind string `json:"kind"`
	// Status of the corrupted answer. Default: the page's own for
	// truncated and types, 502 for html.
	Status int `json:"status,omitempty"`
	// Times is how many answers are corrupted before the fault clears
	// itself (a transient fault); GET shows the ones left. 0 corrupts
	// every answer to the page.
	Times int `json:"times,omitempty"`
}

func (c *PageCorruption) validate() error {
	switch {
	case c.Kind != CorruptTruncated && c.Kind != CorruptHTML && c.Kind != CorruptTypes:
		return fmt.Errorf("corruptPage.kind %q is not %s, %s or %s", c.Kind, CorruptTruncated, CorruptHTML, CorruptTypes)
	case len(c.Path) < len("/api/v2/") || c.Path[:len("/api/v2/")] != "/api/v2/":
		return fmt.Errorf("corruptPage.path %q is not an /api/v2/ listing", c.Path)
	case c.Page < 0:
		return fmt.Errorf("corruptPage.page %d is negative", c.Page)
	case c.Status != 0 && (c.Status < 200 || c.Status > 599):
		return fmt.Errorf("corruptPage.status %d is not an HTTP status", c.Status)
	case c.Times < 0:
		return fmt.Errorf("corruptPage.times %d is negative", c.Times)
	}
	return nil
}

// corruption returns the corruption that applies to r, counting it down,
// or nil.
func (fi *faultInjector) corruption(r *http.Request) *PageCorruption {
	fi.mu.Lock()
	defer fi.mu.Unlock()
	c := fi.f.CorruptPage
	if c == nil || r.Method != http.MethodGet || r.URL.Path != c.Path {
		return nil
	}
	page := 1
	if v := r.URL.Query().Get("pageNumber"); v != "" {
		page, _ = strconv.Atoi(v)
	}
	if want := c.Page; page != want && !(want == 0 && page == DefaultCorruptPage) {
		return nil
	}
	out := *c
	if c.Times > 0 {
		if c.Times--; c.Times == 0 {
			fi.f.CorruptPage = nil
		}
	}
	return &out
}

// bufferWriter holds a handler's answer so that it can be corrupted.
type bufferWriter struct {
	header http.Header
	status int
	body   bytes.Buffer
}

func (b *bufferWriter) Header() http.Header { return b.header }

func (b *bufferWriter) WriteHeader(code int) {
	if b.status == 0 {
		b.status = code
	}
}

func (b *bufferWriter) Write(p []byte) (int, error) {
	if b.status == 0 {
		b.status = http.StatusOK
	}
	return b.body.Write(p)
}

var jsonNumber = regexp.MustCompile(`:(-?[0-9]+(?:\.[0-9]+)?(?:[eE][-+]?[0-9]+)?)([,}\]])`)

// serveCorrupted runs h and answers its answer corrupted as c says.
func serveCorrupted(w http.ResponseWriter, r *http.Request, h http.HandlerFunc, c *PageCorruption) {
	buf := &bufferWriter{header: http.Header{}}
	h(buf, r)
	for k, v := range buf.header {
		if k != "Content-Length" && k != "Content-Type" {
			w.Header()[k] = v
		}
	}
	status, ctype, body := buf.status, "application/json", buf.body.Bytes()
	switch c.Kind {
	case CorruptTruncated:
		body = body[:len(body)/2]
	case CorruptTypes:
		body = jsonNumber.ReplaceAll(body, []byte(`:"$1"$2`))
	case CorruptHTML:
		status, ctype = http.StatusBadGateway, "text/html; charset=utf-8"
		if c.Status != 0 {
			status = c.Status
		}
		body = fmt.Appendf(nil, "<!DOCTYPE html>\n<html><head><title>%d %s</title></head><body><h1>%d %s</h1><hr>nginx</body></html>\n",
			status, http.StatusText(status), status, http.StatusText(status))
	}
	if c.Status != 0 {
		status = c.Status
	}
	w.Header().Set("Content-Type", ctype)
	w.WriteHeader(status)
	_, _ = w.Write(body)
}
