package genesys

import (
	"context"
	"fmt"
	"iter"
	"net/url"
	"strings"
	"time"
)

// The joiner and leaver endpoints: stations, MFA verifiers, utilization,
// profile skills and the activation invite (shared/reference/UsersApi.md).

// Station is one of the org's stations (GET /api/v2/stations). UserID is
// the user associated with (logged in to) it; WebRtcUserID the user a
// WebRTC phone's station is configured for.
type Station struct {
	ID               string `json:"id,omitempty"`
	Name             string `json:"name,omitempty"`
	Description      string `json:"description,omitempty"`
	Status           string `json:"status,omitempty"`
	UserID           string `json:"userId,omitempty"`
	WebRtcUserID     string `json:"webRtcUserId,omitempty"`
	Type             string `json:"type,omitempty"`
	LineAppearanceID string `json:"lineAppearanceId,omitempty"`
	SelfURI          string `json:"selfUri,omitempty"`
}

// UserStation is a station as a user's UserStations names it.
type UserStation struct {
	ID             string   `json:"id,omitempty"`
	Name           string   `json:"name,omitempty"`
	Type           string   `json:"type,omitempty"`
	AssociatedUser *UserRef `json:"associatedUser,omitempty"`
	// AssociatedDate is when the user was associated with the station
	// (associatedStation only).
	AssociatedDate time.Time `json:"associatedDate,omitzero"`
	DefaultUser    *UserRef  `json:"defaultUser,omitempty"`
}

// UserStations is a user's stations (the station expand, GET
// /api/v2/users/{userId}/station).
type UserStations struct {
	AssociatedStation     *UserStation `json:"associatedStation,omitempty"`
	EffectiveStation      *UserStation `json:"effectiveStation,omitempty"`
	DefaultStation        *UserStation `json:"defaultStation,omitempty"`
	LastAssociatedStation *UserStation `json:"lastAssociatedStation,omitempty"`
}

// Verifier is one MFA verifier of a user.
type Verifier struct {
	ID      string `json:"id,omitempty"`
	Name    string `json:"name,omitempty"`
	Enabled bool   `json:"enabled,omitempty"`
	Default bool   `json:"default,omitempty"`
	SelfURI string `json:"selfUri,omitempty"`
}

// VerifierEntityListing is a user's verifiers: one answer, no pages.
type VerifierEntityListing struct {
	Total    int        `json:"total,omitempty"`
	Entities []Verifier `json:"entities"`
	SelfURI  string     `json:"selfUri,omitempty"`
}

// MediaUtilization is one media type's utilization.
type MediaUtilization struct {
	MaximumCapacity         int      `json:"maximumCapacity"`
	InterruptableMediaTypes []string `json:"interruptableMediaTypes"`
	IncludeNonAcd           bool     `json:"includeNonAcd"`
}

// UtilizationRequest is the body of PUT /api/v2/routing/users/{userId}/
// utilization: the media types that need their own settings.
type UtilizationRequest struct {
	Utilization map[string]MediaUtilization `json:"utilization"`
}

// AgentMaxUtilizationResponse is a user's utilization; Level is "Agent"
// when the user has settings of its own, "Organization" otherwise.
type AgentMaxUtilizationResponse struct {
	Utilization map[string]MediaUtilization `json:"utilization,omitempty"`
	Level       string                      `json:"level,omitempty"`
}

// Utilization levels.
const (
	LevelAgent        = "Agent"
	LevelOrganization = "Organization"
)

const pathStations = "/api/v2/stations"

// MaxStationsPageSize is the page size syncer reads GET /api/v2/stations
// with (the default is 25; no maximum is documented).
const MaxStationsPageSize = 100

// ListStations gets one page of GET /api/v2/stations.
func (c *Client) ListStations(ctx context.Context, opts *ListOptions) (*Listing[Station], error) {
	var o ListOptions
	if opts != nil {
		o = *opts
	}
	cl := newCall("GET", pathStations)
	cl.query = o.values(MaxStationsPageSize)
	var l Listing[Station]
	if err := c.do(ctx, cl, &l); err != nil {
		return nil, err
	}
	return &l, nil
}

// MaxStationIDs is the most station ids ListStationsByID asks for in one
// call: a page of them.
const MaxStationIDs = MaxStationsPageSize

// ListStationsByID gets the stations of ids (at most MaxStationIDs) in one
// call: GET /api/v2/stations?id=… (a comma-separated list), the way past
// the listing's paging cap. Ids that name no station are left out.
func (c *Client) ListStationsByID(ctx context.Context, ids []string) ([]Station, error) {
	if len(ids) == 0 {
		return nil, nil
	}
	if len(ids) > MaxStationIDs {
		return nil, fmt.Errorf("genesys: GET %s: %d station ids, at most %d a call: %w", pathStations, len(ids), MaxStationIDs, ErrOverLimit)
	}
	cl := newCall("GET", pathStations)
	cl.query = ListOptions{PageSize: len(ids)}.values(MaxStationsPageSize)
	cl.query.Set("id", strings.Join(ids, ","))
	var l Listing[Station]
	if err := c.do(ctx, cl, &l); err != nil {
		return nil, err
	}
	return l.Entities, nil
}

