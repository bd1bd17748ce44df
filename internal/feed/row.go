package feed

import (
	"encoding/json"
	"fmt"
	"maps"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/usersync/syncer/internal/textfmt"
)

// cell is one field of a raw row, as either parser found it.
type cell struct {
	present bool
	text    string
	list    []item // JSONL arrays; nil for text cells
	isList  bool
	col     int
}

// item is one element of a list: its text form ("Billing:4") or, from
// JSONL, an object's members.
type item struct {
	text string
	obj  map[string]json.RawMessage
}

// rawRow is a record before interpretation.
type rawRow struct {
	line  int
	cells [numFields]cell
	// problems found while reading (syntax, encoding, field count).
	problems []Problem
}

// record is a row being validated.
type record struct {
	emp      Employee
	cols     [numFields]int
	rejected bool
	codes    []string
	reason   string
	// mgr is the index of the manager's row in the feed, or noManager, or
	// managerOutside (named, but not in the feed: for the Directory).
	mgr int
	// tainted are the fields reported for their bytes, characters or
	// length: no use looking their values up in the org.
	tainted FieldSet
}

const (
	noManager      = -1
	managerOutside = -2
)

// rowBuilder turns raw rows into employees.
type rowBuilder struct {
	cfg     Config
	listSep string
	// admin is the Genesys admin-import layout, where empty manager and
	// list cells mean "not given" rather than "none".
	admin bool
}

func (b *rowBuilder) problem(r *rawRow, f Field, code, format string, args ...any) Problem {
	field := ""
	col := 0
	if f < numFields {
		field = f.String()
		col = r.cells[f].col
	}
	return Problem{File: b.cfg.File, Line: r.line, Column: col, Field: field, Code: code, Severity: SeverityError, Reason: fmt.Sprintf(format, args...)}
}

