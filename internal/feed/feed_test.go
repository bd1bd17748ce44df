package feed

import (
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata")

// testRefs is the reference data the corpus is written against.
func testRefs() *Refs {
	return &Refs{
		Skills:         NewDimension(map[string]string{"sk-billing": "Billing", "sk-sales": "Sales", "sk-tech": "Technical Support"}),
		Languages:      NewDimension(map[string]string{"la-en": "English", "la-es": "Spanish", "la-fr": "French", "la-it": "Italian", "la-pt": "Portuguese", "la-ja": "Japanese"}),
		Queues:         NewDimension(map[string]string{"qu-sales": "Sales Inbound", "qu-billing": "Billing Support", "qu-tech": "Tech Support"}),
		Roles:          NewDimension(map[string]string{"ro-agent": "Agent", "ro-super": "Supervisor", "ro-emp": "Employee"}),
		Divisions:      NewDimension(map[string]string{"dv-home": "Home", "dv-sales": "Sales"}),
		Locations:      NewDimension(map[string]string{"lo-indy": "Indianapolis", "lo-dublin": "Dublin"}),
		Stations:       NewDimension(map[string]string{"st-0001": "Desk 00001", "st-0002": "Desk 00002"}),
		HomeDivisionID: "dv-home",
	}
}

// testDirectory is the org outside the feed: one executive.
type testDirectory struct{}

func (testDirectory) HasEmployeeID(id string) bool { return id == "E0001" }
func (testDirectory) HasEmail(e string) bool       { return strings.EqualFold(e, "ceo@example.com") }

// corpusConfig is the configuration a corpus file is read with: delta
// mode when its name says so, a small record bound for *_small files.
func corpusConfig(name string) Config {
	cfg := Config{File: name, Refs: testRefs(), Directory: testDirectory{}, UtilizationProfiles: []string{"voice-only", "Blended"}}
	if strings.Contains(name, "delta") {
		cfg.Mode = ModeDelta
	}
	if strings.Contains(name, "_small") {
		cfg.MaxRecordBytes = 256
	}
	return cfg
}

// report renders what Read said about a file, one problem per line.
func report(f *Feed, err error) string {
	var b strings.Builder
	var fe *Error
	switch {
	case errors.As(err, &fe):
		b.WriteString("FILE REJECTED\n")
		for _, p := range fe.Problems {
			b.WriteString(p.Error() + "\n")
		}
		return b.String()
	case err != nil:
		return "I/O ERROR " + err.Error() + "\n"
	}
	fmt.Fprintf(&b, "rows %d, valid %d, rejected %d\n", f.Rows, len(f.Employees), len(f.Rejected))
	for _, p := range f.Problems {
		b.WriteString(p.Error() + "\n")
	}
	for _, r := range f.Rejected {
		fmt.Fprintf(&b, "rejected line %d (employee_id %q, email %q): %s\n", r.Line, r.EmployeeID, r.Email, strings.Join(r.Codes, ","))
	}
	return b.String()
}

func readFile(t *testing.T, path string) (*Feed, error) {
	t.Helper()
	fh, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer fh.Close()
	return Read(fh, corpusConfig(filepath.Base(path)))
}

func golden(t *testing.T, path, got string) {
	t.Helper()
	if *update {
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if diff := cmp.Diff(string(want), got); diff != "" {
		t.Errorf("%s mismatch (-want +got):\n%s", path, diff)
	}
}

// TestBadCorpus reads every malformed feed and compares every problem
// (file, line, column, field, reason, code) with its golden file. Each
// feed must report at least one error.
func TestBadCorpus(t *testing.T) {
	t.Parallel()
	files, _ := filepath.Glob("testdata/bad/*.*")
	var feeds []string
	for _, f := range files {
		if filepath.Ext(f) != ".golden" {
			feeds = append(feeds, f)
		}
	}
	if len(feeds) < 25 {
		t.Fatalf("the malformed corpus has %d feeds, want at least 25", len(feeds))
	}
	for _, path := range feeds {
		t.Run(filepath.Base(path), func(t *testing.T) {
			t.Parallel()
			f, err := readFile(t, path)
			got := report(f, err)
			if err == nil && len(f.Errors()) == 0 && !strings.Contains(path, "formula") {
				t.Errorf("no error reported:\n%s", got)
			}
			golden(t, path+".golden", got)
		})
	}
}

// TestGoodCorpus reads every good feed: no errors, and the employees as
// in the golden JSON.
func TestGoodCorpus(t *testing.T) {
	t.Parallel()
	files, _ := filepath.Glob("testdata/good/*.*")
	for _, path := range files {
		if filepath.Ext(path) == ".golden" {
			continue
		}
		t.Run(filepath.Base(path), func(t *testing.T) {
			t.Parallel()
			f, err := readFile(t, path)
			if err != nil {
				t.Fatal(err)
			}
			for _, p := range f.Errors() {
				t.Errorf("unexpected problem: %s", p.Error())
			}
			if len(f.Rejected) != 0 {
				t.Errorf("%d rows rejected", len(f.Rejected))
			}
			got, _ := json.MarshalIndent(f, "", "  ")
			golden(t, path+".golden", string(got)+"\n")
		})
	}
}

func TestListSyntax(t *testing.T) {
	t.Parallel()
	const header = "employee_id,email,name,skills,languages,queues,roles\n"
	tests := []struct {
		name string
		row  string
		want Employee
	}{
		{
			name: "every list",
			row:  `E1,a@example.com,A,Billing:4|Sales:3.5,English:5,Sales Inbound|Billing Support:unjoined|Tech Support:joined,Agent@Sales|Employee`,
			want: Employee{
				Skills:    []Proficiency{{Name: "Billing", ID: "sk-billing", Level: 4}, {Name: "Sales", ID: "sk-sales", Level: 3.5}},
				Languages: []Proficiency{{Name: "English", ID: "la-en", Level: 5}},
				Queues:    []Queue{{Name: "Sales Inbound", ID: "qu-sales", Joined: true}, {Name: "Billing Support", ID: "qu-billing"}, {Name: "Tech Support", ID: "qu-tech", Joined: true}},
				Roles:     []Grant{{Role: "Agent", RoleID: "ro-agent", Division: "Sales", DivisionID: "dv-sales"}, {Role: "Employee", RoleID: "ro-emp", DivisionID: "dv-home"}},
			},
		},
		{
			name: "spaces, case and a decimal comma",
			row:  `E1,a@example.com,A," billing : 0,5 | SALES:5 ",,,`,
			want: Employee{
				Skills: []Proficiency{{Name: "billing", ID: "sk-billing", Level: 0.5}, {Name: "SALES", ID: "sk-sales", Level: 5}},
			},
		},
		{
			name: "empty lists mean none",
			row:  `E1,a@example.com,A,,,,`,
			want: Employee{}, // Has says the lists are given, and empty
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			f, err := Read(strings.NewReader(header+tt.row+"\n"), Config{File: "t.csv", Refs: testRefs()})
			if err != nil {
				t.Fatal(err)
			}
			if len(f.Employees) != 1 {
				t.Fatalf("want 1 employee, got %s", report(f, nil))
			}
			got := f.Employees[0]
			opt := cmpIgnoreIdentity()
			if diff := cmp.Diff(tt.want, got, opt); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}

func cmpIgnoreIdentity() cmp.Option {
	return cmp.FilterPath(func(p cmp.Path) bool {
		switch p.Last().String() {
		case ".Line", ".Action", ".Has", ".EmployeeID", ".Email", ".Name":
			return true
		}
		return false
	}, cmp.Ignore())
}

// TestHas checks which attributes a row speaks for, the rule the diff
// relies on to leave the rest alone.
func TestHas(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		in   string
		cfg  Config
		want string
	}{
		{"our layout: empty list cells speak", "employee_id,email,name,skills,queues,division,state\nE1,a@example.com,A,,,,\n", Config{},
			"employee_id,email,name,skills,queues"},
		{"admin layout: empty list and manager cells do not", "name,email,title,email_manager,queues,skills,roles_divisions,division\nA,a@example.com,,,,,,\n", Config{},
			"email,name,title"},
		{"admin layout: filled cells speak", "name,email,email_manager,queues\nA,a@example.com,b@example.com,Q1\nB,b@example.com,,\n", Config{},
			"email,name,manager_employee_id,manager_email,queues"},
		{"jsonl: null and missing keys do not", `{"employee_id":"E1","email":"a@example.com","name":"A","title":null,"skills":[],"acd_auto_answer":false}` + "\n", Config{},
			"employee_id,email,name,skills,acd_auto_answer"},
		{"mapped jsonl keys", `{"pernr":"E1","mail":"a@example.com","full_name":"A","email":"ignored@example.com"}` + "\n",
			Config{Columns: map[string]string{"employee_id": "pernr", "email": "mail", "name": "Full Name"}, IgnoreColumns: []string{"Email"}},
			"employee_id,email,name"},
		{"ignored columns are read past", "employee_id,email,name,Cost Centre,title\nE1,a@example.com,A,CC-1,Agent\n",
			Config{IgnoreColumns: []string{"cost_centre", "TITLE"}},
			"employee_id,email,name"},
		{"mapped columns", "Personnel No;Mail;Full Name;Job\nE1;a@example.com;A;Agent\n",
			Config{Columns: map[string]string{"employee_id": "Personnel No", "email": "mail", "name": "full name", "title": "JOB"}},
			"employee_id,email,name,title"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			tt.cfg.File = "t"
			f, err := Read(strings.NewReader(tt.in), tt.cfg)
			if err != nil {
				t.Fatal(err)
			}
			if len(f.Employees) == 0 {
				t.Fatalf("no employee: %s", report(f, nil))
			}
			if got := f.Employees[0].Has.String(); got != tt.want {
				t.Errorf("Has = %s, want %s", got, tt.want)
			}
		})
	}
}

func TestDelimiterAndFormatDetection(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, in string
		format   Format
	}{
		{"comma", "employee_id,email,name\nE1,a@example.com,\"A; B\"\n", FormatCSV},
		{"semicolon", "employee_id;email;name\nE1;a@example.com;\"A, B\"\n", FormatCSV},
		{"semicolon with BOM", "\ufeffemployee_id;email;name\nE1;a@example.com;A\n", FormatCSV},
		{"jsonl by content", "\n{\"employee_id\":\"E1\",\"email\":\"a@example.com\",\"name\":\"A\"}\n", FormatJSONL},
		{"jsonl with BOM", "\ufeff{\"employee_id\":\"E1\",\"email\":\"a@example.com\",\"name\":\"A\"}\n", FormatJSONL},
		{"CRLF", "employee_id,email,name\r\nE1,a@example.com,A\r\n", FormatCSV},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			f, err := Read(strings.NewReader(tt.in), Config{})
			if err != nil {
				t.Fatal(err)
			}
			if f.Format != tt.format || len(f.Employees) != 1 || len(f.Problems) != 0 {
				t.Fatalf("format %s, %s", f.Format, report(f, nil))
			}
			e := f.Employees[0]
			if e.EmployeeID != "E1" || e.Email != "a@example.com" {
				t.Errorf("got %+v", e)
			}
		})
	}
}

