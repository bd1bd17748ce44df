package feed

import (
	"bufio"
	"errors"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"unicode"

	"github.com/google/go-cmp/cmp"

	"github.com/usersync/syncer/internal/textfmt"
)

// unprintable reports a character that a terminal or a log viewer could
// act on or hide text with: C0 and C1 controls, DEL, the line and
// paragraph separators, and the format characters (bidi controls, zero
// width characters, BOM, tags). Nothing syncer renders may hold one.
func unprintable(r rune) bool {
	return r < 0x20 || (r >= 0x7f && r <= 0x9f) || r == '\u2028' || r == '\u2029' || unicode.Is(unicode.Cf, r)
}

// fileError returns the file-level problems of err, failing when it is
// not a *Error.
func fileError(t *testing.T, err error) []Problem {
	t.Helper()
	var fe *Error
	if !errors.As(err, &fe) {
		t.Fatalf("err = %v, want a file-level *Error", err)
	}
	return fe.Problems
}

func codes(ps []Problem) []string {
	var out []string
	for _, p := range ps {
		out = append(out, p.Code)
	}
	return out
}

// TestParseThenResolve: Parse finds what needs no org; Resolve adds the
// unknown names and the managers outside the feed, and rejects in turn the
// rows whose manager it rejected; Read is the two together.
func TestParseThenResolve(t *testing.T) {
	t.Parallel()
	in := "employee_id,email,name,manager_employee_id,skills\n" +
		"E1,a@example.com,A,E0001,Billing:3\n" + // manager in the org: valid
		"E2,b@example.com,B,E1,Billng:3\n" + // unknown skill: rejected by Resolve
		"E3,c@example.com,C,E2,\n" + // manager E2 rejected by Resolve
		"E4,d@example,D,E1,\n" + // bad email: rejected by Parse
		"E5,e@example.com,E,E4,\n" + // manager E4 rejected by Parse
		"E6,f@example.com,F,E9999,\n" + // manager nowhere: rejected by Resolve
		"E7,g@example.com,G,E7,\n" // own manager: rejected by Parse
	cfg := Config{File: "t.csv", Refs: testRefs(), Directory: testDirectory{}}
	p, err := Parse(strings.NewReader(in), cfg)
	if err != nil {
		t.Fatal(err)
	}
	if p.Rows != 7 || p.Valid() != 4 || len(p.Rejected) != 3 {
		t.Fatalf("rows %d, valid %d, rejected %d; want 7, 4, 3", p.Rows, p.Valid(), len(p.Rejected))
	}
	if diff := cmp.Diff([]string{CodeBadEmail, CodeManagerRejected, CodeManagerCycle}, codes(p.Problems)); diff != "" {
		t.Errorf("parse problems (-want +got):\n%s", diff)
	}
	var lines []int
	for _, r := range p.Rejected {
		lines = append(lines, r.Line)
	}
	if diff := cmp.Diff([]int{5, 6, 8}, lines); diff != "" {
		t.Errorf("rejected lines (-want +got):\n%s", diff)
	}
	if len(p.Errors()) != 3 || p.UnidentifiedRejects() != 0 {
		t.Errorf("errors %d, unidentified %d", len(p.Errors()), p.UnidentifiedRejects())
	}

	f := p.Resolve(cfg.Refs, cfg.Directory)
	want := []string{CodeUnknownName, CodeManagerRejected, CodeBadEmail, CodeManagerRejected, CodeManagerNotFound, CodeManagerCycle}
	if diff := cmp.Diff(want, codes(f.Problems)); diff != "" {
		t.Errorf("feed problems (-want +got):\n%s", diff)
	}
	if len(f.Employees) != 1 || f.Employees[0].EmployeeID != "E1" || f.Employees[0].Skills[0].ID != "sk-billing" || !f.Resolved {
		t.Errorf("employees %+v", f.Employees)
	}
	if len(p.Rejected) != 3 {
		t.Errorf("Resolve changed the Parsed's rejected rows: %d", len(p.Rejected))
	}

	read, err := Read(strings.NewReader(in), cfg)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(f, read); diff != "" {
		t.Errorf("Read differs from Parse+Resolve (-parse +read):\n%s", diff)
	}

	defer func() {
		if recover() == nil {
			t.Error("a second Resolve did not panic")
		}
	}()
	p.Resolve(nil, nil)
}

// TestParseIgnoresRefs: Parse takes no reference data and no directory,
// even when the Config has them; Resolve without them checks no names and
// finds no manager outside the feed.
func TestParseIgnoresRefs(t *testing.T) {
	t.Parallel()
	in := "employee_id,email,name,manager_employee_id,skills\nE1,a@example.com,A,E0001,Nothing:3\n"
	p, err := Parse(strings.NewReader(in), Config{Refs: testRefs(), Directory: testDirectory{}})
	if err != nil {
		t.Fatal(err)
	}
	if len(p.Problems) != 0 || p.Valid() != 1 {
		t.Fatalf("Parse used org data: %+v", p.Problems)
	}
	f := p.Resolve(nil, nil)
	if f.Resolved || diffCodes(t, []string{CodeManagerNotFound}, f.Problems) {
		t.Errorf("resolved %v, problems %+v", f.Resolved, f.Problems)
	}
	if !strings.Contains(f.Problems[0].Reason, `manager "E0001" is not in the feed`) {
		t.Errorf("reason %q", f.Problems[0].Reason)
	}
}

