package feed

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// adminHeader is the header of the Genesys Cloud "Add people with .csv
// file import" file, in its documented order, with the newer template's
// hire_date.
const adminHeader = "name,email,phone_work,extension,title,department,email_manager,location_work,roles_divisions,queues,division,skills,hire_date"

// TestAdminLayoutRecognised: the admin-import header is recognised in the
// documented order, in another order, without its optional columns and
// with only phone columns to tell it apart; its list cells are then split
// on commas. A header of ours with a phone column stays ours (lists on
// '|'); an extra column is refused with the closest admin name, unless
// ignored.
func TestAdminLayoutRecognised(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, in string
		skills   []string // the skills read, telling the list separator
	}{
		{"documented order", adminHeader + "\nA,a@example.com,,,,,,,,,,\"Billing:4,Sales:3\",\n", []string{"Billing", "Sales"}},
		{"another order", "skills,email,name,location_work,phone_work\n\"Billing:4,Sales:3\",a@example.com,A,Dublin,+353 1 555 0100\n", []string{"Billing", "Sales"}},
		{"the old template (roles, no division)", "name,email,phone_work,title,department,email_manager,location_work,roles,queues,skills\nA,a@example.com,,,,,,,,\"Billing:4,Sales:3\"\n", []string{"Billing", "Sales"}},
		{"admin columns with a phone only", "Name,Email,Phone Work,Skills\nA,a@example.com,,\"Billing:4,Sales:3\"\n", []string{"Billing", "Sales"}},
		{"our layout with a phone column", "employee_id,email,name,phone_work,skills\nE1,a@example.com,A,,Billing:4|Sales:3\n", []string{"Billing", "Sales"}},
		{"admin columns without a phone: ours", "name,email,skills\nA,a@example.com,Billing:4|Sales:3\n", []string{"Billing", "Sales"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			f, err := Read(strings.NewReader(tt.in), Config{Refs: testRefs()})
			if err != nil || len(f.Employees) != 1 {
				t.Fatalf("err %v, %s", err, report(f, err))
			}
			var got []string
			for _, s := range f.Employees[0].Skills {
				got = append(got, s.Name)
			}
			if d := cmp.Diff(tt.skills, got); d != "" {
				t.Errorf("skills (-want +got):\n%s", d)
			}
		})
	}

	t.Run("an extra column", func(t *testing.T) {
		t.Parallel()
		in := strings.Replace(adminHeader, "location_work", "location_wrok", 1) + ",Cost Centre\nA,a@example.com,,,,,,,,,,,,x\n"
		_, err := Parse(strings.NewReader(in), Config{File: "people.csv", Name: "people"})
		ps := fileError(t, err)
		want := []string{
			`people.csv:1:8: column 8 "location_wrok" is not a feed field (did you mean "location_work"?); correct it, or list it in feeds.people.ignore_columns to read past it (unknown_column)`,
			`people.csv:1:14: column 14 "Cost Centre" is not a feed field; correct it, or list it in feeds.people.ignore_columns to read past it (unknown_column)`,
		}
		var got []string
		for _, p := range ps {
			got = append(got, p.Error())
		}
		if d := cmp.Diff(want, got); d != "" {
			t.Errorf("(-want +got):\n%s", d)
		}
		f, err := Read(strings.NewReader(strings.Replace(in, "location_wrok", "location_work", 1)), Config{IgnoreColumns: []string{"cost_centre"}, Refs: testRefs()})
		if err != nil || len(f.Employees) != 1 {
			t.Errorf("ignored: %s", report(f, err))
		}
	})
	t.Run("location and location_work are one column", func(t *testing.T) {
		t.Parallel()
		_, err := Parse(strings.NewReader("name,email,location,location_work\nA,a@example.com,Dublin,Dublin\n"), Config{File: "p.csv"})
		ps := fileError(t, err)
		if len(ps) != 1 || ps[0].Code != CodeHeader || ps[0].Reason != "columns 3 and 4 both hold location" {
			t.Errorf("problems %v", ps)
		}
	})
}

// TestAdminEmptyCells: every empty-cell rule of the Genesys importer. Empty
// phone_work, extension, title and department cells clear those fields
// (they are in Has with an empty value); empty email_manager,
// location_work, roles_divisions, queues, division and skills cells change
// nothing (not in Has); an empty hire_date changes nothing either.
func TestAdminEmptyCells(t *testing.T) {
	t.Parallel()
	f, err := Read(strings.NewReader(adminHeader+"\nA,a@example.com,,,,,,,,,,,\n"), Config{Refs: testRefs()})
	if err != nil || len(f.Employees) != 1 {
		t.Fatalf("%s", report(f, err))
	}
	e := f.Employees[0]
	want := FieldSet(0).With(FieldName, FieldEmail, FieldPhoneWork, FieldExtension, FieldTitle, FieldDepartment)
	if e.Has != want {
		t.Errorf("has %s, want %s", e.Has, want)
	}
	if e.PhoneWork != "" || e.Extension != "" || e.Title != "" || e.Department != "" {
		t.Errorf("employee %+v", e)
	}
	if f.Columns != want.With(FieldManagerEmail, FieldLocation, FieldRoles, FieldQueues, FieldDivision, FieldSkills, FieldHireDate) {
		t.Errorf("columns %s", f.Columns)
	}
}