// build interprets a raw row. Problems with SeverityError reject it.
func (b *rowBuilder) build(r *rawRow) (record, []Problem) {
	var rec record
	probs := r.problems
	e := &rec.emp
	e.Line = r.line
	for f := range numFields {
		rec.cols[f] = r.cells[f].col
		if r.cells[f].present {
			e.Has = e.Has.With(f)
		}
	}
	bad := func(f Field, code, format string, args ...any) {
		probs = append(probs, b.problem(r, f, code, format, args...))
	}
	if len(r.problems) > 0 {
		// The reader could not split this row properly: report that alone,
		// keeping whatever identity it found so the person is protected.
		e.EmployeeID = strings.TrimSpace(strings.ToValidUTF8(r.cells[FieldEmployeeID].text, "\uFFFD"))
		e.Email = strings.TrimSpace(strings.ToValidUTF8(r.cells[FieldEmail].text, "\uFFFD"))
		return rec, probs
	}
	// tainted are the fields already reported for their characters or
	// length, so that a value is not also reported as a bad email or state.
	var tainted FieldSet
	text := func(f Field) string {
		c := r.cells[f]
		if !c.present {
			return ""
		}
		if c.isList {
			bad(f, CodeBadValue, "expected a string, not a list")
			return ""
		}
		v := c.text
		if !utf8.ValidString(v) {
			bad(f, CodeEncoding, "invalid UTF-8 at byte %d; save the file as UTF-8", invalidUTF8At(v)+1)
			tainted = tainted.With(f)
			return strings.TrimSpace(strings.ToValidUTF8(v, "\uFFFD"))
		}
		v = strings.TrimSpace(v)
		if pos, ch, n := controlAt(v, joinersOK(f)); n > 0 {
			bad(f, CodeControlCharacter, "%s", controlReason("the value", v, pos, ch, n))
			tainted = tainted.With(f)
		}
		if n, long := tooLong(v, maxRunes[f]); long {
			bad(f, CodeTooLong, "%s", tooLongReason("the value", v, n, maxRunes[f]))
			tainted = tainted.With(f)
		}
		if isFormula(v) && f != FieldPhoneWork { // a number starts with +: phoneProblem judges it
			p := b.problem(r, f, CodeFormula, "value %s starts with %s: kept verbatim as text, never evaluated", textfmt.Quote(clip(v)), textfmt.Quote(v[:1]))
			p.Severity = SeverityWarning
			probs = append(probs, p)
		}
		return v
	}

	// Identity first, so that a rejected row can still protect its person.
	e.EmployeeID = text(FieldEmployeeID)
	e.Email = text(FieldEmail)

	e.Action = ActionUpsert
	if a := strings.ToLower(text(FieldAction)); a != "" {
		switch Action(a) {
		case ActionUpsert, ActionOffboard:
			e.Action = Action(a)
		default:
			if !tainted.Has(FieldAction) {
				bad(FieldAction, CodeBadValue, "action %s: want upsert or offboard", textfmt.Quote(clip(a)))
			}
		}
		if b.cfg.Mode == ModeSnapshot && e.Action == ActionOffboard {
			bad(FieldAction, CodeBadValue, "action offboard is for delta feeds; in a snapshot leave the row out")
		}
	}
	b.checkEmail(r, FieldEmail, e.Email, tainted, &probs)
	if e.EmployeeID == "" && e.Email == "" {
		switch {
		case e.Has.Has(FieldEmployeeID):
			bad(FieldEmployeeID, CodeRequired, "employee_id and email are both empty: the row identifies nobody")
		default:
			bad(FieldEmail, CodeRequired, "email is empty: the row identifies nobody")
		}
	}
	if e.Action == ActionOffboard {
		// An offboarding row only identifies someone; the rest is ignored.
		e.Has = e.Has.Without(FieldName, FieldTitle, FieldDepartment, FieldManagerEmployeeID, FieldManagerEmail,
			FieldDivision, FieldState, FieldSkills, FieldLanguages, FieldQueues, FieldRoles, FieldACDAutoAnswer,
			FieldPhoneWork, FieldExtension, FieldLocation, FieldHireDate, FieldEmployeeType, FieldUtilization,
			FieldDefaultStation, FieldProfileSkills)
		return rec, probs
	}

	e.Name = text(FieldName)
	if e.Name == "" {
		if r.cells[FieldName].present {
			bad(FieldName, CodeRequired, "name is empty")
		} else {
			probs = append(probs, Problem{File: b.cfg.File, Line: r.line, Field: "name", Code: CodeRequired, Severity: SeverityError,
				Reason: "an upsert needs a name and the row has none"})
		}
	}
	if e.Email == "" && e.EmployeeID != "" {
		bad(FieldEmail, CodeRequired, "an upsert needs an email")
	}
	e.Title = text(FieldTitle)
	e.Department = text(FieldDepartment)
	e.ManagerEmployeeID = text(FieldManagerEmployeeID)
	e.ManagerEmail = text(FieldManagerEmail)
	b.checkEmail(r, FieldManagerEmail, e.ManagerEmail, tainted, &probs)
	// The two manager columns are one attribute.
	if e.Has.Has(FieldManagerEmployeeID) || e.Has.Has(FieldManagerEmail) {
		e.Has = e.Has.With(FieldManagerEmployeeID, FieldManagerEmail)
		if b.admin && e.ManagerEmployeeID == "" && e.ManagerEmail == "" {
			// The admin-import layout: an empty email_manager keeps the manager.
			e.Has = e.Has.Without(FieldManagerEmployeeID, FieldManagerEmail)
		}
	}
	e.Division = text(FieldDivision)
	if e.Division == "" {
		// An empty division means "not given": a user always has one.
		e.Has = e.Has.Without(FieldDivision)
	}
	if s := strings.ToLower(text(FieldState)); s != "" {
		switch s {
		case StateActive, StateInactive:
			e.State = s
		default:
			if !tainted.Has(FieldState) {
				bad(FieldState, CodeBadValue, "state %s: want active or inactive", textfmt.Quote(clip(s)))
			}
		}
	} else {
		e.Has = e.Has.Without(FieldState)
	}
	if c := r.cells[FieldACDAutoAnswer]; c.present {
		v := strings.ToLower(text(FieldACDAutoAnswer))
		switch v {
		case "true", "yes", "y", "1":
			e.ACDAutoAnswer = true
		case "false", "no", "n", "0":
		case "":
			e.Has = e.Has.Without(FieldACDAutoAnswer)
		default:
			if !tainted.Has(FieldACDAutoAnswer) {
				bad(FieldACDAutoAnswer, CodeBadValue, "%s is not a boolean (true/false, yes/no, 1/0)", textfmt.Quote(clip(v)))
			}
		}
	}

	// The work phone: an empty cell in a phone column clears that part
	// (as in the Genesys importer); a column left out keeps it.
	if v := text(FieldPhoneWork); v != "" && !tainted.Has(FieldPhoneWork) {
		if n, why := phoneProblem(v); why != "" {
			bad(FieldPhoneWork, CodeBadPhone, "%s %s", textfmt.Quote(clip(v)), why)
		} else {
			e.PhoneWork = n
		}
	}
	if v := text(FieldExtension); v != "" && !tainted.Has(FieldExtension) {
		if why := extensionProblem(v); why != "" {
			bad(FieldExtension, CodeBadPhone, "extension %s %s", textfmt.Quote(clip(v)), why)
		} else {
			e.Extension = v
		}
	}
	// An empty location or hire date means "not given": a feed never
	// removes a location, and an export without a hire date does not
	// clear one.
	if e.Location = text(FieldLocation); e.Location == "" {
		e.Has = e.Has.Without(FieldLocation)
	}
	if v := text(FieldHireDate); v == "" {
		e.Has = e.Has.Without(FieldHireDate)
	} else if !tainted.Has(FieldHireDate) {
		if d, err := time.Parse(HireDateLayout, v); err != nil || d.Format(HireDateLayout) != v {
			if isoShaped(v) {
				bad(FieldHireDate, CodeBadValue, "hire date %s is not a day of the calendar", textfmt.Quote(clip(v)))
			} else {
				bad(FieldHireDate, CodeBadValue, "hire date %s: want a date written YYYY-MM-DD (2024-03-18)", textfmt.Quote(clip(v)))
			}
		} else {
			e.HireDate = v
		}
	}

	// The joiner columns: an empty employee type, utilization or station
	// means "not given".
	if e.EmployeeType = text(FieldEmployeeType); e.EmployeeType == "" {
		e.Has = e.Has.Without(FieldEmployeeType)
	}
	if v := text(FieldUtilization); v == "" {
		e.Has = e.Has.Without(FieldUtilization)
	} else if !tainted.Has(FieldUtilization) {
		e.Utilization = b.profile(r, v, &probs)
	}
	if e.DefaultStation = text(FieldDefaultStation); e.DefaultStation == "" {
		e.Has = e.Has.Without(FieldDefaultStation)
	}
	e.ProfileSkills = b.profileSkills(r, &probs)

	e.Skills = b.proficiencies(r, FieldSkills, "skill", &probs)
	e.Languages = b.proficiencies(r, FieldLanguages, "language", &probs)
	e.Queues = b.queues(r, &probs)
	e.Roles = b.grants(r, &probs)
	for _, f := range []Field{FieldSkills, FieldLanguages, FieldQueues, FieldRoles, FieldProfileSkills} {
		c := r.cells[f]
		// In the admin-import layout an empty list cell means "not given".
		if c.present && !c.isList && strings.TrimSpace(c.text) == "" && b.admin {
			e.Has = e.Has.Without(f)
		}
	}
	rec.tainted = tainted
	return rec, probs
}

