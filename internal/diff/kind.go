package diff

import (
	"bytes"
	"cmp"
	"encoding/json"
	"fmt"
	"regexp"
	"slices"
	"strings"
)

// Kind is what an operation does; each kind is one endpoint.
type Kind string

// KindSpec is one operation kind: everything the planner, the simulator,
// the dependency linker and the verification know of it, and what `syncer
// check` lists for it. Each kind registers one (RegisterKind) in a
// kind_*.go file, one per kind or family of kinds; package apply registers
// how to execute it in the file of the same name.
type KindSpec struct {
	// Kind names it in plans and in the journal (snake_case).
	Kind Kind
	// Phase orders the kinds: a plan runs phase by phase, lowest first,
	// so every DependsOn points at an earlier operation. Kinds of one
	// phase are mixed in the plan's own order. The built-in phases are 10
	// apart, so that a new kind fits between two without moving others.
	Phase int
	// Endpoint is the call an operation of the kind makes.
	Endpoint Endpoint
	// Target says where an operation of the kind names the users it
	// changes.
	Target Target
	// Payload says which field of Operation carries its body.
	Payload Payload
	// Versioned: the call is a versioned PATCH /users/{id}, so an
	// operation carries ExpectedVersion and follows the user's earlier
	// versioned writes.
	Versioned bool
	// Creates: an operation of the kind brings its user into being
	// (create, restore), so every other operation on the user depends on it.
	Creates bool
	// Simulate changes the state as the API would, checking what the API
	// checks (see Simulate). PerUser adapts one user's change.
	Simulate func(s *Sim, o *Operation) error
	// Link, when set, adds the dependencies the kind needs beyond those
	// every operation gets (its user's create or restore, the earlier
	// versioned write to its user).
	Link func(l *Linker, o *Operation)
	// Verify says what the verification after an apply compares to see
	// that an operation of the kind took effect.
	Verify Verify
	// Plan, when set, plans operations of the kind for each person of the
	// plan, after the planner's own attributes and lists: a joiner or
	// leaver step in one place. The built-in kinds are planned by the
	// planner itself and leave it nil.
	Plan func(p *Person)
	// When says when a plan has operations of the kind, for `syncer check`
	// and docs/genesys-setup.md.
	When string
}

// Endpoint is a Genesys Cloud endpoint an operation kind calls, and what
// the OAuth client's role needs for it.
type Endpoint struct {
	// Method and Path name it; Path is the template as the Platform API
	// reference and the client's errors spell it
	// (/api/v2/users/{userId}/queues).
	Method, Path string
	// Query is the fixed query string of the call, if any ("delete=true").
	Query string
	// Permissions are what the Platform API reference lists for it, the one
	// a least-privilege role should hold first.
	Permissions []string
	// AnyOf: one of Permissions opens the endpoint ("Requires ANY
	// permissions"); else it needs all of them.
	AnyOf bool
	// NoPermission: the reference says the endpoint "Requires no
	// permissions" (Permissions is then empty).
	NoPermission bool
	// Note says what the reference leaves open, for the docs.
	Note string
}

// Key is "METHOD /path/template", without the query.
func (e Endpoint) Key() string { return e.Method + " " + e.Path }

// Target says where an operation names the users it changes.
type Target int

// Targets.
const (
	// TargetUser: one user, Operation.User.
	TargetUser Target = iota + 1
	// TargetQueue: Operation.Members of the queue Operation.QueueID.
	TargetQueue
	// TargetDivision: Operation.Members, moved to Operation.DivisionID.
	TargetDivision
	// TargetPayload: the users are in the payload (set_acd_auto_answer).
	TargetPayload
)

// Payload says which field of Operation carries a kind's body.
type Payload struct {
	// Field is the JSON key of that field ("skills"); "payload" for a kind
	// whose body is a type of its own in Operation.Payload (PayloadOf).
	Field string
	// None: the kind has no body (delete_user); Field is then empty.
	None bool
	// MayBeEmpty: an operation may carry an empty body (replace_skills of
	// nothing removes every skill).
	MayBeEmpty bool
	// check decodes an Operation.Payload strictly, for PayloadOf kinds.
	check func(raw RawPayload) error
}

// PayloadOf declares a kind whose operations carry a T, encoded in
// Operation.Payload (EncodePayload, DecodePayload). T is a plain struct
// with JSON tags; the plan keeps it as JSON, so a plan written by another
// build decodes it strictly (unknown fields are an error).
func PayloadOf[T any]() Payload {
	return Payload{Field: payloadField, check: func(raw RawPayload) error {
		_, err := decodeStrict[T](raw)
		return err
	}}
}

// payloadField is the JSON key of Operation.Payload.
const payloadField = "payload"