func diffCodes(t *testing.T, want []string, ps []Problem) bool {
	t.Helper()
	if diff := cmp.Diff(want, codes(ps)); diff != "" {
		t.Errorf("codes (-want +got):\n%s", diff)
		return true
	}
	return false
}

// TestNoRows: a feed with a header and no data rows, or a JSONL file with
// no rows, is unusable in both modes; an empty CSV file too.
func TestNoRows(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, in string
		cfg      Config
		code     string
		reason   string
	}{
		{"header", "employee_id,email,name\n", Config{}, CodeNoRows, "the feed has a header but no data rows; nothing to plan"},
		{"header without line end", "employee_id,email,name", Config{}, CodeNoRows, "the feed has a header but no data rows; nothing to plan"},
		{"delta header", "employee_id;email;name;action\r\n", Config{Mode: ModeDelta}, CodeNoRows, "the feed has a header but no data rows; nothing to plan"},
		{"BOM and tab header", "\ufeffemployee_id\temail\tname\n", Config{}, CodeNoRows, "the feed has a header but no data rows; nothing to plan"},
		{"blank rows", "employee_id,email,name\n\n,,\n  \n\n", Config{Mode: ModeDelta}, CodeNoRows, "the feed has a header but no data rows; nothing to plan"},
		{"empty jsonl", "", Config{File: "x.jsonl"}, CodeNoRows, "the feed has no rows (the file is empty or blank); nothing to plan"},
		{"blank jsonl", "\n \n\r\n", Config{Format: FormatJSONL, Mode: ModeDelta}, CodeNoRows, "the feed has no rows (the file is empty or blank); nothing to plan"},
		{"empty csv", "", Config{}, CodeHeader, "the file is empty: want a header line"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, err := Parse(strings.NewReader(tt.in), tt.cfg)
			ps := fileError(t, err)
			if len(ps) != 1 || ps[0].Code != tt.code || ps[0].Reason != tt.reason {
				t.Errorf("problems %+v; want one %s: %s", ps, tt.code, tt.reason)
			}
		})
	}
}

// TestDelimiterDetection: each delimiter is found from the header, a tie
// is settled by the data lines, quoted delimiters do not count, and the
// list separator follows the delimiter.
func TestDelimiterDetection(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, in string
		skills   []string
	}{
		{"comma", "employee_id,email,name,skills\nE1,a@example.com,\"A; B | C\",Billing:4|Sales:3\n", []string{"Billing", "Sales"}},
		{"semicolon", "employee_id;email;name;skills\nE1;a@example.com;\"A, B\";Billing:4,5|Sales:3\n", []string{"Billing", "Sales"}},
		{"tab", "employee_id\temail\tname\tskills\nE1\ta@example.com\tA, B; C\tBilling:4|Sales:3\n", []string{"Billing", "Sales"}},
		{"pipe: lists by semicolon", "employee_id|email|name|skills\nE1|a@example.com|A, B|Billing:4;Sales:3\n", []string{"Billing", "Sales"}},
		{"pipe, quoted pipe list", "employee_id|email|name|skills\nE1|a@example.com|A|\"Billing:4;Sales:3\"\n", []string{"Billing", "Sales"}},
		{"quoted commas in a semicolon header", "\"employee_id, the HR key\";email;name;skills\nE1;a@example.com;A;Billing:4\n", []string{"Billing"}},
		{"tie settled by the data", "employee_id;email (work, primary);name (first, last)\nE1;a@example.com;Ana Lima\n", nil},
		{"admin layout, pipe", "name|email|email_manager|skills\nA|a@example.com||Billing:4,Sales:3\n", []string{"Billing", "Sales"}},
		{"CRLF and blank line", "\r\nemployee_id|email|name\r\nE1|a@example.com|A\r\n", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			cfg := Config{File: "t.csv", Columns: map[string]string{}}
			if strings.Contains(tt.in, "the HR key") {
				cfg.Columns["employee_id"] = "employee_id, the HR key"
			}
			if strings.Contains(tt.name, "tie") {
				// ';' and ',' both split the header in three; the data says ';'.
				cfg.Columns["email"], cfg.Columns["name"] = "email (work, primary)", "name (first, last)"
			}
			f, err := Read(strings.NewReader(tt.in), cfg)
			if err != nil {
				t.Fatal(err)
			}
			if len(f.Employees) != 1 || len(f.Problems) != 0 {
				t.Fatalf("%s", report(f, nil))
			}
			e := f.Employees[0]
			if e.Email != "a@example.com" {
				t.Errorf("email %q", e.Email)
			}
			var skills []string
			for _, s := range e.Skills {
				skills = append(skills, s.Name)
			}
			if diff := cmp.Diff(tt.skills, skills); diff != "" {
				t.Errorf("skills (-want +got):\n%s", diff)
			}
		})
	}
}

