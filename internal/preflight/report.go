package preflight

import (
	"fmt"
	"io"
	"strings"
)

// Status is the outcome of one check.
type Status string

// Statuses, as printed.
const (
	// OK: the check passed.
	OK Status = "ok"
	// Fail: a run that needs this would fail; check exits 1.
	Fail Status = "FAIL"
	// Skipped: the check could not be made (an earlier check failed, or
	// the org has nothing to probe with); the detail says why.
	Skipped Status = "skipped"
	// NotProbed: a write endpoint, which a probe would have to change the
	// org to test; the detail names the permissions the role needs.
	NotProbed Status = "not probed"
)

// Check is one line of the report.
type Check struct {
	Status Status
	// Name is what was checked: "config", "database", "genesys login", or
	// an endpoint ("GET /api/v2/routing/queues").
	Name string
	// Detail says what was found, and for a failure what to do. Strings
	// from the org or the database are escaped (textfmt.Safe) by whoever
	// makes the Check.
	Detail string
}

// Report is the checks of one `syncer check`, in order.
type Report struct {
	Checks []Check
}

// Add appends a check.
func (r *Report) Add(c Check) { r.Checks = append(r.Checks, c) }

// Count returns how many checks have status s.
func (r *Report) Count(s Status) int {
	n := 0
	for _, c := range r.Checks {
		if c.Status == s {
			n++
		}
	}
	return n
}

// OK reports whether nothing failed: everything a run needs works (as far
// as a probe can tell; writes are not probed).
func (r *Report) OK() bool { return r.Count(Fail) == 0 }

// Render writes one line per check, the names in a column, then a summary
// line.
func (r *Report) Render(w io.Writer) {
	width := 0
	for _, c := range r.Checks {
		width = max(width, len(c.Name))
	}
	for _, c := range r.Checks {
		line := fmt.Sprintf("%-10s  %-*s  %s", c.Status, width, c.Name, c.Detail)
		fmt.Fprintln(w, strings.TrimRight(line, " "))
	}
	failed, probed := r.Count(Fail), len(r.Checks)-r.Count(NotProbed)
	var b strings.Builder
	if failed == 0 {
		fmt.Fprintf(&b, "check passed: %d of %d checks ok", r.Count(OK), probed)
	} else {
		fmt.Fprintf(&b, "check failed: %d of %d checks failed", failed, probed)
	}
	if n := r.Count(Skipped); n > 0 {
		fmt.Fprintf(&b, ", %d skipped", n)
	}
	if n := r.Count(NotProbed); n > 0 {
		fmt.Fprintf(&b, "; %d write endpoint(s) not probed: the role needs the permissions listed for them (docs/genesys-setup.md)", n)
	}
	fmt.Fprintln(w, b.String())
}
