package diff

import (
	"cmp"
	"encoding/json"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"path/filepath"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/usersync/syncer/internal/feed"
)

// fullSpec is a spec with every part, for the tests that take one away.
func fullSpec() KindSpec {
	return KindSpec{
		Kind: "test_kind", Phase: 55,
		Endpoint: Endpoint{Method: "POST", Path: "/api/v2/users/{userId}/test", Permissions: []string{"directory:user:edit"}},
		Target:   TargetUser, Payload: Payload{Field: "state"},
		Simulate: PerUser(func(*Sim, *Operation, *User) error { return nil }),
		Verify:   Verify{Replan: []Part{PartState}},
		When:     "tests",
	}
}

// Every registered kind has every part, and a spec without one is refused
// at registration, naming the part.
func TestKindRegistryParts(t *testing.T) {
	t.Parallel()
	if n := len(Kinds()); n != 26 {
		t.Errorf("%d kinds registered, want the 26 built-in ones", n)
	}
	for _, s := range Kinds() {
		if err := s.check(); err != nil {
			t.Errorf("registered kind %s: %v", s.Kind, err)
		}
		for _, p := range s.Verify.Replan {
			if !slices.Contains(Parts(), p) {
				t.Errorf("kind %s: verification part %q is not a Part", s.Kind, p)
			}
		}
		if m, path := s.Kind.Endpoint(); m != s.Endpoint.Method || !strings.HasPrefix(path, s.Endpoint.Path) {
			t.Errorf("kind %s: Kind.Endpoint() is %s %s, the spec's %s", s.Kind, m, path, s.Endpoint.Key())
		}
	}
	if err := (&KindSpec{}).check(); err == nil {
		t.Error("an empty spec passes")
	}
	s := fullSpec()
	if err := s.check(); err != nil {
		t.Fatalf("the full spec is refused: %v", err)
	}
	for part, drop := range map[string]func(*KindSpec){
		"snake_case":      func(s *KindSpec) { s.Kind = "TestKind" },
		"phase":           func(s *KindSpec) { s.Phase = 0 },
		"endpoint":        func(s *KindSpec) { s.Endpoint.Method = "" },
		"/api/v2/":        func(s *KindSpec) { s.Endpoint.Path = "/users" },
		"Endpoint.Query":  func(s *KindSpec) { s.Endpoint.Path += "?x=1" },
		"permission":      func(s *KindSpec) { s.Endpoint.Permissions = nil },
		"target":          func(s *KindSpec) { s.Target = 0 },
		"no payload":      func(s *KindSpec) { s.Payload = Payload{} },
		"Field and None":  func(s *KindSpec) { s.Payload.None = true },
		"not a field":     func(s *KindSpec) { s.Payload.Field = "body" },
		"PayloadOf":       func(s *KindSpec) { s.Payload.Field = payloadField },
		"but it has none": func(s *KindSpec) { s.Target, s.Payload = TargetPayload, Payload{None: true} },
		"one user":        func(s *KindSpec) { s.Target, s.Versioned = TargetQueue, true },
		"simulation":      func(s *KindSpec) { s.Simulate = nil },
		"verification":    func(s *KindSpec) { s.Verify = Verify{} },
		"When":            func(s *KindSpec) { s.When = "" },
	} {
		s := fullSpec()
		drop(&s)
		err := s.check()
		if err == nil || !strings.Contains(err.Error(), part) {
			t.Errorf("without %s: %v", part, err)
		}
	}
	dup, noSim := fullSpec(), fullSpec()
	dup.Kind, noSim.Simulate = KindCreateUser, nil
	mustPanic(t, "twice", func() { RegisterKind(dup) })
	mustPanic(t, "no simulation", func() { RegisterKind(noSim) })
	if _, ok := LookupKind("test_kind"); ok {
		t.Error("a refused spec was registered")
	}
}