// TestWrongDelimiter: a header that one delimiter leaves as one column
// while another splits it says which delimiter the file seems to use, for
// every forced delimiter and every other one in the file; data lines split
// by another delimiter than the header are found too.
func TestWrongDelimiter(t *testing.T) {
	t.Parallel()
	for _, forced := range Delimiters {
		for _, used := range Delimiters {
			if forced == used {
				continue
			}
			name := fmt.Sprintf("forced %q, file %q", forced, used)
			t.Run(name, func(t *testing.T) {
				t.Parallel()
				d := string(used)
				in := strings.Join([]string{"employee_id", "email", "name"}, d) + "\n" + strings.Join([]string{"E1", "a@example.com", "A"}, d) + "\n"
				_, err := Parse(strings.NewReader(in), Config{File: "hr.csv", Name: "hr", Delimiter: forced})
				ps := fileError(t, err)
				want := fmt.Sprintf("hr.csv:1: the header is one column; the file seems to be delimited by %s, not %s (set feeds.hr.delimiter: %s) (delimiter)",
					strconv.QuoteRune(used), strconv.QuoteRune(forced), strconv.Quote(d))
				if len(ps) != 1 || ps[0].Error() != want {
					t.Errorf("got %v\nwant %s", ps, want)
				}
			})
		}
	}
	t.Run("data by another delimiter", func(t *testing.T) {
		t.Parallel()
		_, err := Parse(strings.NewReader("employee_id|email|name\nE1,a@example.com,A\nE2,b@example.com,B\n"), Config{File: "hr.csv"})
		ps := fileError(t, err)
		if len(ps) != 1 || ps[0].Code != CodeDelimiter || !strings.Contains(ps[0].Reason, "the header is delimited by '|' into 3 columns, but the data lines by ','") {
			t.Errorf("problems %v", ps)
		}
	})
	t.Run("no hint name", func(t *testing.T) {
		t.Parallel()
		_, err := Parse(strings.NewReader("employee_id;email;name\nE1;a@example.com;A\n"), Config{Delimiter: ','})
		if ps := fileError(t, err); !strings.Contains(ps[0].Reason, "(set feeds.<name>.delimiter: \";\")") {
			t.Errorf("reason %q", ps[0].Reason)
		}
	})
	t.Run("a one-column delta is fine", func(t *testing.T) {
		t.Parallel()
		f, err := Read(strings.NewReader("email\na@example.com\n"), Config{Mode: ModeDelta, Delimiter: ';'})
		if err != nil || f.Rows != 1 {
			t.Fatalf("err %v, feed %+v", err, f)
		}
	})
	t.Run("unsupported delimiter", func(t *testing.T) {
		t.Parallel()
		_, err := Parse(strings.NewReader("a:b\n"), Config{File: "f.csv", Delimiter: ':'})
		var fe *Error
		if err == nil || errors.As(err, &fe) || !strings.Contains(err.Error(), "delimiter ':'") {
			t.Errorf("err %v; want a configuration error", err)
		}
	})
}

