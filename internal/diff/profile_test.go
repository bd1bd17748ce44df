package diff

import (
	"fmt"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/usersync/syncer/internal/feed"
)

// profileUser is a user with a work phone, a mobile, two locations and
// employer info.
func profileUser() User {
	return User{ID: "u1", Email: "a@example.com", Name: "A", State: StateActive, Version: 4, DivisionID: "dv-home",
		WorkPhone:   Phone{Number: "+13175550101", Extension: "101"},
		OtherPhones: []Contact{{MediaType: "PHONE", Type: "MOBILE", Number: "+13176660101"}},
		LocationIDs: []string{"lo-00", "lo-01"}, DateHire: "2019-04-01", EmployeeID: "E1", OfficialName: "Ana A", EmployeeType: "Full-time"}
}

// TestWorkPhone: the two phone columns are one attribute. A column the row
// has sets its part, an empty cell clears it, a column it lacks keeps the
// user's part; both parts empty remove the phone, with the reason. Not
// owned, a phone is only filled when the user has none. A national number
// the org answered matches the feed's E.164 one.
func TestWorkPhone(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		cols   string // header after email,name
		cells  string
		cur    Phone
		owned  feed.FieldSet
		want   *Phone // nil: no change
		reason string
	}{
		{"unchanged", "phone_work,extension", "+1 317 555 0101,101", Phone{"+13175550101", "101"}, DefaultOwned, nil, ""},
		{"new number", "phone_work,extension", "+1 317 555 0199,101", Phone{"+13175550101", "101"}, DefaultOwned, &Phone{"+13175550199", "101"}, ""},
		{"empty extension cell clears the extension", "phone_work,extension", "+1 317 555 0101,", Phone{"+13175550101", "101"}, DefaultOwned, &Phone{"+13175550101", ""}, ""},
		{"no extension column keeps it", "phone_work", "+1 317 555 0199", Phone{"+13175550101", "101"}, DefaultOwned, &Phone{"+13175550199", "101"}, ""},
		{"extension only", "phone_work,extension", ",4410", Phone{"+13175550101", "101"}, DefaultOwned, &Phone{"", "4410"}, ""},
		{"both empty remove the phone", "phone_work,extension", ",", Phone{"+13175550101", "101"}, DefaultOwned, &Phone{},
			"the row's phone cells are empty and phone is owned by the feed"},
		{"both empty, no phone: nothing", "phone_work,extension", ",", Phone{}, DefaultOwned, nil, ""},
		{"national display matches", "phone_work,extension", "+1 317 555 0101,", Phone{"3175550101", ""}, DefaultOwned, nil, ""},
		{"not owned: kept", "phone_work,extension", "+1 317 555 0199,", Phone{"+13175550101", "101"}, DefaultOwned.Without(feed.FieldPhoneWork, feed.FieldExtension), nil, ""},
		{"not owned: filled", "phone_work,extension", "+1 317 555 0199,7", Phone{}, DefaultOwned.Without(feed.FieldPhoneWork, feed.FieldExtension), &Phone{"+13175550199", "7"}, ""},
		{"owning the extension owns the phone", "phone_work", "+1 317 555 0199", Phone{"+13175550101", ""}, DefaultOwned.Without(feed.FieldPhoneWork), &Phone{"+13175550199", ""}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			refs := testRefs()
			u := profileUser()
			u.WorkPhone = tt.cur
			cur := &Current{Users: []User{u}}
			f := readFeed(t, "p.csv", "email,name,"+tt.cols+"\na@example.com,A,"+tt.cells+"\n", feed.ModeDelta, refs)
			cfg := Config{Owned: tt.owned}
			p, err := Compute(f, cur, refs, cfg)
			if err != nil {
				t.Fatal(err)
			}
			if tt.want == nil {
				if p.HasChanges() {
					t.Fatalf("planned:\n%s", renderPlan(t, p))
				}
				return
			}
			if len(p.Operations) != 1 || p.Operations[0].Kind != KindUpdateUser || p.Operations[0].ExpectedVersion != 4 {
				t.Fatalf("operations %+v", p.Operations)
			}
			up := p.Operations[0].Update
			if up.WorkPhone == nil || *up.WorkPhone != *tt.want {
				t.Errorf("work phone %+v, want %+v", up.WorkPhone, tt.want)
			}
			// The PATCH rewrites the addresses whole: the mobile goes back.
			phones, ok := up.Addresses(*up.Base)
			wantPhones := []Contact{{MediaType: "PHONE", Type: "MOBILE", Number: "+13176660101"}}
			if !tt.want.IsZero() {
				wantPhones = append(wantPhones, Contact{MediaType: MediaPhone, Type: TypeWork, Number: tt.want.Number, Extension: tt.want.Extension})
			}
			if d := cmp.Diff(wantPhones, phones); !ok || d != "" {
				t.Errorf("addresses (-want +got):\n%s", d)
			}
			c := p.Users[0].Changes[0]
			if c.Attr != "phone" || c.Before != tt.cur.String() || c.After != tt.want.String() || c.Reason != tt.reason {
				t.Errorf("change %+v", c)
			}
			checkConverges(t, f, cur, refs, cfg, p)
		})
	}
}