// TestRejectedRowsKeepIdentity: a rejected row still names its person, so
// that a snapshot diff does not take them for a leaver.
func TestRejectedRowsKeepIdentity(t *testing.T) {
	t.Parallel()
	in := "employee_id,email,name,skills\nE1,a@example.com,A,Billing:9\nE2,b@example.com,B,Billing:3\n"
	f, err := Read(strings.NewReader(in), Config{File: "t.csv"})
	if err != nil {
		t.Fatal(err)
	}
	want := []Rejected{{Line: 2, EmployeeID: "E1", Email: "a@example.com", Codes: []string{CodeBadProficiency},
		Reason: `t.csv:2:4: skills: skill "Billing": proficiency 9 outside 0-5 (bad_proficiency)`}}
	if diff := cmp.Diff(want, f.Rejected); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
	if f.UnidentifiedRejects() != 0 {
		t.Errorf("UnidentifiedRejects = %d", f.UnidentifiedRejects())
	}
}

// TestUnterminatedQuoteInHeader: a quote opened in the header and never
// closed is reported on line 1, where it opened, not where the file ends.
func TestUnterminatedQuoteInHeader(t *testing.T) {
	t.Parallel()
	_, err := Read(strings.NewReader("employee_id,\"email,name\nE1,a@example.com,A\nE2,b@example.com,B\n"), Config{File: "t.csv"})
	var fe *Error
	if !errors.As(err, &fe) || len(fe.Problems) != 1 {
		t.Fatalf("err = %v, want one file-level problem", err)
	}
	if p := fe.Problems[0]; p.Line != 1 || p.Code != CodeSyntax || !strings.Contains(p.Reason, "spans 3 lines") {
		t.Errorf("problem = %s; want line 1, syntax, spanning 3 lines", p.Error())
	}
}