// StationPages iterates the pages of the org's stations.
func (c *Client) StationPages(ctx context.Context, opts *ListOptions) iter.Seq2[*Listing[Station], error] {
	var o ListOptions
	if opts != nil {
		o = *opts
	}
	return pages(ctx, pathStations, o, MaxStationsPageSize, func(ctx context.Context, lo ListOptions) (*Listing[Station], error) {
		return c.ListStations(ctx, &lo)
	})
}

// Stations iterates the org's stations.
func (c *Client) Stations(ctx context.Context, opts *ListOptions) iter.Seq2[Station, error] {
	return items(c.StationPages(ctx, opts), listingEntities[Station])
}

// SetDefaultStation makes a station the user's default station:
// PUT /api/v2/users/{userId}/station/defaultstation/{stationId}.
func (c *Client) SetDefaultStation(ctx context.Context, userID, stationID string) error {
	return c.do(ctx, newCall("PUT", "/api/v2/users/{userId}/station/defaultstation/{stationId}", userID, stationID), nil)
}

// ClearDefaultStation releases the user's default station:
// DELETE /api/v2/users/{userId}/station/defaultstation.
func (c *Client) ClearDefaultStation(ctx context.Context, userID string) error {
	return c.do(ctx, newCall("DELETE", "/api/v2/users/{userId}/station/defaultstation", userID), nil)
}

// ClearAssociatedStation releases the station the user is associated with:
// DELETE /api/v2/users/{userId}/station/associatedstation.
func (c *Client) ClearAssociatedStation(ctx context.Context, userID string) error {
	return c.do(ctx, newCall("DELETE", "/api/v2/users/{userId}/station/associatedstation", userID), nil)
}

// UserVerifiers lists the user's MFA verifiers (one call, no pages):
// GET /api/v2/users/{userId}/verifiers.
func (c *Client) UserVerifiers(ctx context.Context, userID string) ([]Verifier, error) {
	var l VerifierEntityListing
	if err := c.do(ctx, newCall("GET", "/api/v2/users/{userId}/verifiers", userID), &l); err != nil {
		return nil, err
	}
	return l.Entities, nil
}

// DeleteVerifier removes one MFA verifier of the user:
// DELETE /api/v2/users/{userId}/verifiers/{verifierId}.
func (c *Client) DeleteVerifier(ctx context.Context, userID, verifierID string) error {
	return c.do(ctx, newCall("DELETE", "/api/v2/users/{userId}/verifiers/{verifierId}", userID, verifierID), nil)
}

// UserUtilization reads the user's utilization (the org's when it has none
// of its own): GET /api/v2/routing/users/{userId}/utilization.
func (c *Client) UserUtilization(ctx context.Context, userID string) (AgentMaxUtilizationResponse, error) {
	var u AgentMaxUtilizationResponse
	err := c.do(ctx, newCall("GET", "/api/v2/routing/users/{userId}/utilization", userID), &u)
	return u, err
}

// SetUserUtilization gives the user utilization settings of its own, for
// the media types of req: PUT /api/v2/routing/users/{userId}/utilization.
func (c *Client) SetUserUtilization(ctx context.Context, userID string, req UtilizationRequest) (AgentMaxUtilizationResponse, error) {
	cl := newCall("PUT", "/api/v2/routing/users/{userId}/utilization", userID)
	cl.body = req
	var u AgentMaxUtilizationResponse
	err := c.do(ctx, cl, &u)
	return u, err
}

// ResetUserUtilization reverts the user to the org's utilization:
// DELETE /api/v2/routing/users/{userId}/utilization.
func (c *Client) ResetUserUtilization(ctx context.Context, userID string) error {
	return c.do(ctx, newCall("DELETE", "/api/v2/routing/users/{userId}/utilization", userID), nil)
}

// SetProfileSkills replaces the user's profile skills (an empty list
// clears them): PUT /api/v2/users/{userId}/profileskills.
func (c *Client) SetProfileSkills(ctx context.Context, userID string, skills []string) ([]string, error) {
	cl := newCall("PUT", "/api/v2/users/{userId}/profileskills", userID)
	cl.body = nonNil(skills)
	var out []string
	err := c.do(ctx, cl, &out)
	return out, err
}

// SendInvite sends the user the activation email; force resends it when
// one is outstanding: POST /api/v2/users/{userId}/invite. Genesys Cloud
// makes an inactive user active when it sends the invitation.
func (c *Client) SendInvite(ctx context.Context, userID string, force bool) error {
	cl := newCall("POST", "/api/v2/users/{userId}/invite", userID)
	if force {
		cl.query = url.Values{"force": {"true"}}
	}
	return c.do(ctx, cl, nil)
}

// UserStation reads the user's stations: GET /api/v2/users/{userId}/station.
func (c *Client) UserStation(ctx context.Context, userID string) (UserStations, error) {
	var s UserStations
	err := c.do(ctx, newCall("GET", "/api/v2/users/{userId}/station", userID), &s)
	return s, err
}
