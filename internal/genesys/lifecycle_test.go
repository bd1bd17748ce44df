package genesys_test

import (
	"context"
	"errors"
	"slices"
	"testing"

	"github.com/usersync/syncer/internal/emulator"
	"github.com/usersync/syncer/internal/genesys"
)

func TestLifecycleEndpointsAgainstEmulator(t *testing.T) {
	t.Parallel()
	e := newEmu(t, emulator.Config{Users: 300, Seed: 8})
	c := e.client(t)
	ctx := context.Background()
	var holder, free emulator.UserView
	for _, u := range e.Users() {
		switch {
		case u.State != "active":
		case holder.ID == "" && u.DefaultStationID != "" && u.AssociatedStationID != "" && len(u.Verifiers) > 0:
			holder = u
		case free.ID == "" && u.DefaultStationID == "" && u.DateWelcomeSent == "":
			free = u
		}
	}
	if holder.ID == "" || free.ID == "" {
		t.Fatal("no suitable users")
	}

	// Stations: every one, over pages of 100.
	var stations []genesys.Station
	for s, err := range c.Stations(ctx, nil) {
		if err != nil {
			t.Fatal(err)
		}
		stations = append(stations, s)
	}
	if len(stations) != len(e.Stations()) || len(stations) <= genesys.MaxStationsPageSize {
		t.Fatalf("%d stations read, the org has %d", len(stations), len(e.Stations()))
	}
	// The station expand names the user's stations.
	u, err := c.GetUser(ctx, holder.ID, &genesys.GetUserOptions{Expand: []string{"station", "profileSkills", "dateWelcomeSent", "dateLastLogin"}})
	if err != nil || u.Station == nil || u.Station.DefaultStation == nil || u.Station.DefaultStation.ID != holder.DefaultStationID ||
		u.Station.AssociatedStation == nil || u.Station.AssociatedStation.ID != holder.AssociatedStationID || u.DateWelcomeSent != holder.DateWelcomeSent {
		t.Fatalf("user with expands: %+v, %v", u.Station, err)
	}
	if st, err := c.UserStation(ctx, holder.ID); err != nil || st.DefaultStation == nil || st.DefaultStation.ID != holder.DefaultStationID {
		t.Fatalf("the user's station: %+v, %v", st, err)
	}
	// A held station: 409; released, it can be given.
	if err := c.SetDefaultStation(ctx, free.ID, holder.DefaultStationID); !errors.Is(err, genesys.ErrConflict) {
		t.Fatalf("a held station: %v", err)
	}
	if err := c.ClearDefaultStation(ctx, holder.ID); err != nil {
		t.Fatal(err)
	}
	if err := c.ClearAssociatedStation(ctx, holder.ID); err != nil {
		t.Fatal(err)
	}
	if err := c.SetDefaultStation(ctx, free.ID, holder.DefaultStationID); err != nil {
		t.Fatal(err)
	}
	if v := e.user(t, free.ID); v.DefaultStationID != holder.DefaultStationID {
		t.Errorf("default station %q", v.DefaultStationID)
	}

	// Verifiers: listed, deleted one by one.
	vs, err := c.UserVerifiers(ctx, holder.ID)
	if err != nil || len(vs) != len(holder.Verifiers) {
		t.Fatalf("verifiers: %v, %v", vs, err)
	}
	for _, v := range vs {
		if err := c.DeleteVerifier(ctx, holder.ID, v.ID); err != nil {
			t.Fatal(err)
		}
	}
	if err := c.DeleteVerifier(ctx, holder.ID, vs[0].ID); !errors.Is(err, genesys.ErrNotFound) {
		t.Errorf("a verifier deleted twice: %v", err)
	}
	if v := e.user(t, holder.ID); len(v.Verifiers) != 0 {
		t.Errorf("%d verifiers left", len(v.Verifiers))
	}

	// Utilization: the user's own, then the org's again.
	set, err := c.SetUserUtilization(ctx, free.ID, genesys.UtilizationRequest{Utilization: map[string]genesys.MediaUtilization{
		"call": {MaximumCapacity: 1}, "chat": {MaximumCapacity: 0, InterruptableMediaTypes: []string{"call"}}}})
	if err != nil || set.Level != genesys.LevelAgent || set.Utilization["chat"].MaximumCapacity != 0 {
		t.Fatalf("set utilization: %+v, %v", set, err)
	}
	if _, err := c.SetUserUtilization(ctx, free.ID, genesys.UtilizationRequest{Utilization: map[string]genesys.MediaUtilization{"fax": {MaximumCapacity: 1}}}); !errors.Is(err, genesys.ErrBadRequest) {
		t.Errorf("an unknown media type: %v", err)
	}
	if err := c.ResetUserUtilization(ctx, free.ID); err != nil {
		t.Fatal(err)
	}
	if got, err := c.UserUtilization(ctx, free.ID); err != nil || got.Level != genesys.LevelOrganization {
		t.Errorf("after the reset: %+v, %v", got, err)
	}

	// Profile skills and the invite.
	if got, err := c.SetProfileSkills(ctx, free.ID, []string{"Excel", "Coaching"}); err != nil || !slices.Equal(got, []string{"Excel", "Coaching"}) {
		t.Fatalf("profile skills: %v, %v", got, err)
	}
	if got, err := c.SetProfileSkills(ctx, free.ID, nil); err != nil || len(got) != 0 {
		t.Fatalf("clear profile skills: %v, %v", got, err)
	}
	if err := c.SendInvite(ctx, free.ID, false); err != nil {
		t.Fatal(err)
	}
	if v := e.user(t, free.ID); v.DateWelcomeSent == "" {
		t.Error("no welcome sent")
	}

	// A missing permission names it.
	if err := e.DenyPermissions("mfa:verifier:view"); err != nil {
		t.Fatal(err)
	}
	_, err = c.UserVerifiers(ctx, free.ID)
	var ae *genesys.APIError
	if !errors.Is(err, genesys.ErrForbidden) || !errors.As(err, &ae) {
		t.Fatalf("denied: %v", err)
	}
	if perms, _ := ae.MissingPermissions(); !slices.Equal(perms, []string{"mfa:verifier:view"}) {
		t.Errorf("missing permissions %v", perms)
	}
}