func TestMaxProblems(t *testing.T) {
	t.Parallel()
	var b bytes.Buffer
	b.WriteString("employee_id,email,name\n")
	for i := range 50 {
		fmt.Fprintf(&b, "E%d,not-an-email-%d,N\n", i, i)
	}
	f, err := Read(&b, Config{MaxProblems: 10})
	if err != nil {
		t.Fatal(err)
	}
	if len(f.Rejected) != 50 || len(f.Problems) != 11 || f.Problems[10].Code != CodeTooManyProblems {
		t.Errorf("rejected %d, problems %d, last %+v", len(f.Rejected), len(f.Problems), f.Problems[len(f.Problems)-1])
	}
}

func TestConfigErrors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		cfg  Config
		want string
	}{
		{"mode", Config{File: "f.csv", Mode: "full"}, `feed f.csv: unknown mode "full" (want snapshot or delta)`},
		{"format", Config{File: "f.xml", Format: "xml"}, `feed f.xml: unknown format "xml" (want csv or jsonl)`},
		{"mapping", Config{File: "f.csv", Columns: map[string]string{"personnel_number": "Pers No"}}, `feed column mapping: unknown feed field "personnel_number"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, err := Read(strings.NewReader("email,name\na@example.com,A\n"), tt.cfg)
			if err == nil || err.Error() != tt.want {
				t.Errorf("error %v, want %s", err, tt.want)
			}
		})
	}
}

func TestSuggest(t *testing.T) {
	t.Parallel()
	d := NewDimension(map[string]string{"1": "Billing", "2": "Sales", "3": "Technical Support", "4": "VIP"})
	tests := map[string]string{
		"Billng":            "Billing",
		"billing ":          "Billing",
		"Technical Suport":  "Technical Support",
		"Saless":            "Sales",
		"VIPs":              "VIP",
		"VP":                "", // too short a name for a guess
		"Marketing":         "",
		"Tech Support Tier": "",
	}
	for in, want := range tests {
		if got := d.Suggest(in); got != want {
			t.Errorf("Suggest(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestHeaderSpellings(t *testing.T) {
	t.Parallel()
	tests := map[string]string{
		"employee_id": "employee_id", "Employee ID": "employee_id", "employeeId": "employee_id", "EmployeeID": "employee_id",
		"Employee Number": "employee_id", "E-mail": "email", "Work Email": "email", "Full Name": "name", "Job Title": "title",
		"managerEmployeeId": "manager_employee_id", "Manager ID": "manager_employee_id", "acdAutoAnswer": "acd_auto_answer",
		"ACD Auto Answer": "acd_auto_answer", " state ": "state",
	}
	for in, want := range tests {
		f, ok := ParseField(in)
		if !ok || f.String() != want {
			t.Errorf("ParseField(%q) = %v, %v; want %s", in, f, ok, want)
		}
	}
	for _, in := range []string{"phone", "employee", "manager", "location_work", "email_manager"} {
		if f, ok := ParseField(in); ok {
			t.Errorf("ParseField(%q) = %v, want no field", in, f)
		}
	}
}
