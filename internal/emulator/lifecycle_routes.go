package emulator

import (
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/usersync/syncer/internal/emulator/wire"
)

// Wire shapes of the joiner and leaver resources (the Platform API's
// Station, UserStations, VerifierEntityListing, UtilizationRequest and
// AgentMaxUtilizationResponse).
type (
	stationJSON struct {
		ID               string `json:"id"`
		Name             string `json:"name"`
		Status           string `json:"status"`
		UserID           string `json:"userId,omitempty"`
		WebRtcUserID     string `json:"webRtcUserId,omitempty"`
		Type             string `json:"type"`
		LineAppearanceID string `json:"lineAppearanceId"`
		SelfURI          string `json:"selfUri"`
	}
	userRefJSON struct {
		ID      string `json:"id"`
		SelfURI string `json:"selfUri"`
	}
	userStationJSON struct {
		ID             string       `json:"id"`
		Name           string       `json:"name"`
		Type           string       `json:"type"`
		AssociatedUser *userRefJSON `json:"associatedUser,omitempty"`
		AssociatedDate string       `json:"associatedDate,omitempty"`
		DefaultUser    *userRefJSON `json:"defaultUser,omitempty"`
	}
	userStationsJSON struct {
		AssociatedStation     *userStationJSON `json:"associatedStation,omitempty"`
		EffectiveStation      *userStationJSON `json:"effectiveStation,omitempty"`
		DefaultStation        *userStationJSON `json:"defaultStation,omitempty"`
		LastAssociatedStation *userStationJSON `json:"lastAssociatedStation,omitempty"`
	}
	verifierJSON struct {
		ID      string `json:"id"`
		Name    string `json:"name"`
		Enabled bool   `json:"enabled"`
		Default bool   `json:"default"`
		SelfURI string `json:"selfUri"`
	}
	verifierListing struct {
		Entities []verifierJSON `json:"entities"`
		Total    int            `json:"total"`
		SelfURI  string         `json:"selfUri"`
	}
	mediaUtilizationBody struct {
		MaximumCapacity         *int     `json:"maximumCapacity"`
		InterruptableMediaTypes []string `json:"interruptableMediaTypes"`
		IncludeNonAcd           *bool    `json:"includeNonAcd"`
	}
	utilizationRequest struct {
		Utilization       map[string]*mediaUtilizationBody `json:"utilization"`
		LabelUtilizations map[string]any                   `json:"labelUtilizations"`
	}
	mediaUtilizationJSON struct {
		MaximumCapacity         int      `json:"maximumCapacity"`
		InterruptableMediaTypes []string `json:"interruptableMediaTypes"`
		IncludeNonAcd           bool     `json:"includeNonAcd"`
	}
	agentUtilization struct {
		Utilization map[string]mediaUtilizationJSON `json:"utilization"`
		Level       string                          `json:"level"`
	}
)

// stationListLimits are the paging rules of GET /api/v2/stations: pageSize
// 25 by default (doc); at most 100 (unsure: the emulator's choice).
var stationListLimits = pageLimits{defSize: 25, maxSize: 100}

func (o *org) stationJSON(k int32) stationJSON {
	st := &o.stations[k]
	out := stationJSON{ID: st.id, Name: st.name, Status: "AVAILABLE", Type: st.typ, SelfURI: "/api/v2/stations/" + st.id,
		LineAppearanceID: derivedUUID(st.id, 0x6c696e65)}
	if st.associatedUser != 0 {
		out.Status, out.UserID = "ASSOCIATED", o.users[st.associatedUser-1].id
	}
	// A WebRTC station belongs to the user it is configured for: the
	// emulator takes the user whose default station it is (unsure).
	if st.typ == "inin_webrtc_softphone" && st.defaultUser != 0 {
		out.WebRtcUserID = o.users[st.defaultUser-1].id
	}
	return out
}

