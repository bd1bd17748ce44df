package pipeline

import (
	"cmp"
	"context"
	"fmt"
	"regexp"
	"slices"
	"strings"

	"github.com/usersync/syncer/internal/extract"
	"github.com/usersync/syncer/internal/genesys"
	"github.com/usersync/syncer/internal/load"
)

// Spec is one forward stream: everything syncer knows of it. Each stream
// registers one (Register) in its own file, stream_<name>.go; config
// validation, `syncer run --dry-run`'s costs, the docs' stream table and
// ForwardStreams read the registry, and nothing else lists the streams.
type Spec struct {
	// Name names the stream in the config, its watermark and its run
	// records (snake_case).
	Name string
	// Order places the stream in listings, the docs and the run's display.
	// The built-in streams are 10 apart, so that a new one fits between two.
	Order int
	// Reads says what the stream reads, and Cost what that costs in calls,
	// for the docs' stream table (the reference stream's Reads are its
	// listings' names).
	Reads, Cost string
	// Tables are the tables the stream loads besides those of its parts (a
	// reference listing's table, an expand's tables; Specs adds them); the
	// runner fails a stream that writes another.
	Tables []string
	// After names the streams that must have committed before this one
	// starts (hard dependencies); they are added to a pipeline that lists
	// this stream without them.
	After []string
	// Awaits names the streams whose results this one may wait for mid-run
	// when they are in the pipeline (soft dependencies), read with Get or
	// Updates.
	Awaits []string
	// Optional streams run only when a pipeline lists them: those that
	// cost calls per user. `syncer run --dry-run` shows their cost first.
	Optional bool
	// Estimate is the least number of calls the stream needs for an org of
	// these sizes; known is false when the sizes it needs are unknown
	// (their stream did not run).
	Estimate func(s Sizes, cfg ForwardConfig) (calls int64, known bool)
	// New builds the stream for one run of a pipeline configured by cfg
	// (defaults filled in): its Run and, when it reads everything there is,
	// Snapshot. Name, Tables and the dependencies come from the spec.
	New func(api ForwardAPI, cfg ForwardConfig) (Stream, error)
}

// Listing is one reference listing: read whole by the reference stream (a
// page or a few) and loaded into a table of its own.
type Listing struct {
	// Name names the listing in the docs and errors ("divisions").
	Name string
	// Table is the table it loads.
	Table string
	// Pages is the least number of calls it takes, from the reference data
	// read so far; nil: one page.
	Pages func(ref *extract.Reference) int
	// Read reads the listing (extract.ReadAll over the client's page
	// iterator), notes in ref what other streams need of it, and returns
	// the batch that loads it.
	Read func(ctx context.Context, api ForwardAPI, p extract.Counter, ref *extract.Reference) (Batch, error)
}

// Expand is part of the users stream: an expand of the users listing whose
// lists are loaded into tables of their own, at no extra call.
type Expand struct {
	// Name is the expand ("skills").
	Name string
	// Stream says Name is also a stream name, which turns the expand on
	// (skills, languages).
	Stream bool
	// Default says the expand is on in a pipeline whose users.expand is
	// not configured (DefaultExpand).
	Default bool
	// Tables are the tables it loads.
	Tables []string
	// Load loads the expanded lists of a page of users (owners are their
	// ids, in order): each owner's rows replace what is stored for it.
	Load func(ctx context.Context, tx *load.Tx, owners []string, users []genesys.User) (rows int64, err error)
}

// registry holds the streams and their parts. It is filled by init
// functions and only read afterwards, so it needs no lock.
var registry struct {
	specs    []Spec
	listings []Listing
	expands  []Expand
}

var streamName = regexp.MustCompile(`^[a-z][a-z0-9]*(_[a-z0-9]+)*$`)

// Register adds a stream. Call it from an init function of the stream's
// own file. It panics when the name is taken or the spec lacks a part, so
// that a half-declared stream never runs.
func Register(s Spec) {
	if err := s.check(); err != nil {
		panic("pipeline: Register: " + err.Error())
	}
	s.Tables, s.After, s.Awaits = slices.Clone(s.Tables), slices.Clone(s.After), slices.Clone(s.Awaits)
	registry.specs = append(registry.specs, s)
}

