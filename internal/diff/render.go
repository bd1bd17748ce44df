package diff

import (
	"bufio"
	"cmp"
	"fmt"
	"io"
	"maps"
	"slices"
	"strconv"
	"strings"
	"time"
)

// maxRenderedRejects bounds the rejected rows Render lists one by one.
const maxRenderedRejects = 20

var actionSymbol = map[Action]string{ActionCreate: "+", ActionRestore: "+", ActionUpdate: "~", ActionOffboard: "-"}

// Render prints the plan for people, like terraform plan: one block per
// user (+ create or restore, ~ change, - offboard) with each attribute's
// before → after, then rejected rows, notes, guards, totals and the call
// and time estimate.
func (p *Plan) Render(w io.Writer) error {
	bw := bufio.NewWriter(w)
	fmt.Fprintf(bw, "Plan for %s (%s feed): %d rows, %d rejected.\n", p.Feed, p.Mode, p.FeedRows, p.Rejected.Count)
	fmt.Fprintf(bw, "Computed from org state %s.\n", shortFingerprint(p.Fingerprint))
	if len(p.Users) == 0 {
		fmt.Fprintln(bw, "\nNo changes: the org already matches the feed.")
	}
	for _, u := range p.Users {
		fmt.Fprintf(bw, "\n  %s %s", actionSymbol[u.Action], cmp.Or(u.Name, u.Email, u.Key))
		if u.Email != "" && u.Name != "" {
			fmt.Fprintf(bw, " <%s>", u.Email)
		}
		if u.EmployeeID != "" {
			fmt.Fprintf(bw, " [%s]", u.EmployeeID)
		}
		switch {
		case u.Action == ActionRestore:
			fmt.Fprintf(bw, " (restore deleted user %s)", u.UserID)
		case u.UserID != "":
			fmt.Fprintf(bw, " (user %s)", u.UserID)
		}
		if u.Line > 0 {
			fmt.Fprintf(bw, " line %d", u.Line)
		}
		fmt.Fprintln(bw)
		for _, c := range u.Changes {
			fmt.Fprintf(bw, "      %-16s %s\n", c.Attr, describe(c, u.Action))
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
			fmt.Fprintf(bw, "  %s\n", r.Reason)
		}
	}
	if len(p.Notes) > 0 {
		fmt.Fprintf(bw, "\nNot changed (%d):\n", len(p.Notes))
		for _, n := range p.Notes {
			where := n.Key
			if n.Line > 0 {
				where = fmt.Sprintf("line %d %s", n.Line, n.Key)
			}
			if where != "" {
				where += ": "
			}
			fmt.Fprintf(bw, "  %s%s (%s)\n", where, n.Reason, n.Code)
		}
	}
	fmt.Fprintln(bw, "\nGuards:")
	for _, v := range p.Guards {
		verdict := "ok     "
		if v.Tripped {
			verdict = "TRIPPED"
		}
		fmt.Fprintf(bw, "  %s %s: %s\n", verdict, v.Guard, v.Message)
	}
	t := p.Totals
	fmt.Fprintf(bw, "\nPlan: %d to create, %d to restore, %d to change, %d to offboard, %d unchanged.\n",
		t.Create, t.Restore, t.Update, t.Offboard, t.Unchanged)
	fmt.Fprintf(bw, "API calls: %d in %d operations, about %s at %d requests/minute.\n",
		t.Calls, t.Operations, time.Duration(p.Estimate.Seconds)*time.Second, p.Estimate.RatePerMinute)
	if tr := p.Tripped(); len(tr) > 0 {
		fmt.Fprintf(bw, "\n%d guard(s) tripped: this plan will not be applied without an override.\n", len(tr))
	}
	return bw.Flush()
}

// describe renders one change.
func describe(c Change, a Action) string {
	if c.Added != nil || c.Changed != nil || c.Removed != nil {
		var parts []string
		for _, s := range c.Added {
			parts = append(parts, "+ "+s)
		}
		for _, s := range c.Changed {
			parts = append(parts, "~ "+s)
		}
		for _, s := range c.Removed {
			parts = append(parts, "- "+s)
		}
		return strings.Join(parts, ", ")
	}
	if a == ActionCreate {
		return quote(c.After)
	}
	return quote(c.Before) + " → " + quote(c.After)
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
	return strconv.Quote(s)
}