// EncodePayload returns v as an Operation.Payload. It panics when v cannot
// be encoded: payloads are plain structs, so that is a programming error.
func EncodePayload(v any) RawPayload {
	b, err := json.Marshal(v)
	if err == nil {
		b, err = canonicalJSON(b)
	}
	if err != nil {
		panic(fmt.Sprintf("diff: encode payload %T: %v", v, err))
	}
	return b
}

// RawPayload is the body of an operation of a PayloadOf kind, as JSON in
// one canonical form: compact, object keys sorted, numbers as written. A
// plan read back from the journal, where Postgres (jsonb) reorders the
// keys and spaces them, then encodes byte for byte as it was made, so it
// keeps its id (apply.PlanID) and an interrupted apply resumes it.
type RawPayload []byte

// MarshalJSON writes the payload as it is (null when empty).
func (p RawPayload) MarshalJSON() ([]byte, error) {
	if len(p) == 0 {
		return []byte("null"), nil
	}
	return p, nil
}

// UnmarshalJSON reads a payload into its canonical form.
func (p *RawPayload) UnmarshalJSON(b []byte) error {
	if string(bytes.TrimSpace(b)) == "null" {
		*p = nil
		return nil
	}
	c, err := canonicalJSON(b)
	if err != nil {
		return err
	}
	*p = c
	return nil
}

// canonicalJSON re-encodes JSON with object keys sorted and numbers kept
// as written.
func canonicalJSON(b []byte) ([]byte, error) {
	d := json.NewDecoder(bytes.NewReader(b))
	d.UseNumber()
	var v any
	if err := d.Decode(&v); err != nil {
		return nil, err
	}
	return json.Marshal(v)
}

// DecodePayload returns the T an operation carries in Operation.Payload.
func DecodePayload[T any](o *Operation) (T, error) {
	v, err := decodeStrict[T](o.Payload)
	if err != nil {
		return v, fmt.Errorf("operation %s: payload: %w", o.ID, err)
	}
	return v, nil
}

func decodeStrict[T any](raw []byte) (T, error) {
	var v T
	if len(raw) == 0 {
		return v, fmt.Errorf("no payload")
	}
	d := json.NewDecoder(bytes.NewReader(raw))
	d.DisallowUnknownFields()
	if err := d.Decode(&v); err != nil {
		return v, err
	}
	return v, nil
}

// Part is a part of Current that an operation kind changes.
type Part string

// The parts of a user the verification reads again and compares.
const (
	PartUsers       Part = "users"        // which users exist (by email)
	PartProfile     Part = "profile"      // name, email, title, department, manager, employee id, hire date, phones, locations
	PartState       Part = "state"        // active, inactive, deleted
	PartDivision    Part = "division"     // the user's division
	PartExternalIDs Part = "external_ids" // external ids by authority
	PartSkills      Part = "skills"       // routing skills and levels
	PartLanguages   Part = "languages"    // routing languages and levels
	PartQueues      Part = "queues"       // queue memberships and joined flags
	PartGrants      Part = "grants"       // role grants
	PartACD         Part = "acd"          // acdAutoAnswer
	// The joiner and leaver parts.
	PartStations      Part = "stations"       // default and associated station
	PartVerifiers     Part = "verifiers"      // MFA verifiers
	PartUtilization   Part = "utilization"    // the user's own utilization
	PartProfileSkills Part = "profile_skills" // profile skills
	PartInvite        Part = "invite"         // the activation email (dateWelcomeSent)
)

// Verify says what the verification after an apply compares to see that
// an operation of a kind took effect. That verification reads the state
// again and plans the same feed: an operation that did not take effect is
// planned again, and the apply does not converge. So a kind's effect must
// be part of Current, and the verification must read it (package reverse).
type Verify struct {
	// Replan lists the parts of Current the kind changes, which the fresh
	// plan compares. A test holds them to Simulate: an operation's
	// simulation changes nothing outside them.
	Replan []Part
}

// registry holds the operation kinds, by kind. It is filled by init
// functions and only read afterwards, so it needs no lock.
var registry = struct {
	specs map[Kind]*KindSpec
	seq   map[Kind]int // registration order
}{specs: map[Kind]*KindSpec{}, seq: map[Kind]int{}}

var kindName = regexp.MustCompile(`^[a-z][a-z0-9]*(_[a-z0-9]+)*$`)