// checkEmail reports an email value that is not an address syncer
// accepts (see emailProblem), unless its characters or length were
// already reported.
func (b *rowBuilder) checkEmail(r *rawRow, f Field, v string, tainted FieldSet, probs *[]Problem) {
	if v == "" || tainted.Has(f) {
		return
	}
	if why := emailProblem(v); why != "" {
		*probs = append(*probs, b.problem(r, f, CodeBadEmail, "%s %s", textfmt.Quote(clip(v)), why))
	}
}

// items splits a list cell into items. A CSV cell is checked for
// characters a one-line field may not hold before it is split, so that a
// line break between two items is found too; a JSON list, item by item.
func (b *rowBuilder) items(r *rawRow, f Field, probs *[]Problem) []item {
	c := r.cells[f]
	if !c.present {
		return nil
	}
	if c.isList {
		for i, it := range c.list {
			if b.controlInItem(r, f, i, it, probs) {
				return nil
			}
		}
		return c.list
	}
	if !utf8.ValidString(c.text) {
		*probs = append(*probs, b.problem(r, f, CodeEncoding, "invalid UTF-8 at byte %d; save the file as UTF-8", invalidUTF8At(c.text)+1))
		return nil
	}
	v := strings.TrimSpace(c.text)
	if pos, ch, n := controlAt(v, true); n > 0 {
		*probs = append(*probs, b.problem(r, f, CodeControlCharacter, "%s", controlReason("the list", v, pos, ch, n)))
		return nil
	}
	var out []item
	for _, part := range splitList(v, b.listSep, f == FieldRoles) {
		part = strings.TrimSpace(part)
		if part == "" {
			continue
		}
		out = append(out, item{text: part})
	}
	return out
}

