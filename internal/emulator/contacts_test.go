package emulator

import (
	"fmt"
	"slices"
	"testing"
)

// wireContact is a Contact as a client decodes it.
type wireContact struct {
	Address   string `json:"address"`
	Display   string `json:"display"`
	MediaType string `json:"mediaType"`
	Type      string `json:"type"`
	Extension string `json:"extension"`
}

// TestGeneratedAddresses: generated users have work phones (some with an
// extension, some an extension only) and mobiles, rendered as the API
// does: a number in address and display, an extension in extension (and
// display when alone).
func TestGeneratedAddresses(t *testing.T) {
	t.Parallel()
	e := newEnv(t, Config{Users: 60, Seed: 3})
	var withExt, extOnly, mobile int
	for _, v := range e.s.Users() {
		var got struct {
			Addresses []wireContact `json:"addresses"`
		}
		path := "/api/v2/users/" + v.ID
		if v.State == StateDeleted {
			path += "?state=deleted"
		}
		e.get(path, 200, &got)
		if len(got.Addresses) != len(v.Addresses) {
			t.Fatalf("user %s: %d addresses rendered, %d held", v.ID, len(got.Addresses), len(v.Addresses))
		}
		for k, c := range got.Addresses {
			h := v.Addresses[k]
			display := h.Address
			if display == "" {
				display = h.Extension
			}
			if c.MediaType != h.MediaType || c.Type != h.Type || c.Address != h.Address || c.Extension != h.Extension || c.Display != display {
				t.Errorf("user %s address %d: %+v, held %+v", v.ID, k, c, h)
			}
			switch {
			case h.Type == "MOBILE":
				mobile++
			case h.Address == "":
				extOnly++
			case h.Extension != "":
				withExt++
			}
		}
	}
	if withExt == 0 || extOnly == 0 || mobile == 0 {
		t.Errorf("generated %d phones with extension, %d extension only, %d mobiles: want some of each", withExt, extOnly, mobile)
	}
}

// TestPatchAddressesAndLocations: a PATCH with addresses replaces the
// user's phones and keeps its other emails unless it sends some; with
// locations it replaces them. Invalid contacts and unknown locations answer
// 400 and change nothing.
func TestPatchAddressesAndLocations(t *testing.T) {
	t.Parallel()
	e := newWriteEnv(t, Config{Users: 100, Seed: 5})
	u := e.pickUser(func(v UserView) bool { return v.State == StateActive && len(v.Addresses) == 2 })
	path := "/api/v2/users/" + u.ID
	locs := e.s.Locations()

	// An email kept by a PATCH that sends none.
	e.s.write(func(o *org) {
		i := o.byID[u.ID]
		o.users[i].addresses = append(o.users[i].addresses, contact{mediaType: "EMAIL", typ: "HOME", address: "home@example.org"})
	})
	v := e.view(u.ID)
	e.want("PATCH", path, map[string]any{"version": v.Version, "addresses": []map[string]any{
		{"mediaType": "PHONE", "type": "WORK", "address": "+13175550199", "extension": "199"},
	}, "locations": []map[string]any{{"id": locs[1].ID}}}, 200)
	got := e.view(u.ID)
	wantAddr := []ContactView{{MediaType: "PHONE", Type: "WORK", Address: "+13175550199", Extension: "199"}, {MediaType: "EMAIL", Type: "HOME", Address: "home@example.org"}}
	if fmt.Sprint(got.Addresses) != fmt.Sprint(wantAddr) || !slices.Equal(got.LocationIDs, []string{locs[1].ID}) || got.Version != v.Version+1 {
		t.Fatalf("after PATCH: addresses %+v, locations %v, version %d", got.Addresses, got.LocationIDs, got.Version)
	}
	// An extension alone is a phone; [] removes every phone.
	e.want("PATCH", path, map[string]any{"version": got.Version, "addresses": []map[string]any{{"mediaType": "PHONE", "type": "WORK", "extension": "4410"}}}, 200)
	if a := e.view(u.ID).Addresses; len(a) != 2 || a[0].Address != "" || a[0].Extension != "4410" {
		t.Fatalf("extension only: %+v", a)
	}
	var answer struct {
		Addresses []wireContact `json:"addresses"`
	}
	e.want("PATCH", path, map[string]any{"version": got.Version + 1, "addresses": []any{}}, 200).decode(t, &answer)
	if len(answer.Addresses) != 1 || answer.Addresses[0].MediaType != "EMAIL" {
		t.Fatalf("addresses [] left %+v, want the email only", answer.Addresses)
	}

	cur := e.view(u.ID)
	for _, tt := range []struct {
		name string
		body map[string]any
	}{
		{"national number", map[string]any{"addresses": []map[string]any{{"mediaType": "PHONE", "type": "WORK", "address": "317-555-0101"}}}},
		{"neither number nor extension", map[string]any{"addresses": []map[string]any{{"mediaType": "PHONE", "type": "WORK"}}}},
		{"letters in the extension", map[string]any{"addresses": []map[string]any{{"mediaType": "PHONE", "type": "WORK", "extension": "12a"}}}},
		{"two work phones", map[string]any{"addresses": []map[string]any{{"mediaType": "PHONE", "type": "WORK", "extension": "1"}, {"mediaType": "PHONE", "type": "WORK", "extension": "2"}}}},
		{"unknown type", map[string]any{"addresses": []map[string]any{{"mediaType": "PHONE", "type": "DESK", "extension": "1"}}}},
		{"unknown media type", map[string]any{"addresses": []map[string]any{{"mediaType": "FAX", "type": "WORK", "address": "+13175550101"}}}},
		{"unknown location", map[string]any{"locations": []map[string]any{{"id": "no-such-location"}}}},
		{"location twice", map[string]any{"locations": []map[string]any{{"id": locs[0].ID}, {"id": locs[0].ID}}}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			tt.body["version"] = cur.Version
			e.wantError("PATCH", path, tt.body, 400, "bad.request")
		})
	}
	if now := e.view(u.ID); !equalUserViews(now, cur) {
		t.Fatalf("refused PATCHes changed the user:\n%+v\n%+v", now, cur)
	}

	// A new user takes its phones in the create.
	var created wireUser
	e.want("POST", "/api/v2/users", map[string]any{"name": "N", "email": "new.phone@example.org",
		"addresses": []map[string]any{{"mediaType": "PHONE", "type": "WORK", "address": "+353 1 555 0100"}}}, 400)
	e.want("POST", "/api/v2/users", map[string]any{"name": "N", "email": "new.phone@example.org",
		"addresses": []map[string]any{{"mediaType": "PHONE", "type": "WORK", "address": "+35315550100", "extension": "7"}}}, 200).decode(t, &created)
	if a := e.view(created.ID).Addresses; len(a) != 1 || a[0].Address != "+35315550100" || a[0].Extension != "7" {
		t.Fatalf("created with %+v", a)
	}
	e.checkOrg()
}