// TestPhoneAndDates: a work phone is written in E.164 form (separators
// dropped), an extension is digits, a hire date is YYYY-MM-DD; anything
// else rejects the row with the reason, and never as a formula.
func TestPhoneAndDates(t *testing.T) {
	t.Parallel()
	tests := []struct {
		phone, ext, date string
		want             string // PhoneWork, or the problem
	}{
		{"+1 317 555 0101", "", "", "+13175550101"},
		{"+1 (317) 555-0101", "101", "2024-02-29", "+13175550101"},
		{"+44.20.7946.0958", "", "", "+442079460958"},
		{"+353\u00a01\u00a0555\u00a00100", "", "", "+35315550100"},
		{"317-555-0101", "", "", `"317-555-0101" is not in international form: write it with + and the country code, as +1 317 555 0101 (E.164) (bad_phone)`},
		{"+1 317 555 0101 x101", "", "", `"+1 317 555 0101 x101" holds "x" at character 17: write an extension in the extension column (bad_phone)`},
		{"+1 317 555 01O1", "", "", `"+1 317 555 01O1" holds "O" at character 14; a number is + and digits, grouped by spaces, hyphens, dots or parentheses (bad_phone)`},
		{"+12345", "", "", `"+12345" has 5 digits; an E.164 number has 7 to 15, country code included (bad_phone)`},
		{"+1234567890123456", "", "", `"+1234567890123456" has 16 digits; an E.164 number has at most 15, country code included (bad_phone)`},
		{"+0 317 555 0101", "", "", `"+0 317 555 0101" has a country code starting with 0 (bad_phone)`},
		{"", "10a", "", `extension "10a" holds "a" at character 3; an extension is digits (bad_phone)`},
		{"", "", "18/03/2024", `hire date "18/03/2024": want a date written YYYY-MM-DD (2024-03-18) (bad_value)`},
		{"", "", "2023-02-29", `hire date "2023-02-29" is not a day of the calendar (bad_value)`},
		{"", "", "2023-13-01", `hire date "2023-13-01" is not a day of the calendar (bad_value)`},
		{"", "", "2024-3-18", `hire date "2024-3-18": want a date written YYYY-MM-DD (2024-03-18) (bad_value)`},
	}
	for _, tt := range tests {
		t.Run(tt.phone+tt.ext+tt.date, func(t *testing.T) {
			t.Parallel()
			p := parseRow(t, map[Field]string{FieldEmail: "a@example.com", FieldName: "A", FieldPhoneWork: tt.phone, FieldExtension: tt.ext, FieldHireDate: tt.date})
			if !strings.HasPrefix(tt.want, "+") {
				if len(p.Problems) != 1 || !strings.HasSuffix(p.Problems[0].Error(), tt.want) || len(p.Rejected) != 1 {
					t.Errorf("problems %v, want %s", p.Problems, tt.want)
				}
				return
			}
			f := p.Resolve(testRefs(), nil)
			if len(f.Problems) != 0 || len(f.Employees) != 1 {
				t.Fatalf("%s", report(f, nil))
			}
			if e := f.Employees[0]; e.PhoneWork != tt.want || e.Extension != tt.ext || e.HireDate != tt.date {
				t.Errorf("employee %+v", e)
			}
		})
	}
}

// TestLocationNames: a location is matched by name as the others are; an
// unknown one rejects its row with the closest name, and says that syncer
// does not create locations.
func TestLocationNames(t *testing.T) {
	t.Parallel()
	f, err := Read(strings.NewReader("name,email,location_work\nA,a@example.com, DUBLIN \nB,b@example.com,Dublni\n"), Config{File: "p.csv", Refs: testRefs()})
	if err != nil {
		t.Fatal(err)
	}
	if len(f.Employees) != 1 || f.Employees[0].LocationID != "lo-dublin" || f.Employees[0].Location != "DUBLIN" {
		t.Errorf("%s", report(f, nil))
	}
	want := `p.csv:3:3: location: unknown location "Dublni" (did you mean "Dublin"?); syncer never creates a location: create it in Genesys Cloud first, or correct the name (unknown_name)`
	if len(f.Problems) != 1 || f.Problems[0].Error() != want {
		t.Errorf("problems %v\nwant %s", f.Problems, want)
	}
}

