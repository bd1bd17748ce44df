package genesys_test

import (
	"context"
	"slices"
	"testing"

	"github.com/usersync/syncer/internal/emulator"
	"github.com/usersync/syncer/internal/genesys"
)

// TestPhoneParts: every shape in which the API answers a phone reads as
// its number and extension.
func TestPhoneParts(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		name     string
		c        genesys.Contact
		num, ext string
	}{
		{"number", genesys.Contact{Address: "+13175550101", Display: "+1 317-555-0101"}, "+13175550101", ""},
		{"number as tel: URI", genesys.Contact{Address: "tel:+1 (317) 555-0101"}, "+13175550101", ""},
		{"pool extension", genesys.Contact{Extension: "4410", Display: "4410"}, "", "4410"},
		{"pool extension with a derived address", genesys.Contact{Address: "+13175554410", Extension: "4410", Display: "(4410)"}, "", "4410"},
		{"number and extension", genesys.Contact{Address: "+13175550101", Extension: "101", Display: "+13175550101"}, "+13175550101", "101"},
		{"number in display only", genesys.Contact{Extension: "101", Display: "(317) 555-0101"}, "3175550101", "101"},
		{"unpooled extension in display", genesys.Contact{Display: "(4410)"}, "", "4410"},
		{"nothing", genesys.Contact{}, "", ""},
	} {
		num, ext := tt.c.PhoneParts()
		if num != tt.num || ext != tt.ext {
			t.Errorf("%s: PhoneParts = %q, %q; want %q, %q", tt.name, num, ext, tt.num, tt.ext)
		}
	}
}

// TestLocationsAndAddressesRoundTrip: the locations listing pages through
// every location; a PATCH of addresses and locations reads back as sent.
func TestLocationsAndAddressesRoundTrip(t *testing.T) {
	t.Parallel()
	e := newEmu(t, emulator.Config{Users: 12000, Seed: 4})
	c := e.client(t)
	ctx := context.Background()
	var names []string
	for l, err := range c.Locations(ctx, &genesys.ListOptions{PageSize: 5}) {
		if err != nil {
			t.Fatal(err)
		}
		names = append(names, l.Name)
	}
	if len(names) != len(e.Locations()) || !slices.IsSorted(names) {
		t.Fatalf("locations %v", names)
	}
	if st := c.Stats(); st.Endpoint("GET /api/v2/locations") != 3 {
		t.Errorf("%d listing calls for 12 locations at 5 a page", st.Endpoint("GET /api/v2/locations"))
	}
	// Without options: the largest page, 100 (docs/feeds.md: one call per
	// 100 locations).
	if l, err := c.ListLocations(ctx, nil); err != nil || l.PageSize != genesys.MaxLocationsPageSize || genesys.MaxLocationsPageSize != 100 || len(l.Entities) != 12 {
		t.Errorf("ListLocations(nil): %+v, %v", l, err)
	}

	var u emulator.UserView
	for _, v := range e.Users() {
		if v.State == emulator.StateActive {
			u = v
			break
		}
	}
	loc := e.Locations()[2]
	got, err := c.UpdateUser(ctx, u.ID, genesys.UpdateUser{Version: u.Version,
		Addresses: []genesys.Contact{{MediaType: genesys.MediaPhone, Type: genesys.ContactWork, Extension: "4410"}},
		Locations: []genesys.LocationRef{{ID: loc.ID}}})
	if err != nil {
		t.Fatal(err)
	}
	if len(got.Addresses) != 1 {
		t.Fatalf("addresses %+v", got.Addresses)
	}
	if num, ext := got.Addresses[0].PhoneParts(); num != "" || ext != "4410" {
		t.Errorf("read back %q, %q", num, ext)
	}
	back, err := c.GetUser(ctx, u.ID, &genesys.GetUserOptions{Expand: []string{"locations"}})
	if err != nil {
		t.Fatal(err)
	}
	if len(back.Locations) != 1 || back.Locations[0].LocationDefinition == nil || back.Locations[0].LocationDefinition.ID != loc.ID {
		t.Errorf("locations %+v", back.Locations)
	}
	// An empty list removes every phone: the body holds addresses: [].
	if got, err = c.UpdateUser(ctx, u.ID, genesys.UpdateUser{Version: back.Version, Addresses: []genesys.Contact{}}); err != nil || len(got.Addresses) != 0 {
		t.Errorf("addresses [] left %+v (%v)", got.Addresses, err)
	}
}