// TestLocationAndHireDate: a location sets the user's locations to that one
// (the others removed, with the reason); the location the user already has
// alone, or an empty cell, changes nothing. A hire date is set; an empty
// one changes nothing. Not owned, both are only filled. The PATCH that
// sets the hire date sends the whole employerInfo as read.
func TestLocationAndHireDate(t *testing.T) {
	t.Parallel()
	refs := testRefs()
	cur := &Current{Users: []User{profileUser()}}
	f := readFeed(t, "p.csv", "email,name,location,hire_date\na@example.com,A,austin,2024-02-29\n", feed.ModeDelta, refs)
	p, err := Compute(f, cur, refs, Config{})
	if err != nil {
		t.Fatal(err)
	}
	if len(p.Operations) != 1 {
		t.Fatalf("operations %+v", p.Operations)
	}
	up := p.Operations[0].Update
	if d := cmp.Diff([]string{"lo-02"}, up.Locations); d != "" || up.DateHire == nil || *up.DateHire != "2024-02-29" || up.WorkPhone != nil {
		t.Errorf("update %+v (%s)", up, d)
	}
	ei, ok := up.EmployerInfo(*up.Base)
	if want := (EmployerInfo{OfficialName: "Ana A", EmployeeID: "E1", EmployeeType: "Full-time", DateHire: "2024-02-29"}); !ok || ei != want {
		t.Errorf("employerInfo %+v, want %+v", ei, want)
	}
	want := []Change{
		{Attr: "location", Before: "Dublin, Indianapolis", After: "Austin", Reason: "location is owned by the feed"},
		{Attr: "hire_date", Before: "2019-04-01", After: "2024-02-29"},
	}
	if d := cmp.Diff(want, p.Users[0].Changes); d != "" {
		t.Errorf("changes (-want +got):\n%s", d)
	}
	checkConverges(t, f, cur, refs, Config{}, p)

	for _, tt := range []struct{ name, body string }{
		{"empty cells", "a@example.com,A,,\n"},
		{"same location alone, same date", "a@example.com,A,Dublin,2019-04-01\n"},
	} {
		u := profileUser()
		u.LocationIDs = []string{"lo-00"}
		f := readFeed(t, "p.csv", "email,name,location,hire_date\n"+tt.body, feed.ModeDelta, refs)
		if p, err := Compute(f, &Current{Users: []User{u}}, refs, Config{}); err != nil || p.HasChanges() {
			t.Errorf("%s: planned %v\n%s", tt.name, err, renderPlan(t, p))
		}
	}
	notOwned := Config{Owned: DefaultOwned.Without(feed.FieldLocation, feed.FieldHireDate)}
	if p, err := Compute(f, cur, refs, notOwned); err != nil || p.HasChanges() {
		t.Errorf("not owned: planned\n%s", renderPlan(t, p))
	}
	bare := profileUser()
	bare.LocationIDs, bare.DateHire = nil, ""
	p, err = Compute(f, &Current{Users: []User{bare}}, refs, notOwned)
	if err != nil || len(p.Users) != 1 || len(p.Users[0].Changes) != 2 {
		t.Errorf("not owned, empty: %v\n%s", err, renderPlan(t, p))
	}
}

// TestJoinerProfile: a joiner's work phone goes in the create; its
// location and hire date in the PATCH that follows, with its employee id.
func TestJoinerProfile(t *testing.T) {
	t.Parallel()
	refs := testRefs()
	f := readFeed(t, "p.csv", "employee_id,email,name,phone_work,extension,location_work,hire_date\nE9,new@example.com,New,,4410,Austin,2024-03-18\n", feed.ModeDelta, refs)
	cur := &Current{}
	p, err := Compute(f, cur, refs, Config{})
	if err != nil {
		t.Fatal(err)
	}
	if d := cmp.Diff(map[Kind]int{KindCreateUser: 1, KindUpdateUser: 1, KindSendInvite: 1}, kinds(p)); d != "" {
		t.Fatalf("(-want +got):\n%s", d)
	}
	c, up := p.Operations[0].Create, p.Operations[1].Update
	if c.WorkPhone == nil || *c.WorkPhone != (Phone{Extension: "4410"}) {
		t.Errorf("create %+v", c)
	}
	ei, _ := up.EmployerInfo(UserBase{})
	if ei != (EmployerInfo{EmployeeID: "E9", DateHire: "2024-03-18"}) || !cmp.Equal(up.Locations, []string{"lo-02"}) || up.Base != nil {
		t.Errorf("update %+v, employerInfo %+v", up, ei)
	}
	var attrs []string
	for _, ch := range p.Users[0].Changes {
		attrs = append(attrs, fmt.Sprintf("%s=%s", ch.Attr, ch.After))
	}
	if got := strings.Join(attrs, " "); !strings.Contains(got, "phone=ext 4410") || !strings.Contains(got, "location=Austin") || !strings.Contains(got, "hire_date=2024-03-18") {
		t.Errorf("changes %s", got)
	}
	checkConverges(t, f, cur, refs, Config{}, p)
}

// TestGeneratedFeedsChangeProfile: the generated worlds of the convergence
// property do change phones, locations and hire dates, so the property
// covers them.
func TestGeneratedFeedsChangeProfile(t *testing.T) {
	t.Parallel()
	seen := map[string]int{}
	for seed := range uint64(6) {
		w := genWorld(seed, 60, feed.ModeSnapshot)
		p, err := Compute(w.read(t), w.cur, w.refs, Config{Authority: "hr", Guards: Guards{MaxOffboards: new(-1), MaxOffboardPercent: new(float64(-1))}})
		if err != nil {
			t.Fatal(err)
		}
		for _, u := range p.Users {
			for _, c := range u.Changes {
				seen[c.Attr]++
			}
		}
	}
	for _, a := range []string{"phone", "location", "hire_date"} {
		if seen[a] == 0 {
			t.Errorf("no generated plan changes %s (%v)", a, seen)
		}
	}
}
