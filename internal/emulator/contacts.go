package emulator

import (
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/usersync/syncer/internal/emulator/wire"
)

// A user's addresses and locations.
//
// addresses is the User model's array of Contact {address, display,
// mediaType, type, extension, countryCode} (genesys-models.md). The rules,
// with how sure they are:
//
//   - PATCH /users/{id} with "addresses" replaces the user's PHONE and SMS
//     contacts with those of the body, and its EMAIL contacts only when the
//     body holds one: a PATCH of "addresses": [] removes every phone and
//     keeps the other emails (seen: the Genesys Terraform provider's
//     DEVTOOLING-1238 investigation, which PATCHed [] and read the EMAIL
//     contact back). Whether EMAIL entries in a body replace or add is
//     unsure; the emulator replaces.
//   - A phone is {address (the number), extension}, either or both: an
//     extension alone is a phone (seen: the provider creates WORK phones
//     with only an extension and reads them back). Read back, a number
//     comes in address and display, an extension in extension and display
//     when there is no number (the provider's four read shapes; the
//     emulator answers the first three).
//   - The number must be E.164 (+ and 7 to 15 digits): the provider
//     validates that before sending and its docs say "must be in an E.164
//     number format"; whether Genesys also takes national numbers is
//     unsure, and the emulator refuses them, so a client that sends them
//     fails a test. An extension is digits (unsure). Media types are
//     PHONE, SMS and EMAIL; phone types WORK, WORK2, WORK3, WORK4, HOME,
//     MOBILE, OTHER and email types WORK, HOME (the provider's enums); two
//     contacts of one media type and type answer 400 (unsure).
//
// locations are the user's site placements: PATCH /users/{id} with
// "locations": [{"id": locationId, "notes"}] replaces them (the provider
// sends the whole set); an id that is not a location of the org answers
// 400. They are read with expand=locations. GET /api/v2/locations lists
// the org's locations, page-numbered (pageSize default 25; 100 works, seen
// in the provider, and the emulator refuses more: unsure), with id filter
// and sortOrder, and needs no permission (SDK documentation).

// contact is one address of a user.
type contact struct {
	mediaType string // PHONE, SMS or EMAIL
	typ       string
	address   string // the number (E.164) or the email address; "" for an extension-only phone
	extension string
}

// contactBody is a Contact in a request body.
type contactBody struct {
	Address     *string `json:"address"`
	Display     *string `json:"display"` // read-only: ignored
	MediaType   *string `json:"mediaType"`
	Type        *string `json:"type"`
	Extension   *string `json:"extension"`
	CountryCode *string `json:"countryCode"` // derived from the number: ignored
	Integration *string `json:"integration"` // ignored
}

// locationBody is a Location in a request body.
type locationBody struct {
	ID    *string `json:"id"`
	Notes *string `json:"notes"`
}

var (
	phoneTypes = []string{"WORK", "WORK2", "WORK3", "WORK4", "HOME", "MOBILE", "OTHER"}
	emailTypes = []string{"WORK", "HOME"}
)

// parseContacts validates the addresses of a body.
func parseContacts(body []contactBody) ([]contact, *apiError) {
	out := make([]contact, 0, len(body))
	for n, c := range body {
		ct := contact{mediaType: deref(c.MediaType), typ: deref(c.Type), address: strings.TrimSpace(deref(c.Address)), extension: strings.TrimSpace(deref(c.Extension))}
		switch ct.mediaType {
		case "PHONE", "SMS":
			if ct.typ == "" {
				ct.typ = "WORK"
			}
			if !slices.Contains(phoneTypes, ct.typ) {
				return nil, badRequest("addresses[%d]: type %q must be one of %s", n, ct.typ, strings.Join(phoneTypes, ", "))
			}
			if ct.address == "" && ct.extension == "" {
				return nil, badRequest("addresses[%d]: a %s address needs a number (address) or an extension", n, ct.mediaType)
			}
			if ct.address != "" && !e164(ct.address) {
				return nil, badRequest("addresses[%d]: %q is not a phone number in E.164 format (+ and 7 to 15 digits)", n, ct.address)
			}
			if ct.extension != "" && !allDigits(ct.extension) {
				return nil, badRequest("addresses[%d]: extension %q must be digits", n, ct.extension)
			}
		case "EMAIL":
			if ct.typ == "" {
				ct.typ = "WORK"
			}
			if !slices.Contains(emailTypes, ct.typ) {
				return nil, badRequest("addresses[%d]: type %q must be one of %s", n, ct.typ, strings.Join(emailTypes, ", "))
			}
			if !validEmail(ct.address) || ct.extension != "" {
				return nil, badRequest("addresses[%d]: %q is not an email address", n, ct.address)
			}
		default:
			return nil, badRequest("addresses[%d]: mediaType %q must be PHONE, SMS or EMAIL", n, ct.mediaType)
		}
		for _, prev := range out {
			if prev.mediaType == ct.mediaType && prev.typ == ct.typ {
				return nil, badRequest("addresses[%d]: the user already has a %s address of type %s in this request", n, ct.mediaType, ct.typ)
			}
		}
		out = append(out, ct)
	}
	return out, nil
}