func TestParseDelimiter(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]rune{",": ',', "comma": ',', ";": ';', "Semicolon": ';', "\t": '\t', `\t`: '\t', "tab": '\t', "|": '|', "pipe": '|'} {
		if got, err := ParseDelimiter(in); err != nil || got != want {
			t.Errorf("ParseDelimiter(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
	for _, in := range []string{"", ":", ",;", "space", "\x1b"} {
		if _, err := ParseDelimiter(in); err == nil || strings.ContainsFunc(err.Error(), unprintable) {
			t.Errorf("ParseDelimiter(%q): err %v", in, err)
		}
	}
}

// TestUnknownColumns: an unknown column is a file-level error naming its
// column, with the closest known name; listed in IgnoreColumns (matched as
// headers are) it is read past; the admin-import columns syncer does not
// sync are read past without being listed.
func TestUnknownColumns(t *testing.T) {
	t.Parallel()
	tests := []struct {
		header string
		cfg    Config
		want   string // "" for no suggestion
	}{
		{"emial", Config{}, "email"},
		{"E-Mial", Config{}, "e_mail"},
		{"Emial Address", Config{}, "email_address"},
		{"Manger Email", Config{}, "manager_email"},
		{"skils", Config{}, "skills"},
		{"Job Titel", Config{}, "job_title"},
		{"phone_wrok", Config{}, "phone_work"},
		{"rolesdivisions", Config{}, "roles_divisions"},
		{"deparment", Config{}, "department"},
		{"Personel No", Config{Columns: map[string]string{"employee_id": "Personnel No"}}, "Personnel No"},
		{"employe_id", Config{Columns: map[string]string{"employee_id": "Personnel No"}}, ""}, // employee_id is mapped away
		{"Cost Centre", Config{}, ""},
		{"x", Config{}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.header, func(t *testing.T) {
			t.Parallel()
			in := "employee_id,email,name," + tt.header + "\nE1,a@example.com,A,x\n"
			if len(tt.cfg.Columns) > 0 {
				in = "Personnel No,email,name," + tt.header + "\nE1,a@example.com,A,x\n"
			}
			tt.cfg.File, tt.cfg.Name = "hr.csv", "hr"
			_, err := Parse(strings.NewReader(in), tt.cfg)
			ps := fileError(t, err)
			want := fmt.Sprintf("column 4 %q is not a feed field", tt.header)
			if tt.want != "" {
				want += fmt.Sprintf(" (did you mean %q?)", tt.want)
			}
			want += "; correct it, or list it in feeds.hr.ignore_columns to read past it"
			if len(ps) != 1 || ps[0].Code != CodeUnknownColumn || ps[0].Line != 1 || ps[0].Column != 4 || ps[0].Reason != want {
				t.Errorf("problems %v\nwant %s", ps, want)
			}

			tt.cfg.IgnoreColumns = []string{" " + strings.ToUpper(tt.header) + " "}
			f, err := Read(strings.NewReader(in), tt.cfg)
			if err != nil || len(f.Employees) != 1 || len(f.Problems) != 0 {
				t.Errorf("ignored: err %v, %s", err, report(f, nil))
			}
		})
	}
	t.Run("admin columns are fields", func(t *testing.T) {
		t.Parallel()
		refs := testRefs()
		f, err := Read(strings.NewReader("name,email,phone_work,extension,location_work,hire_date\nA,a@example.com,+1 317 555 0101,101,dublin,2020-01-01\n"), Config{Refs: refs})
		if err != nil || len(f.Employees) != 1 || len(f.Problems) != 0 {
			t.Fatalf("err %v, %s", err, report(f, nil))
		}
		e := f.Employees[0]
		if e.PhoneWork != "+13175550101" || e.Extension != "101" || e.LocationID != "lo-dublin" || e.HireDate != "2020-01-01" {
			t.Errorf("employee %+v", e)
		}
	})
	t.Run("every unknown column, then the missing ones", func(t *testing.T) {
		t.Parallel()
		_, err := Parse(strings.NewReader("employee_id,emial,nmae,x\nE1,a@example.com,A,x\n"), Config{})
		ps := fileError(t, err)
		var got []string
		for _, p := range ps {
			got = append(got, fmt.Sprintf("%d %s %s", p.Column, p.Code, p.Field))
		}
		want := []string{"2 unknown_column ", "3 unknown_column ", "4 unknown_column ", "0 missing_column email", "0 missing_column name"}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("(-want +got):\n%s", diff)
		}
	})
	t.Run("jsonl: once per key, where it first appears", func(t *testing.T) {
		t.Parallel()
		in := `{"employee_id":"E1","email":"a@example.com","name":"A"}` + "\n" +
			`{"employee_id":"E2","email":"b@example.com","name":"B","Cost Centre":"1"}` + "\n" +
			`{"employee_id":"E3","email":"c@example.com","name":"C","Cost Centre":"1","titel":"x"}` + "\n"
		_, err := Parse(strings.NewReader(in), Config{Format: FormatJSONL, File: "hr.jsonl"})
		ps := fileError(t, err)
		var got []string
		for _, p := range ps {
			got = append(got, p.Error())
		}
		want := []string{
			`hr.jsonl:2:56: key "Cost Centre" is not a feed field; correct it, or list it in feeds.<name>.ignore_columns to read past it (unknown_column)`,
			`hr.jsonl:3:74: key "titel" is not a feed field (did you mean "title"?); correct it, or list it in feeds.<name>.ignore_columns to read past it (unknown_column)`,
		}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("(-want +got):\n%s", diff)
		}
		f, err := Read(strings.NewReader(in), Config{Format: FormatJSONL, IgnoreColumns: []string{"cost_centre", "Titel"}})
		if err != nil || len(f.Employees) != 3 {
			t.Errorf("ignored: err %v, %s", err, report(f, nil))
		}
	})
}

