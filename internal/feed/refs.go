package feed

import "strings"

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
		if dist := editDistance(want, foldName(n), bestDist); dist < bestDist || (dist == bestDist && best != "" && n < best) {
			best, bestDist = n, dist
		}
	}
	if bestDist > limit {
		return ""
	}
	return best
}

// editDistance is the optimal-string-alignment distance of a and b (the
// Levenshtein distance with a swap of two neighbouring letters counting as
// one edit, so "emial" is one edit from "email"), or a value above bound
// as soon as it must exceed it.
func editDistance(a, b string, bound int) int {
	ra, rb := []rune(a), []rune(b)
	if d := len(ra) - len(rb); d > bound || -d > bound {
		return bound + 1
	}
	prev2 := make([]int, len(rb)+1) // row i-2, for swaps
	prev := make([]int, len(rb)+1)
	cur := make([]int, len(rb)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(ra); i++ {
		cur[0] = i
		rowMin := cur[0]
		for j := 1; j <= len(rb); j++ {
			cost := 1
			if ra[i-1] == rb[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
			if i > 1 && j > 1 && ra[i-1] == rb[j-2] && ra[i-2] == rb[j-1] {
				cur[j] = min(cur[j], prev2[j-2]+1)
			}
			rowMin = min(rowMin, cur[j])
		}
		if rowMin > bound {
			return bound + 1
		}
		prev2, prev, cur = prev, cur, prev2
	}
	return prev[len(rb)]
}