// RegisterKind adds an operation kind. Call it from an init function of
// the kind's own file (never while plans are computed: the registry is not
// locked). It panics when the kind is registered twice or its spec lacks a
// part, so that a half-declared kind never plans anything.
func RegisterKind(spec KindSpec) {
	if err := spec.check(); err != nil {
		panic("diff: RegisterKind: " + err.Error())
	}
	if _, dup := registry.specs[spec.Kind]; dup {
		panic(fmt.Sprintf("diff: RegisterKind: kind %q registered twice", spec.Kind))
	}
	spec.Endpoint.Permissions = slices.Clone(spec.Endpoint.Permissions)
	spec.Verify.Replan = slices.Clone(spec.Verify.Replan)
	registry.specs[spec.Kind] = &spec
	registry.seq[spec.Kind] = len(registry.seq)
}

// check reports the first part the spec lacks.
func (s *KindSpec) check() error {
	switch {
	case !kindName.MatchString(string(s.Kind)):
		return fmt.Errorf("kind %q: the name must be snake_case", s.Kind)
	case s.Phase <= 0:
		return fmt.Errorf("kind %s: no phase (Phase must be positive)", s.Kind)
	case s.Endpoint.Method == "" || !strings.HasPrefix(s.Endpoint.Path, "/api/v2/"):
		return fmt.Errorf("kind %s: no endpoint (Method and a Path under /api/v2/)", s.Kind)
	case strings.Contains(s.Endpoint.Path, "?"):
		return fmt.Errorf("kind %s: the endpoint's query goes in Endpoint.Query, not the path", s.Kind)
	case len(s.Endpoint.Permissions) == 0 && !s.Endpoint.NoPermission:
		return fmt.Errorf("kind %s: the endpoint lists no permission (set NoPermission when the reference lists none)", s.Kind)
	case len(s.Endpoint.Permissions) > 0 && s.Endpoint.NoPermission:
		return fmt.Errorf("kind %s: the endpoint lists permissions and NoPermission", s.Kind)
	case s.Target < TargetUser || s.Target > TargetPayload:
		return fmt.Errorf("kind %s: no target", s.Kind)
	case s.Payload.Field == "" && !s.Payload.None:
		return fmt.Errorf("kind %s: no payload (a Field, or None)", s.Kind)
	case s.Payload.Field != "" && s.Payload.None:
		return fmt.Errorf("kind %s: a payload Field and None", s.Kind)
	case s.Payload.Field != "" && !slices.Contains(payloadFields, s.Payload.Field):
		return fmt.Errorf("kind %s: payload field %q is not a field of Operation (%s)", s.Kind, s.Payload.Field, strings.Join(payloadFields, ", "))
	case s.Payload.Field == payloadField && s.Payload.check == nil:
		return fmt.Errorf("kind %s: a payload of its own is declared with PayloadOf", s.Kind)
	case s.Target == TargetPayload && s.Payload.None:
		return fmt.Errorf("kind %s: the target is the payload, but it has none", s.Kind)
	case s.Versioned && s.Target != TargetUser:
		return fmt.Errorf("kind %s: a versioned write has one user", s.Kind)
	case s.Simulate == nil:
		return fmt.Errorf("kind %s: no simulation", s.Kind)
	case len(s.Verify.Replan) == 0:
		return fmt.Errorf("kind %s: no verification (Verify.Replan)", s.Kind)
	case s.When == "":
		return fmt.Errorf("kind %s: no When (for syncer check and the docs)", s.Kind)
	}
	return nil
}

// LookupKind returns the spec of a registered kind.
func LookupKind(k Kind) (KindSpec, bool) {
	s := spec(k)
	if s == nil {
		return KindSpec{}, false
	}
	return *s, true
}

// Kinds returns every registered kind in plan order: by phase, kinds of
// one phase in the order they were registered.
func Kinds() []KindSpec {
	out := make([]KindSpec, 0, len(registry.specs))
	for _, s := range registry.specs {
		out = append(out, *s)
	}
	slices.SortFunc(out, func(a, b KindSpec) int {
		return cmp.Or(cmp.Compare(a.Phase, b.Phase), cmp.Compare(registry.seq[a.Kind], registry.seq[b.Kind]))
	})
	return out
}

// spec returns the registered spec of k, or nil.
func spec(k Kind) *KindSpec { return registry.specs[k] }

// mustSpec returns the spec of a kind the planner emits: one it does not
// know is a programming error, never a phase 0 that runs first.
func mustSpec(k Kind) *KindSpec {
	s := registry.specs[k]
	if s == nil {
		unregistered(k)
	}
	return s
}

// unregistered panics for a kind the planner emits without registering it
// (out of mustSpec, which stays small enough to inline in the planner's
// loops).
func unregistered(k Kind) {
	panic(fmt.Sprintf("diff: operation kind %q is not registered (RegisterKind)", k))
}

