package pipeline

import (
	"context"
	"fmt"
	"iter"
	"strings"

	"github.com/usersync/syncer/internal/extract"
	"github.com/usersync/syncer/internal/genesys"
	"github.com/usersync/syncer/internal/load"
)

// StreamDirectory reads the dimensions the users' group, location and
// station ids point at: the groups, locations and stations listings, a page
// or a few each, so that every id in the schema joins to a name.
//
// They are a stream of their own rather than listings of the reference
// stream: the users, queues and roles streams run after reference, so a
// permission the OAuth client lacks for one of these listings (a 403)
// would skip the whole run. Here it fails this stream, naming the
// permission, and the rest of the run goes on.
const StreamDirectory = "directory"

// DirectoryAPI is the calls of the directory stream.
type DirectoryAPI interface {
	GroupPages(ctx context.Context, opts *genesys.ListOptions) iter.Seq2[*genesys.Listing[genesys.Group], error]
	LocationPages(ctx context.Context, opts *genesys.ListOptions) iter.Seq2[*genesys.Listing[genesys.LocationDefinition], error]
	StationPages(ctx context.Context, opts *genesys.ListOptions) iter.Seq2[*genesys.Listing[genesys.Station], error]
}

// directoryListings are the listings the directory stream reads, in order.
var directoryListings = []struct {
	name     string
	pageSize int
	read     func(ctx context.Context, api ForwardAPI, p extract.Counter) (Batch, error)
}{
	{"groups", genesys.MaxGroupsPageSize, func(ctx context.Context, api ForwardAPI, p extract.Counter) (Batch, error) {
		all, err := extract.ReadAll(ctx, api.GroupPages(ctx, directoryOptions(genesys.MaxGroupsPageSize)), p, "groups")
		if err != nil {
			return nil, err
		}
		return LoadAll(all, groupRow, (*load.Tx).Groups), nil
	}},
	{"locations", genesys.MaxLocationsPageSize, func(ctx context.Context, api ForwardAPI, p extract.Counter) (Batch, error) {
		all, err := extract.ReadAll(ctx, api.LocationPages(ctx, directoryOptions(genesys.MaxLocationsPageSize)), p, "locations")
		if err != nil {
			return nil, err
		}
		return LoadAll(all, locationRow, (*load.Tx).Locations), nil
	}},
	{"stations", genesys.MaxStationsPageSize, func(ctx context.Context, api ForwardAPI, p extract.Counter) (Batch, error) {
		all, err := extract.ReadAll(ctx, api.StationPages(ctx, directoryOptions(genesys.MaxStationsPageSize)), p, "stations")
		if err != nil {
			return nil, err
		}
		return LoadAll(all, stationRow, (*load.Tx).Stations), nil
	}},
}

func init() {
	var names, sizes []string
	for _, l := range directoryListings {
		names = append(names, fmt.Sprintf("`GET /api/v2/%s`", l.name))
		sizes = append(sizes, fmt.Sprintf("%d", l.pageSize))
	}
	Register(Spec{
		Name:   StreamDirectory,
		Order:  15,
		Reads:  "the " + strings.Join(names, ", ") + " listings, whole",
		Cost:   fmt.Sprintf("one page each at least (%s per page)", strings.Join(sizes, ", ")),
		Tables: []string{"groups", "locations", "stations"},
		Estimate: func(Sizes, ForwardConfig) (int64, bool) {
			return int64(len(directoryListings)), true
		},
		New: func(api ForwardAPI, _ ForwardConfig) (Stream, error) {
			return Stream{Snapshot: true, Run: func(ctx context.Context, _ load.Watermark, out *Out) (*load.Watermark, error) {
				for _, l := range directoryListings {
					b, err := l.read(ctx, api, out.Progress())
					if err != nil {
						return nil, err
					}
					if err := out.Send(ctx, b); err != nil {
						return nil, err
					}
				}
				return nil, nil
			}}, nil
		},
	})
}

// directoryOptions are a directory listing's options at its largest page,
// under the API's paging cap.
func directoryOptions(pageSize int) *genesys.ListOptions {
	return &genesys.ListOptions{PageSize: pageSize, PagingCap: genesys.PagingCap}
}

func groupRow(g genesys.Group) load.GroupRow {
	row := load.GroupRow{ID: g.ID, Name: g.Name, Description: g.Description, Type: g.Type, Visibility: g.Visibility,
		State: g.State, MemberCount: g.MemberCount, Raw: mustJSON(g)}
	if t, err := parseAPITime(g.DateModified); err == nil {
		row.DateModified = t
	}
	return row
}

func locationRow(l genesys.LocationDefinition) load.LocationRow {
	row := load.LocationRow{ID: l.ID, Name: l.Name, State: l.State, Raw: mustJSON(l)}
	if a := l.Address; a != nil {
		row.AddressStreet1, row.AddressCity, row.AddressState, row.AddressZipcode, row.AddressCountry =
			a.Street1, a.City, a.State, a.Zipcode, a.Country
	}
	return row
}

func stationRow(s genesys.Station) load.StationRow {
	return load.StationRow{ID: s.ID, Name: s.Name, Type: s.Type, Status: s.Status, UserID: s.UserID,
		WebRTCUserID: s.WebRtcUserID, LineAppearanceID: s.LineAppearanceID, Raw: mustJSON(s)}
}