// replaceContacts is the user's addresses after a PATCH with body: its
// phones are the body's, its emails the body's when it has one, else kept.
func replaceContacts(old, body []contact) []contact {
	emails := slices.ContainsFunc(body, func(c contact) bool { return c.mediaType == "EMAIL" })
	out := slices.Clone(body)
	if !emails {
		for _, c := range old {
			if c.mediaType == "EMAIL" {
				out = append(out, c)
			}
		}
	}
	return out
}

// e164 reports whether s is + and 7 to 15 digits, the first not 0.
func e164(s string) bool {
	d, ok := strings.CutPrefix(s, "+")
	return ok && len(d) >= 7 && len(d) <= 15 && d[0] != '0' && allDigits(d)
}

func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return s != ""
}

// parseLocations resolves the locations of a body against the org.
func (o *org) parseLocations(body []locationBody) ([]int32, *apiError) {
	out := make([]int32, 0, len(body))
	for n, l := range body {
		id := deref(l.ID)
		k, ok := o.locationID[id]
		switch {
		case id == "":
			return nil, badRequest("locations[%d]: id is required", n)
		case !ok:
			return nil, badRequest("locations[%d]: the location %s does not exist", n, id)
		case slices.Contains(out, k):
			return nil, badRequest("locations[%d]: the location %s is listed twice", n, id)
		}
		out = append(out, k)
	}
	return out, nil
}

// appendContacts appends a user's addresses as the API renders them: a
// number in address and display, an extension in extension (and in
// display when there is no number).
func appendContacts(b []byte, cs []contact) []byte {
	b = append(b, '[')
	for k, c := range cs {
		if k > 0 {
			b = append(b, ',')
		}
		b = append(b, '{')
		first := true
		if c.address != "" {
			b = appendField(b, "address", c.address, true)
			first = false
		}
		display := c.address
		if display == "" {
			display = c.extension
		}
		b = appendField(b, "display", display, first)
		b = appendField(b, "mediaType", c.mediaType, false)
		b = appendField(b, "type", c.typ, false)
		if c.extension != "" {
			b = appendField(b, "extension", c.extension, false)
		}
		b = append(b, '}')
	}
	return append(b, ']')
}

// generatedContacts are the addresses of generated user i, drawn from i
// alone (no random draw, so the rest of the org does not move): most have
// a work phone, some with an extension, some an extension only; one in
// five also a mobile.
func generatedContacts(i int) []contact {
	var out []contact
	num := func(prefix string) string { return fmt.Sprintf("+1317%s%04d", prefix, i%10000) }
	switch {
	case i%10 == 7:
		out = append(out, contact{mediaType: "PHONE", typ: "WORK", extension: strconv.Itoa(4000 + i%1000)})
	case i%4 != 3:
		c := contact{mediaType: "PHONE", typ: "WORK", address: num("555")}
		if i%3 == 0 {
			c.extension = strconv.Itoa(1000 + i%9000)
		}
		out = append(out, c)
	}
	if i%5 == 0 {
		out = append(out, contact{mediaType: "PHONE", typ: "MOBILE", address: num("666")})
	}
	return out
}

// locationJSON is a LocationDefinition of GET /api/v2/locations.
type locationJSON struct {
	ID      string               `json:"id"`
	Name    string               `json:"name"`
	Address *locationAddressJSON `json:"address,omitempty"`
	State   string               `json:"state"`
	Version int                  `json:"version"`
	Path    []string             `json:"path"`
	SelfURI string               `json:"selfUri"`
}

