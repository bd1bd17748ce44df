package diff

import (
	"fmt"

	"github.com/usersync/syncer/internal/feed"
)

// The kinds of a user's stations: a joiner's (or mover's) default station
// from the default_station column, and a leaver's stations released.
const (
	KindSetDefaultStation      Kind = "set_default_station"      // PUT /api/v2/users/{id}/station/defaultstation/{stationId}
	KindClearDefaultStation    Kind = "clear_default_station"    // DELETE /api/v2/users/{id}/station/defaultstation
	KindClearAssociatedStation Kind = "clear_associated_station" // DELETE /api/v2/users/{id}/station/associatedstation
)

// DefaultStation is the payload of a set_default_station: the station's id
// and, for people, its name.
type DefaultStation struct {
	StationID string `json:"station_id"`
	Name      string `json:"name,omitempty"`
}

var endpointDefaultStation = []string{"telephony:plugin:all", "telephony:phone:assign"}

func init() {
	RegisterKind(KindSpec{
		Kind: KindClearAssociatedStation,
		// Leaver steps: before the state changes (40), and before any
		// station is given to someone else (94).
		Phase: 34,
		Endpoint: Endpoint{Method: "DELETE", Path: "/api/v2/users/{userId}/station/associatedstation", NoPermission: true,
			Note: "the reference lists no permission"},
		Target: TargetUser, Payload: Payload{None: true},
		Simulate: PerUser(func(_ *Sim, _ *Operation, u *User) error {
			u.AssociatedStationID = ""
			return nil
		}),
		Verify: Verify{Replan: []Part{PartStations}},
		Plan:   func(x *Person) { planRelease(x, false) },
		When:   "leavers leaving now logged in to a station, with offboard.release_stations",
	})
	RegisterKind(KindSpec{
		Kind: KindClearDefaultStation, Phase: 35,
		Endpoint: Endpoint{Method: "DELETE", Path: "/api/v2/users/{userId}/station/defaultstation",
			Permissions: endpointDefaultStation, AnyOf: true},
		Target: TargetUser, Payload: Payload{None: true},
		Simulate: PerUser(func(_ *Sim, _ *Operation, u *User) error {
			u.DefaultStationID = ""
			return nil
		}),
		Verify: Verify{Replan: []Part{PartStations}},
		Plan:   func(x *Person) { planRelease(x, true) },
		When:   "leavers leaving now with a default station, with offboard.release_stations",
	})
	RegisterKind(KindSpec{
		Kind: KindSetDefaultStation,
		// After the leavers' stations are released (35), so that a station
		// can pass from a leaver to a joiner in one plan.
		Phase: 94,
		Endpoint: Endpoint{Method: "PUT", Path: "/api/v2/users/{userId}/station/defaultstation/{stationId}",
			Permissions: endpointDefaultStation, AnyOf: true},
		Target: TargetUser, Payload: PayloadOf[DefaultStation](),
		Simulate: PerUser(func(s *Sim, o *Operation, u *User) error {
			st, err := DecodePayload[DefaultStation](o)
			if err != nil {
				return err
			}
			for i := range s.cur.Users {
				h := &s.cur.Users[i]
				if h.ID != u.ID && h.DefaultStationID == st.StationID && h.State != StateDeleted {
					return fmt.Errorf("409: station %s is the default station of user %s", st.StationID, h.ID)
				}
			}
			u.DefaultStationID, u.StationsKnown = st.StationID, true
			return nil
		}),
		Verify: Verify{Replan: []Part{PartStations}},
		Plan:   planDefaultStation,
		When:   "joiners and movers whose default_station differs",
	})
}

// planRelease clears a leaver's default (def) or associated station, when
// the listing read its stations.
func planRelease(x *Person, def bool) {
	u := x.User()
	if !x.Settings().Offboard.ReleaseStations || !x.LeavingNow() || !u.StationsKnown {
		return
	}
	id, attr := u.AssociatedStationID, "associated_station"
	if def {
		id, attr = u.DefaultStationID, "default_station"
	}
	if id == "" {
		return
	}
	x.Change(Change{Attr: attr, Before: x.Refs().Stations.Name(id), Reason: x.offboardBy("release_stations")})
	x.Op("", nil)
}

// planDefaultStation gives a person the row's default station: a joiner,
// or a matched user whose stations were read and whose default station
// differs (owned: replaced; not owned: only set when the user has none).
// A station another user keeps, or that an earlier row of the feed takes,
// is left alone with a note: Genesys Cloud gives a station to one person.
func planDefaultStation(x *Person) {
	row, u := x.Row(), x.User()
	if row == nil || x.Action() == ActionOffboard || !row.Has.Has(feed.FieldDefaultStation) || row.DefaultStationID == "" {
		return
	}
	want := row.DefaultStationID
	before := ""
	if u != nil && x.Action() != ActionRestore {
		// A restored user's stations are gone with its deletion.
		if !u.StationsKnown || u.DefaultStationID == want || (u.DefaultStationID != "" && !x.owns(feed.FieldDefaultStation)) {
			return
		}
		before = x.Refs().Stations.Name(u.DefaultStationID)
	}
	name := x.Refs().Stations.Name(want)
	if h, released := x.StationHolder(want); h != nil && (u == nil || h.ID != u.ID) && !released {
		x.Note(NoteConflict, "station %s is the default station of user %s (%s); the default station is left as it is", name, h.ID, x.UserLabel(h))
		return
	}
	if by := x.Claim("station:" + want); by != "" {
		x.Note(NoteConflict, "station %s is given to %s earlier in the feed; the default station is left as it is", name, by)
		return
	}
	c := Change{Attr: "default_station", Before: before, After: name}
	if before != "" {
		c.Reason = x.ownedBy("default_station")
	}
	x.Change(c)
	x.Op("", func(o *Operation) { o.Payload = EncodePayload(DefaultStation{StationID: want, Name: name}) })
}