// splitList splits a list cell on sep; with brackets, never inside
// [...], so that a role's divisions ("Agent: [Sales; Home]") stay with it.
func splitList(v, sep string, brackets bool) []string {
	if !brackets || !strings.Contains(v, "[") {
		return strings.Split(v, sep)
	}
	var out []string
	depth, start := 0, 0
	for i := 0; i < len(v); i++ {
		switch {
		case v[i] == '[':
			depth++
		case v[i] == ']' && depth > 0:
			depth--
		case depth == 0 && strings.HasPrefix(v[i:], sep):
			out = append(out, v[start:i])
			start = i + len(sep)
			i += len(sep) - 1
		}
	}
	return append(out, v[start:])
}

// controlInItem reports the first string of a JSON list item (a string,
// or an object's string members) that holds characters a one-line field
// may not hold.
func (b *rowBuilder) controlInItem(r *rawRow, f Field, i int, it item, probs *[]Problem) bool {
	check := func(what, v string) bool {
		v = strings.TrimSpace(v)
		if pos, ch, n := controlAt(v, true); n > 0 {
			*probs = append(*probs, b.problem(r, f, CodeControlCharacter, "%s", controlReason(what, v, pos, ch, n)))
			return true
		}
		return false
	}
	if it.obj == nil {
		return check(fmt.Sprintf("item %d", i+1), it.text)
	}
	for _, k := range slices.Sorted(maps.Keys(it.obj)) {
		var s string
		if json.Unmarshal(it.obj[k], &s) == nil && check(fmt.Sprintf("item %d (key %s)", i+1, textfmt.Quote(clip(k))), s) {
			return true
		}
	}
	return false
}

// itemTooLong reports an item name over MaxTextLength.
func (b *rowBuilder) itemTooLong(r *rawRow, f Field, what, name string, probs *[]Problem) bool {
	if n, long := tooLong(name, MaxTextLength); long {
		*probs = append(*probs, b.problem(r, f, CodeTooLong, "%s", tooLongReason(what, name, n, MaxTextLength)))
		return true
	}
	return false
}

func (b *rowBuilder) formula(r *rawRow, f Field, v string, probs *[]Problem) {
	if isFormula(v) {
		p := b.problem(r, f, CodeFormula, "item %s starts with %s: kept verbatim as text, never evaluated", textfmt.Quote(clip(v)), textfmt.Quote(v[:1]))
		p.Severity = SeverityWarning
		*probs = append(*probs, p)
	}
}

func (b *rowBuilder) proficiencies(r *rawRow, f Field, what string, probs *[]Problem) []Proficiency {
	items := b.items(r, f, probs)
	if items == nil {
		return nil
	}
	out := make([]Proficiency, 0, len(items))
	seen := map[string]bool{}
	for _, it := range items {
		var name, level string
		switch {
		case it.obj != nil:
			name = jsonString(it.obj["name"])
			level = jsonScalar(it.obj["proficiency"])
			if level == "" {
				*probs = append(*probs, b.problem(r, f, CodeBadProficiency, "%s %s has no proficiency", what, textfmt.Quote(clip(name))))
				continue
			}
		default:
			i := strings.LastIndexByte(it.text, ':')
			if i < 0 {
				*probs = append(*probs, b.problem(r, f, CodeBadProficiency, "%s %s has no proficiency: write Name:0-5", what, textfmt.Quote(clip(it.text))))
				continue
			}
			name, level = strings.TrimSpace(it.text[:i]), strings.TrimSpace(it.text[i+1:])
		}
		if name == "" {
			*probs = append(*probs, b.problem(r, f, CodeBadValue, "a %s without a name", what))
			continue
		}
		if b.itemTooLong(r, f, what, name, probs) {
			continue
		}
		b.formula(r, f, name, probs)
		if strings.Count(level, ",") == 1 && !strings.Contains(level, ".") {
			level = strings.Replace(level, ",", ".", 1) // a decimal comma, as semicolon-delimited spreadsheets write it
		}
		v, err := strconv.ParseFloat(level, 64)
		switch {
		case err != nil || math.IsNaN(v) || math.IsInf(v, 0):
			*probs = append(*probs, b.problem(r, f, CodeBadProficiency, "%s %s: proficiency %s is not a number", what, textfmt.Quote(clip(name)), textfmt.Quote(clip(level))))
			continue
		case v < 0 || v > 5:
			*probs = append(*probs, b.problem(r, f, CodeBadProficiency, "%s %s: proficiency %s outside 0-5", what, textfmt.Quote(clip(name)), textfmt.Safe(clip(level))))
			continue
		}
		if k := foldName(name); seen[k] {
			*probs = append(*probs, b.problem(r, f, CodeDuplicateItem, "%s %s listed twice", what, textfmt.Quote(clip(name))))
			continue
		} else {
			seen[k] = true
		}
		out = append(out, Proficiency{Name: name, Level: v})
	}
	return out
}