// TestControlCharacters: every kind of character a one-line field may not
// hold rejects its row in every text field, named by code point and
// position; the joiners are allowed in display text only; white space
// around a value is trimmed as before.
func TestControlCharacters(t *testing.T) {
	t.Parallel()
	bad := map[string]rune{
		"NUL": 0, "tab": '\t', "LF": '\n', "CR": '\r', "ESC": 0x1b, "DEL": 0x7f, "NEL": 0x85, "CSI": 0x9b,
		"RLO": 0x202e, "LRI": 0x2066, "ALM": 0x61c, "ZWSP": 0x200b, "BOM": 0xfeff, "LS": 0x2028, "PS": 0x2029,
		"soft hyphen": 0xad, "tag": 0xe0041, "word joiner": 0x2060,
	}
	fields := []Field{FieldEmployeeID, FieldName, FieldTitle, FieldDepartment, FieldManagerEmployeeID, FieldDivision}
	for name, r := range bad {
		for _, f := range fields {
			t.Run(name+" in "+f.String(), func(t *testing.T) {
				t.Parallel()
				v := "Ab" + string(r) + "cd"
				row := map[Field]string{FieldEmployeeID: "E1", FieldEmail: "a@example.com", FieldName: "A", FieldTitle: "T", FieldDepartment: "D", FieldManagerEmployeeID: "", FieldDivision: "Home"}
				row[f] = v
				p := parseRow(t, row)
				want := fmt.Sprintf("holds %s at character 3", describeRune(r))
				if len(p.Problems) == 0 || p.Problems[0].Code != CodeControlCharacter || p.Problems[0].Field != f.String() || !strings.Contains(p.Problems[0].Reason, want) {
					t.Fatalf("problems %+v; want control_character on %s: %s", p.Problems, f, want)
				}
				if len(p.Rejected) != 1 {
					t.Errorf("rejected %d", len(p.Rejected))
				}
			})
		}
	}
	for _, r := range []rune{0x200c, 0x200d} {
		for _, f := range fields {
			row := map[Field]string{FieldEmployeeID: "E1", FieldEmail: "a@example.com", FieldName: "A", FieldTitle: "T", FieldDepartment: "D", FieldDivision: "Home"}
			row[f] = "Ab" + string(r) + "cd"
			p := parseRow(t, row)
			if want := joinersOK(f); (len(p.Rejected) == 0) != want {
				t.Errorf("%U in %s: rejected %d, want allowed %v", r, f, len(p.Rejected), want)
			}
		}
	}
	t.Run("trimmed white space", func(t *testing.T) {
		t.Parallel()
		p := parseRow(t, map[Field]string{FieldEmployeeID: "\tE1\r", FieldEmail: " a@example.com\t", FieldName: "\u0085A\n"})
		if len(p.Problems) != 0 {
			t.Errorf("problems %+v", p.Problems)
		}
	})
	t.Run("in a list, between items", func(t *testing.T) {
		t.Parallel()
		p := parseRow(t, map[Field]string{FieldEmployeeID: "E1", FieldEmail: "a@example.com", FieldName: "A", FieldSkills: "Billing:4\n|Sales:3"})
		if len(p.Problems) != 1 || p.Problems[0].Code != CodeControlCharacter || p.Problems[0].Field != "skills" {
			t.Errorf("problems %+v", p.Problems)
		}
	})
}