// Kinds of one endpoint declare it alike: `syncer check` lists it once.
func TestKindEndpointsAgree(t *testing.T) {
	t.Parallel()
	by := map[string]KindSpec{}
	for _, s := range Kinds() {
		prev, ok := by[s.Endpoint.Key()]
		if !ok {
			by[s.Endpoint.Key()] = s
			continue
		}
		e, p := s.Endpoint, prev.Endpoint
		if !slices.Equal(e.Permissions, p.Permissions) || e.AnyOf != p.AnyOf || e.Note != p.Note {
			t.Errorf("%s and %s call %s with other permissions or notes", prev.Kind, s.Kind, e.Key())
		}
	}
}

// The plan order of the kinds is the phases', and within a phase the
// registration order; a planned operation is never of phase 0.
func TestKindsOrder(t *testing.T) {
	t.Parallel()
	var got []Kind
	for _, s := range Kinds() {
		got = append(got, s.Kind)
	}
	want := []Kind{KindCreateUser, KindRestoreUser, KindSetExternalID, KindUpdateUser,
		KindDeleteVerifier, KindClearAssociatedStation, KindClearDefaultStation, KindResetUtilization, KindSetState, KindMoveDivision,
		KindSetSkills, KindReplaceSkills, KindRemoveSkill, KindSetLanguages, KindRemoveLanguage,
		KindSetUtilization, KindSetDefaultStation, KindSetProfileSkills, KindAddQueueMembers,
		KindSetQueueJoined, KindRemoveQueueMembers, KindAddRoles, KindRemoveRoles, KindSetACDAutoAnswer, KindSendInvite, KindDeleteUser}
	if !slices.Equal(got, want) {
		t.Errorf("plan order\n got %v\nwant %v", got, want)
	}
	mustPanic(t, "not registered", func() { mustSpec("unheard_of") })
}

// mustPanic checks that f panics with a message holding want.
func mustPanic(t *testing.T, want string, f func()) {
	t.Helper()
	defer func() {
		if r := recover(); r == nil || !strings.Contains(fmt.Sprint(r), want) {
			t.Errorf("panic %v, want one saying %q", r, want)
		}
	}()
	f()
}

// No kind is used without being registered: every Kind constant and every
// Kind("…") conversion or Kind: "…" literal in the module's non-test code
// names a registered kind, and each built-in kind has its constant here.
func TestKindsUsedAreRegistered(t *testing.T) {
	t.Parallel()
	declared := map[Kind]string{} // kind → where
	fset := token.NewFileSet()
	err := filepath.WalkDir("../..", func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && (d.Name() == "testdata" || strings.HasPrefix(d.Name(), ".")) && path != "../.." {
			return filepath.SkipDir
		}
		if d.IsDir() || !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return nil
		}
		f, err := parser.ParseFile(fset, path, nil, parser.SkipObjectResolution)
		if err != nil {
			return err
		}
		inDiff := f.Name.Name == "diff" && filepath.Base(filepath.Dir(path)) == "diff"
		isKind := func(e ast.Expr) bool {
			switch e := e.(type) {
			case *ast.Ident:
				return inDiff && e.Name == "Kind"
			case *ast.SelectorExpr:
				x, ok := e.X.(*ast.Ident)
				return ok && x.Name == "diff" && e.Sel.Name == "Kind"
			}
			return false
		}
		lit := func(e ast.Expr) (Kind, bool) {
			b, ok := e.(*ast.BasicLit)
			if !ok || b.Kind != token.STRING {
				return "", false
			}
			s, err := strconv.Unquote(b.Value)
			return Kind(s), err == nil
		}
		ast.Inspect(f, func(n ast.Node) bool {
			switch n := n.(type) {
			case *ast.ValueSpec:
				if n.Type != nil && isKind(n.Type) {
					for _, v := range n.Values {
						if k, ok := lit(v); ok {
							declared[k] = fset.Position(v.Pos()).String()
						}
					}
				}
			case *ast.CallExpr:
				if len(n.Args) == 1 && isKind(n.Fun) {
					if k, ok := lit(n.Args[0]); ok {
						declared[k] = fset.Position(n.Pos()).String()
					}
				}
			case *ast.KeyValueExpr:
				if key, ok := n.Key.(*ast.Ident); ok && key.Name == "Kind" {
					if k, ok := lit(n.Value); ok && kindName.MatchString(string(k)) {
						declared[k] = fset.Position(n.Pos()).String()
					}
				}
			}
			return true
		})
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	for k, where := range declared {
		if _, ok := LookupKind(k); !ok {
			t.Errorf("%s: kind %q is used but not registered (diff.RegisterKind)", where, k)
		}
	}
	for _, s := range Kinds() {
		if _, ok := declared[s.Kind]; !ok {
			t.Errorf("kind %s is registered without a Kind constant in package diff", s.Kind)
		}
	}
}