func (o *org) userStation(k int32) *userStationJSON {
	st := &o.stations[k]
	out := &userStationJSON{ID: st.id, Name: st.name, Type: st.typ}
	if st.associatedUser != 0 {
		id := o.users[st.associatedUser-1].id
		out.AssociatedUser = &userRefJSON{ID: id, SelfURI: "/api/v2/users/" + id}
	}
	if st.defaultUser != 0 {
		id := o.users[st.defaultUser-1].id
		out.DefaultUser = &userRefJSON{ID: id, SelfURI: "/api/v2/users/" + id}
	}
	return out
}

// userStations is a user's UserStations: the effective station is the
// associated one, else the default one; the last associated one is the
// associated one, else the station the user last logged in at
// (lastAssociatedStation). An associated station carries the time of the
// user's last login as its associatedDate.
func (o *org) userStations(u *user) userStationsJSON {
	var out userStationsJSON
	if u.associatedStation != 0 {
		out.AssociatedStation = o.userStation(u.associatedStation - 1)
		out.AssociatedStation.AssociatedDate = u.lastLogin
		out.EffectiveStation = out.AssociatedStation
	}
	if last := lastAssociatedStation(u); last != 0 {
		out.LastAssociatedStation = o.userStation(last - 1)
	}
	if u.defaultStation != 0 {
		out.DefaultStation = o.userStation(u.defaultStation - 1)
		if out.EffectiveStation == nil {
			out.EffectiveStation = out.DefaultStation
		}
	}
	return out
}

// getStations serves GET /api/v2/stations: the org's stations by name,
// filtered by name (case-insensitive, whole name), by id (a comma
// separated list), by webRtcUserId and by lineAppearanceId, paged.
func (s *Server) getStations(w http.ResponseWriter, r *http.Request) {
	p, ok := parsePage(w, r, stationListLimits)
	if !ok {
		return
	}
	q := r.URL.Query()
	name := strings.TrimSpace(q.Get("name"))
	ids := listValues(q, "id")
	webRtc, line := strings.TrimSpace(q.Get("webRtcUserId")), strings.TrimSpace(q.Get("lineAppearanceId"))
	var all []stationJSON
	s.read(func(o *org) {
		for k := range o.stations {
			st := &o.stations[k]
			if (name != "" && !strings.EqualFold(st.name, name)) || (len(ids) > 0 && !slices.Contains(ids, st.id)) {
				continue
			}
			j := o.stationJSON(int32(k))
			if (webRtc != "" && j.WebRtcUserID != webRtc) || (line != "" && j.LineAppearanceID != line) {
				continue
			}
			all = append(all, j)
		}
	})
	slices.SortFunc(all, func(a, b stationJSON) int { return cmpNameID(a.Name, a.ID, b.Name, b.ID) })
	wire.WriteJSON(w, http.StatusOK, pageOf(p, all))
}

// getUserStation serves GET /api/v2/users/{userId}/station: the user's
// UserStations.
func (s *Server) getUserStation(w http.ResponseWriter, r *http.Request) {
	var out userStationsJSON
	if !s.readUser(w, r, func(o *org, u *user) { out = o.userStations(u) }) {
		return
	}
	wire.WriteJSON(w, http.StatusOK, out)
}