// parseRow parses a one-row JSONL feed (so that any byte can be written)
// with the given fields.
func parseRow(t *testing.T, row map[Field]string) *Parsed {
	t.Helper()
	var b strings.Builder
	b.WriteByte('{')
	for f, v := range row {
		if b.Len() > 1 {
			b.WriteByte(',')
		}
		fmt.Fprintf(&b, "%q:%s", f.String(), jsonQuote(v))
	}
	b.WriteString("}\n")
	p, err := Parse(strings.NewReader(b.String()), Config{File: "t.jsonl", Format: FormatJSONL})
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// jsonQuote writes s as a JSON string, escaping only what JSON requires,
// so that C1, bidi and other characters reach the parser raw.
func jsonQuote(s string) string {
	var b strings.Builder
	b.WriteByte('"')
	for _, r := range s {
		switch {
		case r == '"' || r == '\\':
			b.WriteByte('\\')
			b.WriteRune(r)
		case r < 0x20:
			fmt.Fprintf(&b, `\u%04x`, r)
		default:
			b.WriteRune(r)
		}
	}
	b.WriteByte('"')
	return b.String()
}

// TestLengthBounds: every bounded field takes a value of exactly its
// bound and rejects one character more, counting characters, not bytes;
// so do the items of every list.
func TestLengthBounds(t *testing.T) {
	t.Parallel()
	base := func() map[Field]string {
		return map[Field]string{FieldEmployeeID: "E1", FieldEmail: "a@example.com", FieldName: "A"}
	}
	for f := range numFields {
		max := MaxLength(f)
		if max == 0 {
			continue
		}
		for _, over := range []bool{false, true} {
			n := max
			if over {
				n++
			}
			t.Run(fmt.Sprintf("%s %d", f, n), func(t *testing.T) {
				t.Parallel()
				row := base()
				switch f {
				case FieldEmail, FieldManagerEmail:
					row[f] = emailOfLength(n)
				case FieldExtension:
					row[f] = strings.Repeat("7", n)
				default:
					row[f] = strings.Repeat("é", n) // two bytes each
				}
				if f == FieldManagerEmployeeID || f == FieldManagerEmail {
					row[FieldName] = "A" // the manager is missing from the feed, but only Resolve says so
				}
				p := parseRow(t, row)
				switch {
				case !over && len(p.Problems) != 0:
					t.Errorf("%d characters rejected: %+v", n, p.Problems)
				case over && (len(p.Problems) != 1 || p.Problems[0].Code != CodeTooLong ||
					!strings.HasSuffix(p.Problems[0].Reason, fmt.Sprintf("is %d characters long; the limit is %d", n, max))):
					t.Errorf("%d characters: problems %+v", n, p.Problems)
				}
			})
		}
	}
	for _, f := range []Field{FieldSkills, FieldLanguages, FieldQueues, FieldRoles} {
		for _, n := range []int{MaxTextLength, MaxTextLength + 1} {
			row := base()
			name := strings.Repeat("ü", n)
			switch f {
			case FieldSkills, FieldLanguages:
				row[f] = name + ":3"
			case FieldRoles:
				row[f] = "Agent@" + name
			default:
				row[f] = name
			}
			p := parseRow(t, row)
			if over := n > MaxTextLength; (len(p.Problems) == 1 && p.Problems[0].Code == CodeTooLong) != over || (!over && len(p.Problems) > 0) {
				t.Errorf("%s item of %d characters: %+v", f, n, p.Problems)
			}
		}
	}
}

// emailOfLength returns a valid address of exactly n characters (n ≥ 12).
func emailOfLength(n int) string {
	local := strings.Repeat("l", min(64, n-len("@example.com")))
	rest := n - len(local) - 1 - len(".com")
	var labels []string
	for rest > 0 {
		l := min(rest, 63)
		if rest-l == 1 {
			l-- // no label may be empty
		}
		labels = append(labels, strings.Repeat("d", l))
		rest -= l + 1
	}
	return local + "@" + strings.Join(labels, ".") + ".com"
}

func TestEmailRules(t *testing.T) {
	t.Parallel()
	valid := []string{"ana@example.com", "Ana.Lima@Example.COM", "ana+hr@example.co.uk", "o'brien@example.ie", "a@b.co",
		"ana@xn--mnchen-3ya.de", "ana_lima@sub-domain.example.org", "ana@example.c0m", "x#{}~@example.com", emailOfLength(254)}
	for _, s := range valid {
		if why := emailProblem(s); why != "" || !validEmail(s) {
			t.Errorf("%q rejected: %s", s, why)
		}
	}
	invalid := map[string]string{
		"ana":                                     "has no @",
		"ana@example":                             "one-label domain",
		"ana@-example.com":                        "starts or ends with a hyphen",
		"ana@example-.com":                        "starts or ends with a hyphen",
		"ana@exa_mple.com":                        "an underscore",
		"ana@example.123":                         "all-digit top-level domain",
		"ana@@example.com":                        "more than one @",
		"ana..lima@example.com":                   "two dots in a row",
		".ana@example.com":                        "starts or ends with a dot",
		"ana@example..com":                        "empty label",
		"ana@example.com.":                        "empty label",
		`"ana"@example.com`:                       "quoted local part",
		`"a@b"@example.com`:                       "quoted local part",
		"ana(x)@example.com":                      "comment",
		"Ana <ana@example.com>":                   "display name",
		"<ana@example.com>":                       "angle brackets",
		"ana@[10.0.0.1]":                          `"["`,
		"ana lima@example.com":                    "space",
		"jöe@example.com":                         "local part: internationalised",
		"ana@münchen.de":                          "ASCII form (xn--…)",
		"ana@xn--mnchen-3ya.dé":                   "ASCII form",
		"@example.com":                            "nothing before the @",
		"ana\\@example.com":                       `"\\" in its local part`,
		"ana@" + strings.Repeat("x", 64) + ".com": "label of 64 characters",
		strings.Repeat("l", 65) + "@example.com":  "local part of 65 characters",
	}
	for s, want := range invalid {
		why := emailProblem(s)
		if !strings.Contains(why, want) || validEmail(s) {
			t.Errorf("%q: %q, want it to say %q", s, why, want)
		}
	}
	if validEmail(emailOfLength(255)) {
		t.Error("a 255-character address is valid")
	}
}

// TestHostileValuesEscaped renders every problem of the corpus, and of a
// feed holding every forbidden character in every field, its header and
// its list items, and finds no character that could act on a terminal: a
// value like "x\r\x1b[2K No changes: the org already matches the feed"
// cannot print a line of its own.
func TestHostileValuesEscaped(t *testing.T) {
	t.Parallel()
	var rendered []string
	render := func(f *Feed, err error) {
		var fe *Error
		if errors.As(err, &fe) {
			rendered = append(rendered, fe.Error())
			for _, p := range fe.Problems {
				rendered = append(rendered, p.Error(), p.Reason)
			}
			return
		}
		if err != nil {
			rendered = append(rendered, err.Error())
			return
		}
		for _, p := range f.Problems {
			rendered = append(rendered, p.Error(), p.Reason)
		}
		for _, r := range f.Rejected {
			rendered = append(rendered, r.Reason)
		}
	}
	files, _ := filepath.Glob("testdata/*/*")
	for _, path := range files {
		if filepath.Ext(path) != ".golden" {
			render(readFile(t, path))
		}
	}
	fake := "x\r\x1b[2K No changes: the org already matches the feed\n\u202e\u0085\u009b2J\x00\x7f\u2028\ufeff\u200b\U000E0041"
	cols := []string{"employee_id", "email", "name", "title", "department", "manager_employee_id", "manager_email", "division", "state",
		"skills", "languages", "queues", "roles", "acd_auto_answer", "action"}
	for i, c := range cols {
		for _, mode := range []Mode{ModeSnapshot, ModeDelta} {
			vals := []string{"E" + strconv.Itoa(i), "a@example.com", "A", "", "", "", "", "", "", "", "", "", "", "", ""}
			v := fake
			switch c {
			case "skills", "languages":
				v = fake + ":3|" + fake + ":9|" + fake
			case "roles":
				v = fake + "@" + fake
			case "email", "manager_email":
				v = fake + "@" + fake + ".com"
			}
			vals[i] = v
			var row strings.Builder
			for j, x := range vals {
				if j > 0 {
					row.WriteByte(',')
				}
				row.WriteString(`"` + strings.ReplaceAll(x, `"`, `""`) + `"`)
			}
			in := strings.Join(cols, ",") + "\n" + row.String() + "\n" + row.String() + "\n"
			render(Read(strings.NewReader(in), Config{File: "hostile.csv", Mode: mode, Refs: testRefs(), Directory: testDirectory{}}))
			// The same value as a header, and as a JSONL key and value.
			render(Read(strings.NewReader("employee_id,email,name,\""+strings.ReplaceAll(fake, `"`, `""`)+"\"\nE1,a@example.com,A,x\n"), Config{File: "hostile.csv"}))
			render(Read(strings.NewReader(`{"employee_id":"E1","email":"a@example.com","name":"A",`+jsonQuote(fake)+`:1,`+jsonQuote(c)+`:`+jsonQuote(v)+"}\n"), Config{File: "hostile.jsonl", Mode: mode}))
			render(Read(strings.NewReader(`{"employee_id":"E1","email":"a@example.com","name":"A",`+jsonQuote(c)+`:[`+jsonQuote(fake)+`,{"name":`+jsonQuote(fake)+`}]}`+"\n"), Config{File: "hostile.jsonl", Mode: mode, Refs: testRefs()}))
		}
	}
	// Names that are allowed (joiners) but unknown to the org, and the
	// manager loop and duplicate messages, which quote ids.
	render(Read(strings.NewReader("employee_id,email,name,manager_employee_id,skills,division\n"+
		"E\u200c1,a@example.com,A\u200dB,E1,Bill\u200ding:3,Ho\u200cme\n"+
		"E1,a@example.com,B,E\u200c1,,\n"), Config{File: "joiners.csv", Refs: testRefs()}))
	if len(rendered) < 500 {
		t.Fatalf("only %d texts rendered", len(rendered))
	}
	for _, s := range rendered {
		if i := strings.IndexFunc(s, unprintable); i >= 0 {
			t.Errorf("holds %U: %q", []rune(s[i:])[0], s)
		}
	}
}

// TestDocsLengthBounds: the length bounds table of docs/feeds.md is the
// one the code applies.
func TestDocsLengthBounds(t *testing.T) {
	t.Parallel()
	rows := docsTable(t, "<!-- bounds -->")
	got := map[string]string{}
	for _, r := range rows {
		got[strings.Trim(r[0], "` ")] = strings.TrimSpace(r[1])
	}
	want := map[string]string{}
	for f := range numFields {
		switch {
		case MaxLength(f) > 0:
			want[f.String()] = strconv.Itoa(MaxLength(f))
		case isListField(f):
			want[f.String()] = strconv.Itoa(MaxTextLength) + " per item"
		case f == FieldUtilization:
			want[f.String()] = "a configured profile"
		case f == FieldPhoneWork:
			want[f.String()] = fmt.Sprintf("E.164: + and %d to %d digits", minPhoneDigits, maxPhoneDigits)
		case f == FieldHireDate:
			want[f.String()] = "a date, YYYY-MM-DD"
		default:
			want[f.String()] = "enumerated"
		}
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("docs/feeds.md bounds table differs from the code (-code +docs):\n%s", diff)
	}
}

// TestDocsProblemCodes: the problem-code table of docs/feeds.md lists
// exactly the Code constants of problem.go.
func TestDocsProblemCodes(t *testing.T) {
	t.Parallel()
	var docs []string
	for _, r := range docsTable(t, "<!-- codes -->") {
		for _, c := range regexp.MustCompile("`([a-z_]+)`").FindAllStringSubmatch(r[0], -1) {
			docs = append(docs, c[1])
		}
	}
	fs := token.NewFileSet()
	file, err := parser.ParseFile(fs, "problem.go", nil, 0)
	if err != nil {
		t.Fatal(err)
	}
	var code []string
	ast.Inspect(file, func(n ast.Node) bool {
		if vs, ok := n.(*ast.ValueSpec); ok {
			for i, name := range vs.Names {
				if strings.HasPrefix(name.Name, "Code") {
					s, _ := strconv.Unquote(vs.Values[i].(*ast.BasicLit).Value)
					code = append(code, s)
				}
			}
		}
		return true
	})
	slices.Sort(docs)
	slices.Sort(code)
	if len(code) < 20 {
		t.Fatalf("found %d codes in problem.go", len(code))
	}
	if diff := cmp.Diff(code, docs); diff != "" {
		t.Errorf("docs/feeds.md problem codes differ from problem.go (-code +docs):\n%s", diff)
	}
}

// docsTable returns the cells of the Markdown table that follows marker in
// docs/feeds.md, without its header and separator rows.
func docsTable(t *testing.T, marker string) [][]string {
	t.Helper()
	fh, err := os.Open("../../docs/feeds.md")
	if err != nil {
		t.Fatal(err)
	}
	defer fh.Close()
	var rows [][]string
	found, n := false, 0
	sc := bufio.NewScanner(fh)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		switch {
		case line == marker:
			found = true
		case found && strings.HasPrefix(line, "|"):
			n++
			if n > 2 {
				cells := strings.Split(strings.Trim(line, "|"), "|")
				rows = append(rows, cells)
			}
		case found && n > 0:
			return rows
		}
	}
	if !found || len(rows) == 0 {
		t.Fatalf("no table after %s in docs/feeds.md", marker)
	}
	return rows
}