// userParts maps each field of User to the part of Current it belongs to;
// "" for bookkeeping the verification does not compare.
var userParts = map[string]Part{
	"ID": "", "Version": "", "ExternalIDsUnknown": "",
	"Email": PartProfile, "Name": PartProfile, "Title": PartProfile, "Department": PartProfile, "ManagerID": PartProfile,
	"EmployeeID": PartProfile, "WorkPhone": PartProfile, "OtherPhones": PartProfile, "LocationIDs": PartProfile,
	"DateHire": PartProfile, "OfficialName": PartProfile, "EmployeeType": PartProfile,
	"State": PartState, "DivisionID": PartDivision, "ExternalIDs": PartExternalIDs, "ACDAutoAnswer": PartACD,
	"Skills": PartSkills, "Languages": PartLanguages, "Queues": PartQueues, "Grants": PartGrants,
	"DefaultStationID": PartStations, "AssociatedStationID": PartStations, "StationsKnown": "",
	"ProfileSkills": PartProfileSkills, "ProfileSkillsKnown": "", "Verifiers": PartVerifiers, "VerifiersKnown": "",
	"Utilization": PartUtilization, "WelcomeSent": PartInvite, "LoggedIn": PartInvite, "InviteKnown": "", "OffboardedAt": "",
}

// changedParts returns the parts in which after differs from before.
func changedParts(t *testing.T, before, after *Current) map[Part]bool {
	out := map[Part]bool{}
	old := map[string]*User{}
	for i := range before.Users {
		old[before.Users[i].ID] = &before.Users[i]
	}
	if len(after.Users) != len(before.Users) {
		out[PartUsers] = true
	}
	for i := range after.Users {
		a := &after.Users[i]
		b, ok := old[a.ID]
		if !ok {
			out[PartUsers] = true
			continue
		}
		va, vb := reflect.ValueOf(a).Elem(), reflect.ValueOf(b).Elem()
		for j := range va.NumField() {
			name := va.Type().Field(j).Name
			part, known := userParts[name]
			if !known {
				t.Fatalf("User.%s belongs to no Part: add it to userParts (and to the verification's reads)", name)
			}
			x, y := va.Field(j).Interface(), vb.Field(j).Interface()
			if part != "" && !reflect.DeepEqual(x, y) && !(isEmpty(va.Field(j)) && isEmpty(vb.Field(j))) {
				out[part] = true
			}
		}
	}
	return out
}

func isEmpty(v reflect.Value) bool {
	switch v.Kind() {
	case reflect.Map, reflect.Slice:
		return v.Len() == 0
	}
	return v.IsZero()
}