// profile returns the configured utilization profile v names
// (case-insensitive), as configured; an unknown one is a problem.
func (b *rowBuilder) profile(r *rawRow, v string, probs *[]Problem) string {
	for _, p := range b.cfg.UtilizationProfiles {
		if strings.EqualFold(strings.TrimSpace(p), v) {
			return p
		}
	}
	reason := fmt.Sprintf("utilization profile %s is not one of %s", textfmt.Quote(clip(v)), b.cfg.configKey("onboard.utilization_profiles"))
	if len(b.cfg.UtilizationProfiles) == 0 {
		reason += ", which names none"
	} else {
		var d Dimension
		for _, p := range b.cfg.UtilizationProfiles {
			d.Add(p, p)
		}
		if s := d.Suggest(v); s != "" {
			reason += fmt.Sprintf(" (did you mean %s?)", textfmt.Quote(s))
		} else {
			reason += " (" + strings.Join(slices.Sorted(slices.Values(b.cfg.UtilizationProfiles)), ", ") + ")"
		}
	}
	*probs = append(*probs, b.problem(r, FieldUtilization, CodeUnknownProfile, "%s", reason))
	return ""
}

// profileSkills reads the profile skills: free-text names, each once.
func (b *rowBuilder) profileSkills(r *rawRow, probs *[]Problem) []string {
	items := b.items(r, FieldProfileSkills, probs)
	if items == nil {
		return nil
	}
	out := make([]string, 0, len(items))
	seen := map[string]bool{}
	for _, it := range items {
		name := strings.TrimSpace(it.text)
		if it.obj != nil {
			name = jsonString(it.obj["name"])
		}
		if name == "" {
			*probs = append(*probs, b.problem(r, FieldProfileSkills, CodeBadValue, "a profile skill without a name"))
			continue
		}
		if b.itemTooLong(r, FieldProfileSkills, "profile skill", name, probs) {
			continue
		}
		b.formula(r, FieldProfileSkills, name, probs)
		if k := foldName(name); seen[k] {
			*probs = append(*probs, b.problem(r, FieldProfileSkills, CodeDuplicateItem, "profile skill %s listed twice", textfmt.Quote(clip(name))))
			continue
		} else {
			seen[k] = true
		}
		out = append(out, name)
	}
	return out
}