// putUserDefaultStation serves
// PUT /api/v2/users/{userId}/station/defaultstation/{stationId}: the
// station becomes the user's default (replacing the one it had). An unknown
// station answers 404; a station that is another user's default 409
// general.conflict (the emulator never takes a station from someone). 204.
func (s *Server) putUserDefaultStation(w http.ResponseWriter, r *http.Request) {
	sid := r.PathValue("stationId")
	if !s.changeUser(w, r.PathValue("userId"), func(o *org, i int32) *apiError {
		st, ok := o.stationID[sid]
		if !ok {
			return notFound("The station %s was not found", sid)
		}
		if h := o.stations[st].defaultUser; h != 0 && h != i+1 {
			fail := conflict("The station %s is the default station of user %s", sid, o.users[h-1].id)
			fail.entityID = o.users[h-1].id
			return fail
		}
		o.setDefaultStation(i, st)
		return nil
	}) {
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

// deleteUserDefaultStation serves DELETE
// /api/v2/users/{userId}/station/defaultstation: 204, also when the user has
// none (a retried release succeeds).
func (s *Server) deleteUserDefaultStation(w http.ResponseWriter, r *http.Request) {
	s.clearUser(w, r, (*org).clearDefaultStation)
}

// clearUser applies clear to the user of the path's {userId}: 204, 404 for
// an unknown or deleted user.
func (s *Server) clearUser(w http.ResponseWriter, r *http.Request, clear func(o *org, i int32)) {
	if !s.changeUser(w, r.PathValue("userId"), func(o *org, i int32) *apiError {
		clear(o, i)
		return nil
	}) {
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

// deleteUserAssociatedStation serves DELETE
// /api/v2/users/{userId}/station/associatedstation: 204, also when the user
// has none.
func (s *Server) deleteUserAssociatedStation(w http.ResponseWriter, r *http.Request) {
	s.clearUser(w, r, (*org).clearAssociatedStation)
}

// getUserVerifiers serves GET /api/v2/users/{userId}/verifiers: every MFA
// verifier of the user in one VerifierEntityListing (entities, total,
// selfUri: the listing has no pages).
func (s *Server) getUserVerifiers(w http.ResponseWriter, r *http.Request) {
	out := verifierListing{Entities: []verifierJSON{}, SelfURI: r.URL.Path}
	if !s.readUser(w, r, func(o *org, u *user) {
		for _, v := range u.verifiers {
			out.Entities = append(out.Entities, verifierJSON{ID: v.id, Name: v.name, Enabled: true, Default: v.def,
				SelfURI: "/api/v2/users/" + u.id + "/verifiers/" + v.id})
		}
	}) {
		return
	}
	out.Total = len(out.Entities)
	wire.WriteJSON(w, http.StatusOK, out)
}

// deleteUserVerifier serves DELETE
// /api/v2/users/{userId}/verifiers/{verifierId}: one verifier removed, 204;
// a verifier the user does not have answers 404.
func (s *Server) deleteUserVerifier(w http.ResponseWriter, r *http.Request) {
	vid := r.PathValue("verifierId")
	if !s.changeUser(w, r.PathValue("userId"), func(o *org, i int32) *apiError {
		u := &o.users[i]
		k := slices.IndexFunc(u.verifiers, func(v verifier) bool { return v.id == vid })
		if k < 0 {
			return notFound("The verifier %s of user %s was not found", vid, u.id)
		}
		u.verifiers = slices.Delete(slices.Clone(u.verifiers), k, k+1)
		return nil
	}) {
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

// getUserUtilization serves GET /api/v2/routing/users/{userId}/utilization:
// every media type, the user's own settings where it has them (level
// Agent), else the org's (level Organization).
func (s *Server) getUserUtilization(w http.ResponseWriter, r *http.Request) {
	var out agentUtilization
	if !s.readUser(w, r, func(_ *org, u *user) { out = utilizationOf(u) }) {
		return
	}
	wire.WriteJSON(w, http.StatusOK, out)
}

// putUserUtilization serves PUT /api/v2/routing/users/{userId}/utilization:
// the user's own settings become exactly the media types of the body
// ("include only those media types requiring custom configuration"), each
// with a maximumCapacity of 0 to 25 and known interrupting types;
// labelUtilizations are not emulated (400). The answer is the utilization
// as GET reads it.
func (s *Server) putUserUtilization(w http.ResponseWriter, r *http.Request) {
	var body utilizationRequest
	if !wire.DecodeBody(w, r, &body) {
		return
	}
	if len(body.LabelUtilizations) > 0 {
		wire.BadRequest(w, "labelUtilizations are not supported by the emulator")
		return
	}
	ut, fail := parseUtilization(body.Utilization)
	if fail != nil {
		fail.write(w)
		return
	}
	var out agentUtilization
	if !s.changeUser(w, r.PathValue("userId"), func(o *org, i int32) *apiError {
		o.users[i].utilization = ut
		out = utilizationOf(&o.users[i])
		return nil
	}) {
		return
	}
	wire.WriteJSON(w, http.StatusOK, out)
}

// deleteUserUtilization serves DELETE
// /api/v2/routing/users/{userId}/utilization: the user follows the org's
// settings again; 204, also when it already did.
func (s *Server) deleteUserUtilization(w http.ResponseWriter, r *http.Request) {
	s.clearUser(w, r, func(o *org, i int32) { o.users[i].utilization = nil })
}

// getUserProfileSkills serves GET /api/v2/users/{userId}/profileskills: a
// JSON list of the user's profile skills.
func (s *Server) getUserProfileSkills(w http.ResponseWriter, r *http.Request) {
	out := []string{}
	if !s.readUser(w, r, func(_ *org, u *user) { out = append(out, u.profileSkills...) }) {
		return
	}
	wire.WriteJSON(w, http.StatusOK, out)
}

// putUserProfileSkills serves PUT /api/v2/users/{userId}/profileskills: the
// body (a JSON list of names; null answers 400, [] clears) replaces the
// user's profile skills; names are trimmed, an empty one answers 400,
// repeats (case-insensitive) count once. The answer is the list. The
// user's version is not bumped.
func (s *Server) putUserProfileSkills(w http.ResponseWriter, r *http.Request) {
	var body []string
	if !wire.DecodeBody(w, r, &body) {
		return
	}
	if body == nil {
		wire.BadRequest(w, "The request body must be a list of profile skills")
		return
	}
	skills, fail := normalizeProfileSkills(body)
	if fail != nil {
		fail.write(w)
		return
	}
	if !s.changeUser(w, r.PathValue("userId"), func(o *org, i int32) *apiError {
		o.users[i].profileSkills = skills
		return nil
	}) {
		return
	}
	wire.WriteJSON(w, http.StatusOK, skills)
}

// postUserInvite serves POST /api/v2/users/{userId}/invite: the activation
// email, sent now (dateWelcomeSent). An inactive user becomes active, as
// Genesys Cloud does when an invitation is sent to a user set inactive
// (which bumps the version). Without force=true, a user whose invitation is
// still outstanding (sent, and the user never logged in) is not sent
// another: 204 and nothing changes. 204.
func (s *Server) postUserInvite(w http.ResponseWriter, r *http.Request) {
	force, ok := parseBool(w, r.URL.Query(), "force", false)
	if !ok {
		return
	}
	now := s.cfg.Now().UTC().Format(time.RFC3339)
	if !s.changeUser(w, r.PathValue("userId"), func(o *org, i int32) *apiError {
		u := &o.users[i]
		if u.welcomeSent != "" && u.lastLogin == "" && !force {
			return nil
		}
		if u.state == stInactive {
			o.setState(i, stActive)
			u.version++
		}
		u.welcomeSent = now
		return nil
	}) {
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

// readUser runs f under the read lock for the live user of the path's
// {userId}, answering 404 for an unknown or deleted one; it reports
// whether it found the user.
func (s *Server) readUser(w http.ResponseWriter, r *http.Request, f func(o *org, u *user)) bool {
	id := r.PathValue("userId")
	found := false
	s.read(func(o *org) {
		i, ok := o.byID[id]
		if !ok || o.users[i].state == stDeleted {
			return
		}
		found = true
		f(o, &o.users[i])
	})
	if !found {
		wire.NotFound(w, "The user %s was not found", id)
	}
	return found
}

// lastAssociatedStation is the station (index+1) the user was last
// associated with: the one associated now, else the default station when
// the user ever logged in (desk phones are where agents log in), else none.
func lastAssociatedStation(u *user) int32 {
	switch {
	case u.associatedStation != 0:
		return u.associatedStation
	case u.lastLogin != "":
		return u.defaultStation
	}
	return 0
}