// Each kind's verification names what its simulation changes: over the
// generated orgs under every policy, an operation changes nothing outside
// its kind's Verify.Replan, and every kind is planned somewhere (so the
// planner and the registry agree on the kinds there are).
func TestKindVerificationMatchesSimulation(t *testing.T) {
	t.Parallel()
	seen := map[Kind]map[Part]bool{}
	run := func(t *testing.T, cur *Current, plan *Plan) {
		s := &Sim{cur: &Current{Users: make([]User, len(cur.Users))}, byID: map[string]int{}, byKey: map[string]string{}, byEmail: map[string]string{}, plan: plan}
		for i := range cur.Users {
			s.cur.Users[i] = cur.Users[i].clone()
			s.byID[cur.Users[i].ID] = i
			s.byEmail[strings.ToLower(cur.Users[i].Email)] = cur.Users[i].ID
		}
		// named copies the users an operation names (those it may change),
		// so that each operation costs a few clones, not the whole org's.
		named := func(o *Operation) *Current {
			c := &Current{}
			for _, r := range refsOf(o) {
				id := cmp.Or(r.ID, s.byKey[r.Key])
				if j, ok := s.byID[id]; ok {
					c.Users = append(c.Users, s.cur.Users[j].clone())
				}
			}
			return c
		}
		for i := range plan.Operations {
			o := &plan.Operations[i]
			before, n := named(o), len(s.cur.Users)
			stamp := make([]string, n)
			for j := range s.cur.Users {
				stamp[j] = fmt.Sprint(s.cur.Users[j].State, s.cur.Users[j].Version)
			}
			if err := s.apply(o); err != nil {
				t.Fatalf("simulate %s: %v", o.ID, err)
			}
			after := named(o)
			if len(s.cur.Users) != n {
				after.Users = append(after.Users, s.cur.Users[n:]...)
			}
			for j := range n {
				if u := &s.cur.Users[j]; stamp[j] != fmt.Sprint(u.State, u.Version) &&
					!slices.ContainsFunc(refsOf(o), func(r UserRef) bool { return cmp.Or(r.ID, s.byKey[r.Key]) == u.ID }) {
					t.Errorf("%s changed user %s, which it does not name", o.ID, u.ID)
				}
			}
			k, _ := LookupKind(o.Kind)
			if seen[o.Kind] == nil {
				seen[o.Kind] = map[Part]bool{}
			}
			for p := range changedParts(t, before, after) {
				seen[o.Kind][p] = true
				if !slices.Contains(k.Verify.Replan, p) {
					t.Errorf("%s changed the %s, which its kind's verification (%v) does not name", o.ID, p, k.Verify.Replan)
				}
			}
		}
	}
	for name, cfg := range configs() {
		for _, mode := range []feed.Mode{feed.ModeSnapshot, feed.ModeDelta} {
			for seed := range uint64(2) {
				w := genWorld(seed, 40+int(seed)*7, mode)
				plan, err := Compute(w.read(t), w.cur, w.refs, cfg)
				if err != nil {
					t.Fatalf("%s/%s/%d: %v", name, mode, seed, err)
				}
				if err := plan.Validate(); err != nil {
					t.Errorf("%s/%s/%d: %v", name, mode, seed, err)
				}
				run(t, w.cur, plan)
			}
		}
	}
	cur, refs := mixedOrg()
	plan, err := Compute(readFeed(t, "hr.csv", mixedFeed, feed.ModeSnapshot, refs), cur, refs, mixedConfig())
	if err != nil {
		t.Fatal(err)
	}
	run(t, cur, plan)
	for _, s := range Kinds() {
		if seen[s.Kind] == nil {
			t.Errorf("kind %s is never planned by the generated orgs or the scenarios", s.Kind)
		}
	}
}