func (b *rowBuilder) queues(r *rawRow, probs *[]Problem) []Queue {
	items := b.items(r, FieldQueues, probs)
	if items == nil {
		return nil
	}
	out := make([]Queue, 0, len(items))
	seen := map[string]bool{}
	for _, it := range items {
		q := Queue{Joined: true}
		switch {
		case it.obj != nil:
			q.Name = jsonString(it.obj["name"])
			if raw, ok := it.obj["joined"]; ok && string(raw) != "null" {
				if err := json.Unmarshal(raw, &q.Joined); err != nil {
					*probs = append(*probs, b.problem(r, FieldQueues, CodeBadValue, "queue %s: joined %s is not a boolean", textfmt.Quote(clip(q.Name)), textfmt.Safe(clip(string(raw)))))
					continue
				}
			}
		default:
			q.Name = it.text
			if i := strings.LastIndexByte(it.text, ':'); i >= 0 {
				switch strings.ToLower(strings.TrimSpace(it.text[i+1:])) {
				case "joined":
					q.Name = strings.TrimSpace(it.text[:i])
				case "unjoined":
					q.Name, q.Joined = strings.TrimSpace(it.text[:i]), false
				}
			}
		}
		if q.Name == "" {
			*probs = append(*probs, b.problem(r, FieldQueues, CodeBadValue, "a queue without a name"))
			continue
		}
		if b.itemTooLong(r, FieldQueues, "queue", q.Name, probs) {
			continue
		}
		b.formula(r, FieldQueues, q.Name, probs)
		if k := foldName(q.Name); seen[k] {
			*probs = append(*probs, b.problem(r, FieldQueues, CodeDuplicateItem, "queue %s listed twice", textfmt.Quote(clip(q.Name))))
			continue
		} else {
			seen[k] = true
		}
		out = append(out, q)
	}
	return out
}

func (b *rowBuilder) grants(r *rawRow, probs *[]Problem) []Grant {
	items := b.items(r, FieldRoles, probs)
	if items == nil {
		return nil
	}
	out := make([]Grant, 0, len(items))
	seen := map[string]bool{}
	for _, it := range items {
		var gs []Grant
		switch {
		case it.obj != nil:
			gs = []Grant{{Role: cmpOr(jsonString(it.obj["role"]), jsonString(it.obj["name"])), Division: jsonString(it.obj["division"])}}
		default:
			gs = parseGrants(it.text)
		}
		for _, g := range gs {
			if g.Role == "" {
				*probs = append(*probs, b.problem(r, FieldRoles, CodeBadValue, "a role without a name"))
				continue
			}
			if b.itemTooLong(r, FieldRoles, "role", g.Role, probs) || b.itemTooLong(r, FieldRoles, "division", g.Division, probs) {
				continue
			}
			b.formula(r, FieldRoles, g.Role, probs)
			if k := foldName(g.Role) + "@" + foldName(g.Division); seen[k] {
				*probs = append(*probs, b.problem(r, FieldRoles, CodeDuplicateItem, "role %s listed twice", textfmt.Quote(clip(g.Role+"@"+g.Division))))
				continue
			} else {
				seen[k] = true
			}
			out = append(out, g)
		}
	}
	return out
}

// parseGrants reads one role item: "Role@Division", "Role", or the Genesys
// admin-import template's "Role: [Division; Division]" (one grant per
// division; "Role: []" is the role alone).
func parseGrants(s string) []Grant {
	if open := strings.LastIndexByte(s, '['); open >= 0 && strings.HasSuffix(s, "]") {
		role := strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(s[:open]), ":"))
		var out []Grant
		for d := range strings.SplitSeq(s[open+1:len(s)-1], ";") {
			if d = strings.TrimSpace(d); d != "" {
				out = append(out, Grant{Role: role, Division: d})
			}
		}
		if len(out) == 0 {
			out = []Grant{{Role: role}}
		}
		return out
	}
	g := Grant{Role: s}
	if i := strings.LastIndexByte(s, '@'); i >= 0 {
		g.Role, g.Division = strings.TrimSpace(s[:i]), strings.TrimSpace(s[i+1:])
	}
	return []Grant{g}
}