// TestRoleTemplateForm: roles_divisions as the Genesys template writes
// it, "Role: [Division; Division]", gives one grant per division; commas
// inside the brackets do not split the list; "Role@Division" and "Role"
// still work beside it.
func TestRoleTemplateForm(t *testing.T) {
	t.Parallel()
	in := "name,email,roles_divisions\nA,a@example.com,\"Agent: [Sales; Home], Supervisor: [], Employee, Agent@Sales\"\n"
	f, err := Read(strings.NewReader(in), Config{Refs: testRefs()})
	if err != nil {
		t.Fatal(err)
	}
	// Agent@Sales repeats Agent: [Sales]: the row is rejected for it.
	if len(f.Employees) != 0 || len(f.Problems) != 1 || f.Problems[0].Code != CodeDuplicateItem {
		t.Fatalf("%s", report(f, nil))
	}
	in = "name,email,roles_divisions\nA,a@example.com,\"Agent: [Sales; Home], Supervisor: [], Employee\"\n"
	f, err = Read(strings.NewReader(in), Config{Refs: testRefs()})
	if err != nil || len(f.Employees) != 1 {
		t.Fatalf("%s", report(f, err))
	}
	want := []Grant{
		{Role: "Agent", RoleID: "ro-agent", Division: "Sales", DivisionID: "dv-sales"},
		{Role: "Agent", RoleID: "ro-agent", Division: "Home", DivisionID: "dv-home"},
		{Role: "Supervisor", RoleID: "ro-super", DivisionID: "dv-home"},
		{Role: "Employee", RoleID: "ro-emp", DivisionID: "dv-home"},
	}
	if d := cmp.Diff(want, f.Employees[0].Roles); d != "" {
		t.Errorf("(-want +got):\n%s", d)
	}
	if got := splitList("A: [x, y; z], B", ",", true); !cmp.Equal(got, []string{"A: [x, y; z]", " B"}) {
		t.Errorf("splitList = %q", got)
	}
}

// TestAdminLayoutIsADelta: a file in the admin-import layout is read as a
// delta unless the mode is set, as the importer never takes someone left
// out of the file for a leaver; it needs name and email columns whatever
// the mode; our layout stays a snapshot.
func TestAdminLayoutIsADelta(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		in   string
		mode Mode
		want Mode
	}{
		{adminHeader + "\nA,a@example.com,,,,,,,,,,,\n", "", ModeDelta},
		{adminHeader + "\nA,a@example.com,,,,,,,,,,,\n", ModeSnapshot, ModeSnapshot},
		{"name,email,phone_work\nA,a@example.com,\n", "", ModeDelta},
		{"employee_id,name,email,phone_work\nE1,A,a@example.com,\n", "", ModeSnapshot},
	} {
		p, err := Parse(strings.NewReader(tt.in), Config{Mode: tt.mode})
		if err != nil {
			t.Fatal(err)
		}
		if p.Mode != tt.want {
			t.Errorf("%q with mode %q: read as %s, want %s", tt.in[:20], tt.mode, p.Mode, tt.want)
		}
	}
	_, err := Parse(strings.NewReader("email,email_manager,queues\na@example.com,,\n"), Config{File: "p.csv"})
	ps := fileError(t, err)
	if len(ps) != 1 || ps[0].Code != CodeMissingColumn || ps[0].Field != "name" {
		t.Errorf("problems %v, want name missing", ps)
	}
}

// TestDocsAdminTables: the importer-versus-syncer tables of docs/feeds.md
// cover every admin-import column, and each empty-cell rule they state for
// syncer ("clears", "no change") is what Parse does with an empty cell.
func TestDocsAdminTables(t *testing.T) {
	t.Parallel()
	names := func(cell string) []string {
		var out []string
		for _, n := range strings.Split(cell, ",") {
			out = append(out, strings.Trim(strings.TrimSpace(n), "`"))
		}
		return out
	}
	var documented []string
	for _, r := range docsTable(t, "<!-- admin-columns -->") {
		documented = append(documented, names(r[0])...)
	}
	if d := cmp.Diff(adminColumns, documented); d != "" {
		t.Errorf("the column table of docs/feeds.md (-code +docs):\n%s", d)
	}

	f, err := Read(strings.NewReader(adminHeader+"\nA,a@example.com,,,,,,,,,,,\n"), Config{})
	if err != nil || len(f.Employees) != 1 {
		t.Fatalf("%s", report(f, err))
	}
	has := f.Employees[0].Has
	seen := map[string]bool{}
	for _, r := range docsTable(t, "<!-- admin-empty -->") {
		rule := strings.TrimSpace(r[2])
		for _, col := range names(r[0]) {
			seen[col] = true
			fld, ok := ParseField(col)
			if !ok {
				fld = adminAliases[col]
			}
			switch {
			case strings.HasPrefix(rule, "clears"):
				if !has.Has(fld) {
					t.Errorf("docs: an empty %s cell clears it; the parser reads it as not given", col)
				}
			case strings.HasPrefix(rule, "no change"):
				if has.Has(fld) {
					t.Errorf("docs: an empty %s cell changes nothing; the parser reads it as given (empty)", col)
				}
			default:
				t.Errorf("docs: the rule for an empty %s cell, %q, says neither clears nor no change", col, rule)
			}
		}
	}
	for _, col := range adminColumns {
		if !seen[col] && col != "name" && col != "email" {
			t.Errorf("docs/feeds.md gives no empty-cell rule for %s", col)
		}
	}
}
