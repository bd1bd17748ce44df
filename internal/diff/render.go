package diff

import (
	"bufio"
	"cmp"
	"fmt"
	"io"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/usersync/syncer/internal/textfmt"
)

// maxRenderedRejects bounds the rejected rows Render lists one by one.
const maxRenderedRejects = 20

var actionSymbol = map[Action]string{ActionCreate: "+", ActionRestore: "+", ActionUpdate: "~", ActionReactivate: "~", ActionOffboard: "-"}

// itemNoun names one item of a list attribute.
var itemNoun = map[string]string{"skills": "skill", "languages": "language", "queues": "queue", "roles": "role"}

// Render prints the plan for people, like terraform plan: one block per
// user (+ create or restore, ~ change or reactivate, - offboard) with each
// attribute's before → after and each list item added (+), changed (~) or
// removed (-, with the reason), then rejected rows, notes, warnings,
// guards, totals and the call and time estimate.
//
// Every string that came from the feed or the org is escaped
// (textfmt.Safe): a name cannot move the cursor or print a line of its own.
func (p *Plan) Render(w io.Writer) error {
	bw := bufio.NewWriter(w)
	safe := textfmt.Safe
	fmt.Fprintf(bw, "Plan for %s (%s feed): %d rows, %d rejected.\n", safe(p.Feed), safe(string(p.Mode)), p.FeedRows, p.Rejected.Count)
	fmt.Fprintf(bw, "Computed from org state %s.\n", shortFingerprint(p.Fingerprint))
	switch {
	case len(p.Users) > 0:
	case p.FeedRows > 0 && p.Rejected.Count == p.FeedRows:
		fmt.Fprintf(bw, "\nNo change planned: all %d rows of the feed were rejected.\n", p.FeedRows)
	case p.Rejected.Count > 0:
		fmt.Fprintf(bw, "\nNo changes for the %d valid rows: the org already matches them (%d rows rejected).\n",
			p.FeedRows-p.Rejected.Count, p.Rejected.Count)
	default:
		fmt.Fprintln(bw, "\nNo changes: the org already matches the feed.")
	}
	for _, u := range p.Users {
		fmt.Fprintf(bw, "\n  %s ", actionSymbol[u.Action])
		if u.Action == ActionReactivate {
			bw.WriteString("reactivate ")
		}
		bw.WriteString(safe(cmp.Or(u.Name, u.Email, u.Key)))
		if u.Email != "" && u.Name != "" {
			fmt.Fprintf(bw, " <%s>", safe(u.Email))
		}
		if u.EmployeeID != "" {
			fmt.Fprintf(bw, " [%s]", safe(u.EmployeeID))
		}
		switch {
		case u.Action == ActionRestore:
			fmt.Fprintf(bw, " (restore deleted user %s)", safe(u.UserID))
		case u.Action == ActionReactivate:
			fmt.Fprintf(bw, " (inactive user %s)", safe(u.UserID))
		case u.UserID != "":
			fmt.Fprintf(bw, " (user %s)", safe(u.UserID))
		}
		if u.Line > 0 {
			fmt.Fprintf(bw, " line %d", u.Line)
		}
		fmt.Fprintln(bw)
		for _, c := range u.Changes {
			renderChange(bw, c, u.Action)
		}
	}

	if p.Rejected.Count > 0 {
		codes := slices.Sorted(maps.Keys(p.Rejected.ByCode))
		parts := make([]string, 0, len(codes))
		for _, c := range codes {
			parts = append(parts, fmt.Sprintf("%s %d", c, p.Rejected.ByCode[c]))
		}
		fmt.Fprintf(bw, "\nRejected rows: %d (%s); they cause no change.\n", p.Rejected.Count, strings.Join(parts, ", "))
		for i, r := range p.Rejected.Rows {
			if i == maxRenderedRejects {
				fmt.Fprintf(bw, "  … and %d more\n", len(p.Rejected.Rows)-i)
				break
			}
			fmt.Fprintf(bw, "  %s\n", safe(r.Reason))
		}
	}
	renderNotes(bw, "Not changed", p.Notes)
	renderNotes(bw, "Warnings", p.Warnings)
	fmt.Fprintln(bw, "\nGuards:")
	for _, v := range p.Guards {
		verdict := "ok     "
		if v.Tripped {
			verdict = "TRIPPED"
		}
		fmt.Fprintf(bw, "  %s %s: %s\n", verdict, v.Guard, safe(v.Message))
	}
	t := p.Totals
	fmt.Fprintf(bw, "\nPlan: %d to create, %d to restore, %d to reactivate, %d to change, %d to offboard, %d unchanged.\n",
		t.Create, t.Restore, t.Reactivate, t.Update, t.Offboard, t.Unchanged)
	fmt.Fprintf(bw, "API calls: %d in %d operations, about %s at %d requests/minute.\n",
		t.Calls, t.Operations, time.Duration(p.Estimate.Seconds)*time.Second, p.Estimate.RatePerMinute)
	if tr := p.Tripped(); len(tr) > 0 {
		fmt.Fprintf(bw, "\n%d guard(s) tripped: this plan will not be applied without an override.\n", len(tr))
	}
	return bw.Flush()
}

// renderNotes prints a titled list of notes or warnings.
func renderNotes(bw *bufio.Writer, title string, notes []Note) {
	if len(notes) == 0 {
		return
	}
	fmt.Fprintf(bw, "\n%s (%d):\n", title, len(notes))
	for _, n := range notes {
		where := textfmt.Safe(n.Key)
		if n.Line > 0 {
			where = fmt.Sprintf("line %d %s", n.Line, where)
		}
		if where != "" {
			where += ": "
		}
		fmt.Fprintf(bw, "  %s%s (%s)\n", where, textfmt.Safe(n.Reason), n.Code)
	}
}

// renderChange prints one change: a scalar's before → after on one line,
// a list's items one a line, removals with their reason.
func renderChange(bw *bufio.Writer, c Change, a Action) {
	safe := textfmt.Safe
	noun, list := itemNoun[c.Attr]
	if !list && (c.Added != nil || c.Changed != nil || c.Removed != nil) {
		noun, list = c.Attr, true
	}
	if !list {
		fmt.Fprintf(bw, "      %-16s ", safe(c.Attr))
		if a == ActionCreate {
			bw.WriteString(quote(c.After))
		} else {
			bw.WriteString(quote(c.Before) + " → " + quote(c.After))
		}
		if c.Reason != "" {
			fmt.Fprintf(bw, " (%s)", safe(c.Reason))
		}
		bw.WriteByte('\n')
		return
	}
	for _, it := range c.Added {
		fmt.Fprintf(bw, "      + %s %s\n", noun, safe(it))
	}
	for _, it := range c.Changed {
		fmt.Fprintf(bw, "      ~ %s %s\n", noun, safe(it))
	}
	for _, it := range c.Removed {
		fmt.Fprintf(bw, "      - %s %s", noun, safe(it))
		if c.Reason != "" {
			fmt.Fprintf(bw, " (%s)", safe(c.Reason))
		}
		bw.WriteByte('\n')
	}
}

// shortFingerprint keeps enough of a fingerprint to tell plans apart.
func shortFingerprint(f string) string {
	const keep = len("sha256:") + 16
	if len(f) > keep {
		return f[:keep]
	}
	return f
}

func quote(s string) string {
	if s == "" {
		return "(none)"
	}
	return textfmt.Quote(s)
}