// resolve fills a valid record's ids from refs, returning a problem for
// every name the org does not have.
func resolve(file string, rec *record, refs *Refs) []Problem {
	var probs []Problem
	e := &rec.emp
	unknown := func(f Field, what string, d Dimension, name string) {
		reason := fmt.Sprintf("unknown %s %s", what, textfmt.Quote(clip(name)))
		if s := d.Suggest(name); s != "" {
			reason += fmt.Sprintf(" (did you mean %s?)", textfmt.Quote(s))
		}
		if f == FieldLocation {
			// The Genesys importer creates a location it does not know;
			// syncer does not (a misspelt name would become a site).
			reason += "; syncer never creates a location: create it in Genesys Cloud first, or correct the name"
		}
		probs = append(probs, Problem{File: file, Line: e.Line, Column: rec.cols[f], Field: f.String(), Code: CodeUnknownName, Severity: SeverityError, Reason: reason})
	}
	if e.Division != "" && !rec.tainted.Has(FieldDivision) {
		if id, ok := refs.Divisions.ID(e.Division); ok {
			e.DivisionID = id
		} else {
			unknown(FieldDivision, "division", refs.Divisions, e.Division)
		}
	}
	if e.DefaultStation != "" && !rec.tainted.Has(FieldDefaultStation) && refs.Stations.Len() > 0 {
		// A station is named by id or by name. Without the org's stations
		// (a plan that reads nothing) it stays unresolved: the plan then
		// leaves stations alone.
		if refs.Stations.Has(e.DefaultStation) {
			e.DefaultStationID = e.DefaultStation
		} else if id, ok := refs.Stations.ID(e.DefaultStation); ok {
			e.DefaultStationID = id
		} else {
			unknown(FieldDefaultStation, "station", refs.Stations, e.DefaultStation)
		}
	}
	if e.Location != "" && !rec.tainted.Has(FieldLocation) {
		if id, ok := refs.Locations.ID(e.Location); ok {
			e.LocationID = id
		} else {
			unknown(FieldLocation, "location", refs.Locations, e.Location)
		}
	}
	for i := range e.Skills {
		if id, ok := refs.Skills.ID(e.Skills[i].Name); ok {
			e.Skills[i].ID = id
		} else {
			unknown(FieldSkills, "skill", refs.Skills, e.Skills[i].Name)
		}
	}
	for i := range e.Languages {
		if id, ok := refs.Languages.ID(e.Languages[i].Name); ok {
			e.Languages[i].ID = id
		} else {
			unknown(FieldLanguages, "language", refs.Languages, e.Languages[i].Name)
		}
	}
	for i := range e.Queues {
		if id, ok := refs.Queues.ID(e.Queues[i].Name); ok {
			e.Queues[i].ID = id
		} else {
			unknown(FieldQueues, "queue", refs.Queues, e.Queues[i].Name)
		}
	}
	seen := map[[2]string]bool{}
	for i := range e.Roles {
		g := &e.Roles[i]
		if id, ok := refs.Roles.ID(g.Role); ok {
			g.RoleID = id
		} else {
			unknown(FieldRoles, "role", refs.Roles, g.Role)
		}
		switch {
		case g.Division == "":
			g.DivisionID = cmpOr(e.DivisionID, refs.HomeDivisionID)
		default:
			if id, ok := refs.Divisions.ID(g.Division); ok {
				g.DivisionID = id
			} else {
				unknown(FieldRoles, "division", refs.Divisions, g.Division)
			}
		}
		k := [2]string{g.RoleID, g.DivisionID}
		if g.RoleID != "" && g.DivisionID != "" && seen[k] {
			probs = append(probs, Problem{File: file, Line: e.Line, Column: rec.cols[FieldRoles], Field: FieldRoles.String(), Code: CodeDuplicateItem, Severity: SeverityError,
				Reason: fmt.Sprintf("role %s granted twice in the same division", textfmt.Quote(clip(g.Role)))})
		}
		seen[k] = true
	}
	return probs
}

func cmpOr(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

// isFormula reports whether a spreadsheet would take v for a formula.
func isFormula(v string) bool {
	return v != "" && strings.ContainsRune("=+-@", rune(v[0]))
}

// invalidUTF8At returns the byte offset of the first invalid sequence.
func invalidUTF8At(s string) int {
	for i, r := range s {
		if r == utf8.RuneError {
			if _, size := utf8.DecodeRuneInString(s[i:]); size == 1 {
				return i
			}
		}
	}
	return len(s)
}

// clip shortens a value quoted in a message.
func clip(s string) string {
	const max = 60
	if len(s) <= max {
		return s
	}
	cut := max
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut] + "…"
}

// jsonString returns a JSON string's value, or "" for anything else.
func jsonString(raw json.RawMessage) string {
	var s string
	if json.Unmarshal(raw, &s) != nil {
		return ""
	}
	return strings.TrimSpace(s)
}

// jsonScalar returns a JSON string or number as text.
func jsonScalar(raw json.RawMessage) string {
	if s := jsonString(raw); s != "" {
		return s
	}
	var n json.Number
	if json.Unmarshal(raw, &n) != nil {
		return ""
	}
	return n.String()
}
