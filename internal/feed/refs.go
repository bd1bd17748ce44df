package feed

import (
	"slices"
	"strings"

	"github.com/usersync/syncer/internal/textfmt"
)

// Dimension maps names of one kind of org object (skills, queues…) to ids
// and back. Names match case-insensitively and ignoring surrounding space,
// as people type them.
type Dimension struct {
	byName map[string]string
	byID   map[string]string
}

// NewDimension builds a dimension from id → name.
func NewDimension(idToName map[string]string) Dimension {
	d := Dimension{byName: make(map[string]string, len(idToName)), byID: make(map[string]string, len(idToName))}
	for id, name := range idToName {
		d.Add(id, name)
	}
	return d
}

// Add records one object.
func (d *Dimension) Add(id, name string) {
	if d.byName == nil {
		d.byName, d.byID = map[string]string{}, map[string]string{}
	}
	d.byName[foldName(name)] = id
	d.byID[id] = name
}

// ID returns the id of the object called name.
func (d Dimension) ID(name string) (string, bool) {
	id, ok := d.byName[foldName(name)]
	return id, ok
}

// Name returns the name of the object with id, or id itself when unknown
// (so that a plan can always be printed).
func (d Dimension) Name(id string) string {
	if n, ok := d.byID[id]; ok {
		return n
	}
	return id
}

// Has reports whether id is the id of an object.
func (d Dimension) Has(id string) bool {
	_, ok := d.byID[id]
	return ok
}

// IDs returns the ids of the objects, sorted.
func (d Dimension) IDs() []string {
	out := make([]string, 0, len(d.byID))
	for id := range d.byID {
		out = append(out, id)
	}
	slices.Sort(out)
	return out
}

// Len returns the number of objects.
func (d Dimension) Len() int { return len(d.byID) }

func foldName(s string) string { return strings.ToLower(strings.TrimSpace(s)) }

// Refs is the org's reference data, for resolving the names a feed uses.
type Refs struct {
	Skills    Dimension
	Languages Dimension
	Queues    Dimension
	Roles     Dimension
	Divisions Dimension
	// Locations are the org's locations (GET /api/v2/locations), for the
	// location column. syncer never creates one: an unknown location
	// rejects its row.
	Locations Dimension
	// Stations are the org's stations (GET /api/v2/stations), for the
	// default_station column, which names one by name or by id.
	Stations Dimension
	// HomeDivisionID is the division for grants and new users that name
	// none.
	HomeDivisionID string
}

// Directory answers whether a person exists in the current org, for
// managers who are not in the feed. Keys are an employee id (exact) or an
// email (compared case-insensitively by the implementation).
type Directory interface {
	HasEmployeeID(id string) bool
	HasEmail(email string) bool
}

// Suggest returns the known name closest to a misspelt one (at most two
// edits away, fewer for short names), or "".
func (d Dimension) Suggest(name string) string {
	want := foldName(name)
	limit := min(2, len([]rune(want))/4)
	best, bestDist := "", limit+1
	for _, n := range d.byID {
		if dist := textfmt.EditDistance(want, foldName(n), bestDist); dist < bestDist || (dist == bestDist && best != "" && n < best) {
			best, bestDist = n, dist
		}
	}
	if bestDist > limit {
		return ""
	}
	return best
}