// Validate refuses an operation of an unknown kind, without its payload,
// with another kind's payload, or naming its users in the wrong place.
func TestValidate(t *testing.T) {
	t.Parallel()
	ref := &UserRef{ID: "u1", Key: "user:u1"}
	ok := Operation{ID: "set_skills:user:u1#1", Kind: KindSetSkills, User: ref, Skills: []Proficiency{{ID: "sk", Proficiency: 3}}, Calls: 1}
	for name, c := range map[string]struct {
		mutate func(o *Operation)
		want   string
	}{
		"valid":                 {func(*Operation) {}, ""},
		"unknown kind":          {func(o *Operation) { o.Kind = "set_station" }, `unknown operation kind "set_station"`},
		"no payload":            {func(o *Operation) { o.Skills = nil }, `without its payload "skills"`},
		"foreign payload":       {func(o *Operation) { o.Grants = []Grant{{RoleID: "r"}} }, `carries "grants"`},
		"no user":               {func(o *Operation) { o.User = nil }, "names its users in user"},
		"queue target":          {func(o *Operation) { o.QueueID = "q" }, "names its users in user"},
		"no id":                 {func(o *Operation) { o.ID = "" }, "no id"},
		"replace nothing":       {func(o *Operation) { o.Kind, o.Skills = KindReplaceSkills, nil }, ""},
		"delete":                {func(o *Operation) { o.Kind, o.Skills = KindDeleteUser, nil }, ""},
		"delete with a payload": {func(o *Operation) { o.Kind = KindDeleteUser }, `carries "skills", which is not its payload (none)`},
		"batch": {func(o *Operation) {
			o.Kind, o.User, o.Skills, o.QueueID, o.Members = KindAddQueueMembers, nil, nil, "q", []UserRef{*ref}
		}, ""},
		"batch no members": {func(o *Operation) { o.Kind, o.User, o.Skills, o.QueueID = KindAddQueueMembers, nil, nil, "q" }, "queue_id and members"},
	} {
		o := ok
		c.mutate(&o)
		p := &Plan{Operations: []Operation{o}}
		err := p.Validate()
		switch {
		case c.want == "" && err != nil:
			t.Errorf("%s: %v", name, err)
		case c.want != "" && (err == nil || !strings.Contains(err.Error(), c.want)):
			t.Errorf("%s: %v, want %q", name, err, c.want)
		}
	}
	if err := (&Plan{Operations: []Operation{ok, ok}}).Validate(); err == nil || !strings.Contains(err.Error(), "twice") {
		t.Errorf("the same id twice: %v", err)
	}
}

// A kind's own payload type travels as JSON and decodes strictly.
func TestPayloadOf(t *testing.T) {
	t.Parallel()
	type body struct {
		SkillID string  `json:"skill_id"`
		Level   float64 `json:"level"`
	}
	o := Operation{ID: "x", Payload: EncodePayload(body{SkillID: "sk", Level: 2})}
	raw, err := json.Marshal(o)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(raw), `"payload":{"level":2,"skill_id":"sk"}`) {
		t.Errorf("encoded %s, want the payload's keys sorted", raw)
	}
	// As Postgres's jsonb gives it back: keys reordered, spaced. The
	// payload reads back in its canonical form, so the operation encodes as
	// it was made (a resumed plan keeps its id).
	var fromJournal Operation
	if err := json.Unmarshal([]byte(`{"id": "x", "kind": "", "calls": 0, "payload": {"skill_id": "sk", "level": 2}}`), &fromJournal); err != nil {
		t.Fatal(err)
	}
	if again, _ := json.Marshal(fromJournal); string(again) != string(raw) {
		t.Errorf("read back from jsonb, the operation encodes as %s, not %s", again, raw)
	}
	var back Operation
	if err := json.Unmarshal(raw, &back); err != nil {
		t.Fatal(err)
	}
	if b, err := DecodePayload[body](&back); err != nil || b != (body{SkillID: "sk", Level: 2}) {
		t.Errorf("decoded %+v, %v", b, err)
	}
	back.Payload = RawPayload(`{"skill_id":"sk","lvl":2}`)
	if _, err := DecodePayload[body](&back); err == nil || !strings.Contains(err.Error(), "lvl") {
		t.Errorf("an unknown field decodes: %v", err)
	}
	if err := PayloadOf[body]().check(back.Payload); err == nil {
		t.Error("the kind's check takes an unknown field")
	}
	if raw, _ := json.Marshal(Operation{ID: "y"}); strings.Contains(string(raw), "payload") {
		t.Errorf("an operation without a payload of its own writes one: %s", raw)
	}
}