// Endpoint returns the HTTP method and path template of the kind (with
// its fixed query, if any); empty for a kind that is not registered.
func (k Kind) Endpoint() (method, path string) {
	s := spec(k)
	if s == nil {
		return "", ""
	}
	path = s.Endpoint.Path
	if s.Endpoint.Query != "" {
		path += "?" + s.Endpoint.Query
	}
	return s.Endpoint.Method, path
}

// versioned reports whether the kind needs the user's current version.
// (A kind that is not registered is not; the planner's ordering then
// panics on it, see mustSpec.)
func (k Kind) versioned() bool {
	s := registry.specs[k]
	return s != nil && s.Versioned
}

// payloadFields are the JSON keys of Operation's payload fields.
var payloadFields = []string{"create", "external_id", "update", "state", "skills", "languages", "remove_id", "queues", "grants", "acd", payloadField}

// payloadSet returns the payload fields o carries.
func (o *Operation) payloadSet() []string {
	var out []string
	for _, f := range []struct {
		key string
		set bool
	}{
		{"create", o.Create != nil}, {"external_id", o.ExternalID != nil}, {"update", o.Update != nil}, {"state", o.State != ""},
		{"skills", len(o.Skills) > 0}, {"languages", len(o.Languages) > 0}, {"remove_id", o.RemoveID != ""},
		{"queues", len(o.Queues) > 0}, {"grants", len(o.Grants) > 0}, {"acd", len(o.ACD) > 0}, {payloadField, len(o.Payload) > 0},
	} {
		if f.set {
			out = append(out, f.key)
		}
	}
	return out
}

// Validate checks that every operation of the plan is of a registered kind
// and has the shape its kind declares: its target, and its payload in its
// own field and no other. A plan from a file is validated before any
// call, so that a hand-edited or truncated operation is refused by name
// instead of failing halfway.
func (p *Plan) Validate() error {
	ids := make(map[string]bool, len(p.Operations))
	for i := range p.Operations {
		o := &p.Operations[i]
		if err := o.validate(); err != nil {
			return fmt.Errorf("operation %d (%s): %w", i+1, o.ID, err)
		}
		if ids[o.ID] {
			return fmt.Errorf("operation %d (%s): the id is used twice", i+1, o.ID)
		}
		ids[o.ID] = true
	}
	return nil
}

func (o *Operation) validate() error {
	s := spec(o.Kind)
	switch {
	case o.ID == "":
		return fmt.Errorf("no id")
	case s == nil:
		return fmt.Errorf("unknown operation kind %q", o.Kind)
	}
	hasUser, hasQueue, hasDivision, hasMembers := o.User != nil, o.QueueID != "", o.DivisionID != "", len(o.Members) > 0
	var ok bool
	switch s.Target {
	case TargetUser:
		ok = hasUser && !hasQueue && !hasDivision && !hasMembers
	case TargetQueue:
		ok = !hasUser && hasQueue && !hasDivision && hasMembers
	case TargetDivision:
		ok = !hasUser && !hasQueue && hasDivision && hasMembers
	case TargetPayload:
		ok = !hasUser && !hasQueue && !hasDivision && !hasMembers
	}
	if !ok {
		return fmt.Errorf("a %s names its users in %s", o.Kind, s.Target)
	}
	set := o.payloadSet()
	for _, f := range set {
		if f != s.Payload.Field {
			return fmt.Errorf("a %s carries %q, which is not its payload (%s)", o.Kind, f, cmp.Or(s.Payload.Field, "none"))
		}
	}
	if !s.Payload.None && !s.Payload.MayBeEmpty && len(set) == 0 {
		return fmt.Errorf("a %s without its payload %q", o.Kind, s.Payload.Field)
	}
	if s.Payload.check != nil && len(o.Payload) > 0 {
		if err := s.Payload.check(o.Payload); err != nil {
			return fmt.Errorf("payload: %w", err)
		}
	}
	return nil
}

// String names the fields of the target.
func (t Target) String() string {
	switch t {
	case TargetUser:
		return "user"
	case TargetQueue:
		return "queue_id and members"
	case TargetDivision:
		return "division_id and members"
	case TargetPayload:
		return "its payload"
	}
	return fmt.Sprintf("Target(%d)", int(t))
}

// Parts lists every Part, in the order of the docs.
func Parts() []Part {
	return []Part{PartUsers, PartProfile, PartState, PartDivision, PartExternalIDs, PartSkills, PartLanguages, PartQueues, PartGrants, PartACD,
		PartStations, PartVerifiers, PartUtilization, PartProfileSkills, PartInvite}
}

// kindsWithSteps returns the kinds that plan for each person, in plan
// order.
func kindsWithSteps() []KindSpec {
	var out []KindSpec
	for _, s := range Kinds() {
		if s.Plan != nil {
			out = append(out, s)
		}
	}
	return out
}