// TestDocsDefaults: the defaults docs/feeds.md states are the code's.
func TestDocsDefaults(t *testing.T) {
	t.Parallel()
	b, err := os.ReadFile("../../docs/feeds.md")
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		fmt.Sprintf("(%s at most)", textfmt.Thousands(DefaultMaxProblems)),
		fmt.Sprintf("is at most %d MiB", DefaultMaxRecordBytes>>20),
		fmt.Sprintf("(255 for text; %d for an email address", MaxEmailLength),
		fmt.Sprintf("local part is at most %d characters and each label of its domain at most %d", maxLocalPart, maxLabel),
	} {
		if !strings.Contains(string(b), want) {
			t.Errorf("docs/feeds.md does not say %q", want)
		}
	}
	if MaxTextLength != 255 {
		t.Errorf("MaxTextLength %d: the docs say 255", MaxTextLength)
	}
}

// TestLongChainsAndPlaceholders: a chain of managers written bottom-up,
// whose top row is rejected, rejects every row below it in one pass (the
// work is linear in the rows); thousands of rows sharing a placeholder
// email are all rejected, each naming a few of the others.
func TestLongChainsAndPlaceholders(t *testing.T) {
	t.Parallel()
	const n = 20_000
	var b strings.Builder
	b.WriteString("employee_id,email,name,manager_employee_id\n")
	for i := range n {
		email := fmt.Sprintf("p%d@example.com", i)
		if i == n-1 {
			email = "top@example" // rejected: bad_email
		}
		fmt.Fprintf(&b, "E%d,%s,P,E%d\n", i, email, i+1)
	}
	p, err := Parse(strings.NewReader(b.String()), Config{MaxProblems: 10})
	if err != nil {
		t.Fatal(err)
	}
	if len(p.Rejected) != n {
		t.Fatalf("rejected %d of %d", len(p.Rejected), n)
	}
	if r := p.Rejected[0]; !slices.Equal(r.Codes, []string{CodeManagerRejected}) || !strings.Contains(r.Reason, `manager "E1" is on line 3, which was rejected`) {
		t.Errorf("first row: %+v", r)
	}

	b.Reset()
	b.WriteString("employee_id,email,name\n")
	for i := range n {
		fmt.Fprintf(&b, "E%d,n/a@example.com,P\n", i)
	}
	p, err = Parse(strings.NewReader(b.String()), Config{MaxProblems: 10})
	if err != nil {
		t.Fatal(err)
	}
	want := fmt.Sprintf(`"n/a@example.com" is also on line 3, 4, 5, 6, 7 and %d more lines`, n-6)
	if len(p.Rejected) != n || p.Problems[0].Reason != want {
		t.Errorf("rejected %d; first reason %q, want %q", len(p.Rejected), p.Problems[0].Reason, want)
	}
}

// TestIgnoredRequiredColumn: ignoring a required column leaves it missing,
// and the message says why.
func TestIgnoredRequiredColumn(t *testing.T) {
	t.Parallel()
	_, err := Parse(strings.NewReader("employee_id,email,name\nE1,a@example.com,A\n"), Config{IgnoreColumns: []string{"Name"}})
	ps := fileError(t, err)
	if len(ps) != 1 || ps[0].Code != CodeMissingColumn || !strings.Contains(ps[0].Reason, "required column name (it is listed in ignore_columns) is missing") {
		t.Errorf("problems %v", ps)
	}
}