// RegisterListing adds a listing to the reference stream.
func RegisterListing(l Listing) {
	switch {
	case l.Name == "" || l.Table == "" || l.Read == nil:
		panic(fmt.Sprintf("pipeline: RegisterListing: listing %q needs a Name, a Table and Read", l.Name))
	case slices.ContainsFunc(registry.listings, func(o Listing) bool { return o.Name == l.Name }):
		panic(fmt.Sprintf("pipeline: RegisterListing: listing %q registered twice", l.Name))
	}
	registry.listings = append(registry.listings, l)
}

// RegisterExpand adds an expand to the users stream.
func RegisterExpand(e Expand) {
	switch {
	case e.Name == "" || len(e.Tables) == 0 || e.Load == nil:
		panic(fmt.Sprintf("pipeline: RegisterExpand: expand %q needs a Name, Tables and Load", e.Name))
	case slices.ContainsFunc(registry.expands, func(o Expand) bool { return o.Name == e.Name }):
		panic(fmt.Sprintf("pipeline: RegisterExpand: expand %q registered twice", e.Name))
	case e.Stream && !streamName.MatchString(e.Name):
		panic(fmt.Sprintf("pipeline: RegisterExpand: expand %q is a stream name, so snake_case", e.Name))
	}
	registry.expands = append(registry.expands, e)
}

// check reports the first part the spec lacks.
func (s *Spec) check() error {
	taken := func(name string) bool {
		return slices.ContainsFunc(registry.specs, func(o Spec) bool { return o.Name == name }) ||
			slices.ContainsFunc(registry.expands, func(e Expand) bool { return e.Stream && e.Name == name })
	}
	switch {
	case !streamName.MatchString(s.Name):
		return fmt.Errorf("stream %q: the name must be snake_case", s.Name)
	case taken(s.Name):
		return fmt.Errorf("stream %q registered twice", s.Name)
	case s.Order <= 0:
		return fmt.Errorf("stream %s: no Order (must be positive)", s.Name)
	case (s.Reads == "" && s.Name != StreamReference) || s.Cost == "":
		return fmt.Errorf("stream %s: no Reads or Cost (for the docs)", s.Name)
	case s.Estimate == nil:
		return fmt.Errorf("stream %s: no Estimate", s.Name)
	case s.New == nil:
		return fmt.Errorf("stream %s: no New", s.Name)
	case slices.Contains(s.After, s.Name) || slices.Contains(s.Awaits, s.Name):
		return fmt.Errorf("stream %s: depends on itself", s.Name)
	}
	return nil
}

// Specs returns every registered stream in Order, each with the tables of
// its parts.
func Specs() []Spec {
	out := make([]Spec, 0, len(registry.specs))
	for _, s := range registry.specs {
		s.Tables = slices.Clone(s.Tables)
		switch s.Name {
		case StreamReference:
			var names []string
			for _, l := range registry.listings {
				s.Tables = append(s.Tables, l.Table)
				names = append(names, l.Name)
			}
			s.Reads = strings.Join(names, ", ")
		case StreamUsers:
			for _, e := range registry.expands {
				s.Tables = append(s.Tables, e.Tables...)
			}
		}
		out = append(out, s)
	}
	slices.SortStableFunc(out, func(a, b Spec) int { return cmp.Compare(a.Order, b.Order) })
	return out
}

// Lookup returns the registered stream named.
func Lookup(name string) (Spec, bool) {
	for _, s := range Specs() {
		if s.Name == name {
			return s, true
		}
	}
	return Spec{}, false
}

// Listings returns the reference stream's listings in the order it reads
// them.
func Listings() []Listing { return slices.Clone(registry.listings) }

// Expands returns the users stream's expands.
func Expands() []Expand { return slices.Clone(registry.expands) }

// StreamNames returns every name a pipeline may list, in Order: the
// registered streams, each followed by the expands that are streams of
// its own (skills and languages after users).
func StreamNames() []string {
	var names []string
	for _, s := range Specs() {
		names = append(names, s.Name)
		if s.Name == StreamUsers {
			for _, e := range registry.expands {
				if e.Stream {
					names = append(names, e.Name)
				}
			}
		}
	}
	return names
}

// DefaultStreams are the streams of a pipeline that lists none: every
// name but the optional streams'.
func DefaultStreams() []string {
	return slices.DeleteFunc(StreamNames(), func(n string) bool {
		s, ok := Lookup(n)
		return ok && s.Optional
	})
}

// expandStream returns the expand that the stream name turns on.
func expandStream(name string) (Expand, bool) {
	for _, e := range registry.expands {
		if e.Stream && e.Name == name {
			return e, true
		}
	}
	return Expand{}, false
}