// locationAddressJSON is a LocationAddress.
type locationAddressJSON struct {
	Street1     string `json:"street1"`
	City        string `json:"city"`
	State       string `json:"state,omitempty"`
	Zipcode     string `json:"zipcode"`
	Country     string `json:"country"`
	CountryName string `json:"countryName"`
}

// locationAddresses are the addresses of the generated locations, by name
// (a location created under another name has none).
var locationAddresses = map[string]locationAddressJSON{
	"Dublin":       {"1 Grand Canal Square", "Dublin", "", "D02 P820", "IE", "Ireland"},
	"Austin":       {"500 W 2nd St", "Austin", "TX", "78701", "US", "United States"},
	"Toronto":      {"100 King St W", "Toronto", "ON", "M5X 1A9", "CA", "Canada"},
	"London":       {"30 St Mary Axe", "London", "", "EC3A 8BF", "GB", "United Kingdom"},
	"Frankfurt":    {"Mainzer Landstrasse 50", "Frankfurt am Main", "HE", "60325", "DE", "Germany"},
	"Sydney":       {"1 Macquarie Pl", "Sydney", "NSW", "2000", "AU", "Australia"},
	"Tokyo":        {"1-1 Marunouchi", "Chiyoda-ku", "Tokyo", "100-0005", "JP", "Japan"},
	"Manila":       {"6750 Ayala Ave", "Makati", "Metro Manila", "1226", "PH", "Philippines"},
	"Bogota":       {"Carrera 7 71-21", "Bogota", "DC", "110231", "CO", "Colombia"},
	"Sao Paulo":    {"Av. Paulista 1000", "Sao Paulo", "SP", "01310-100", "BR", "Brazil"},
	"Krakow":       {"ul. Pawia 9", "Krakow", "", "31-154", "PL", "Poland"},
	"Johannesburg": {"1 Sandton Dr", "Sandton", "GP", "2196", "ZA", "South Africa"},
	"Singapore":    {"1 Raffles Pl", "Singapore", "", "048616", "SG", "Singapore"},
	"Denver":       {"1700 Lincoln St", "Denver", "CO", "80203", "US", "United States"},
	"Lisbon":       {"Av. da Liberdade 110", "Lisbon", "", "1250-146", "PT", "Portugal"},
	"Indianapolis": {"2001 Junction Rd", "Indianapolis", "IN", "46204", "US", "United States"},
	"Raleigh":      {"150 Fayetteville St", "Raleigh", "NC", "27601", "US", "United States"},
	"Mumbai":       {"Bandra Kurla Complex", "Mumbai", "MH", "400051", "IN", "India"},
	"Mexico City":  {"Paseo de la Reforma 250", "Mexico City", "CDMX", "06600", "MX", "Mexico"},
	"Cape Town":    {"1 Thibault Sq", "Cape Town", "WC", "8001", "ZA", "South Africa"},
}

// locationListLimits are the paging rules of GET /api/v2/locations.
var locationListLimits = pageLimits{defSize: 25, maxSize: 100}

// getLocations serves GET /api/v2/locations: the org's locations by name
// (sortOrder asc or desc), optionally only those of id.
func (s *Server) getLocations(w http.ResponseWriter, r *http.Request) {
	p, ok := parsePage(w, r, locationListLimits)
	if !ok {
		return
	}
	q := r.URL.Query()
	desc, ok := parseSortOrder(w, q)
	if !ok {
		return
	}
	ids := listValues(q, "id")
	var all []locationJSON
	s.read(func(o *org) {
		for _, l := range o.locations {
			if len(ids) > 0 && !slices.Contains(ids, l.id) {
				continue
			}
			lj := locationJSON{ID: l.id, Name: l.name, State: "active", Version: 1, Path: []string{}, SelfURI: "/api/v2/locations/" + l.id}
			if a, ok := locationAddresses[l.name]; ok {
				lj.Address = &a
			}
			all = append(all, lj)
		}
	})
	slices.SortFunc(all, func(a, b locationJSON) int { return cmpNameID(a.Name, a.ID, b.Name, b.ID) })
	if desc {
		slices.Reverse(all)
	}
	wire.WriteJSON(w, http.StatusOK, pageOf(p, all))
}