// TestLocationsListing: GET /api/v2/locations pages the org's locations by
// name (25 a page by default, at most 100), filters by id and sorts either
// way; it needs no permission.
func TestLocationsListing(t *testing.T) {
	t.Parallel()
	e := newEnv(t, Config{Users: 12000, Seed: 9}) // 12 locations
	all := e.s.Locations()
	if len(all) != 12 {
		t.Fatalf("%d locations generated", len(all))
	}
	type listing struct {
		Entities []struct {
			ID, Name, State, SelfURI string
		} `json:"entities"`
		PageSize, PageNumber, Total, PageCount int
		NextURI                                string `json:"nextUri"`
	}
	var names []string
	for page := 1; ; page++ {
		var l listing
		e.get(fmt.Sprintf("/api/v2/locations?pageSize=5&pageNumber=%d", page), 200, &l)
		if l.Total != 12 || l.PageCount != 3 || l.PageSize != 5 {
			t.Fatalf("page %d: %+v", page, l)
		}
		for _, x := range l.Entities {
			names = append(names, x.Name)
			if x.SelfURI != "/api/v2/locations/"+x.ID || x.State != "active" {
				t.Errorf("entity %+v", x)
			}
		}
		if l.NextURI == "" {
			break
		}
	}
	if !slices.IsSorted(names) || len(names) != 12 {
		t.Errorf("names %v", names)
	}
	var l listing
	e.get("/api/v2/locations", 200, &l)
	if l.PageSize != 25 || len(l.Entities) != 12 {
		t.Errorf("default page: %+v", l)
	}
	e.get("/api/v2/locations?sortOrder=desc&id="+all[0].ID+","+all[1].ID, 200, &l)
	if len(l.Entities) != 2 || l.Entities[0].Name < l.Entities[1].Name {
		t.Errorf("id filter, desc: %+v", l.Entities)
	}
	e.want("GET", "/api/v2/locations?pageSize=101", nil, 400)
	if perms, _, ok := RoutePermissions("GET /api/v2/locations"); !ok || len(perms) != 0 {
		t.Errorf("permissions %v, %v", perms, ok)
	}
}
