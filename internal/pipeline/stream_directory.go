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
	ListStationsByID(ctx context.Context, ids []string) ([]genesys.Station, error)
}

// directoryListings are the listings the directory stream reads, in order.
// A listing longer than the API's paging cap is read up to the cap and
// loaded as incomplete (load.Tx.Incomplete: nothing of it is marked
// deleted); the stations past the cap that users name are then read by id.
var directoryListings = []struct {
	name     string
	pageSize int
	read     func(ctx context.Context, api ForwardAPI, out *Out, pagingCap int) (Batch, error)
}{
	{"groups", genesys.MaxGroupsPageSize, func(ctx context.Context, api ForwardAPI, out *Out, pagingCap int) (Batch, error) {
		all, capped, err := readCapped(ctx, api.GroupPages(ctx, directoryOptions(genesys.MaxGroupsPageSize, pagingCap)), out, "groups", pagingCap)
		if err != nil {
			return nil, err
		}
		return incomplete(LoadAll(all, groupRow, (*load.Tx).Groups), "groups", capped), nil
	}},
	{"locations", genesys.MaxLocationsPageSize, func(ctx context.Context, api ForwardAPI, out *Out, pagingCap int) (Batch, error) {
		all, capped, err := readCapped(ctx, api.LocationPages(ctx, directoryOptions(genesys.MaxLocationsPageSize, pagingCap)), out, "locations", pagingCap)
		if err != nil {
			return nil, err
		}
		return incomplete(LoadAll(all, locationRow, (*load.Tx).Locations), "locations", capped), nil
	}},
	{"stations", genesys.MaxStationsPageSize, func(ctx context.Context, api ForwardAPI, out *Out, pagingCap int) (Batch, error) {
		all, capped, err := readCapped(ctx, api.StationPages(ctx, directoryOptions(genesys.MaxStationsPageSize, pagingCap)), out, "stations", pagingCap)
		if err != nil {
			return nil, err
		}
		if capped && out.InRun(StreamUsers) {
			more, err := stationsNamed(ctx, api, out, all)
			if err != nil {
				return nil, err
			}
			all = append(all, more...)
		}
		return incomplete(LoadAll(all, stationRow, (*load.Tx).Stations), "stations", capped), nil
	}},
}

// readCapped reads a listing's pages up to the API's paging cap: capped
// says the listing had more, which the stream's warning says.
func readCapped[T any](ctx context.Context, pages iter.Seq2[*genesys.Listing[T], error], out *Out, what string, pagingCap int) (all []T, capped bool, err error) {
	all, pc, err := extract.ReadUpToCap(ctx, pages, out.Progress(), what, pagingCap)
	if err != nil || pc == nil {
		return all, false, err
	}
	more := ""
	if what == "stations" {
		more = ", and the stations the users name past it, by id"
	}
	out.Progress().Warn(fmt.Sprintf("the %s listing has %d results, more than the API pages: loaded the first %d%s; "+
		"none is marked deleted in this run", what, pc.Total, len(all), more))
	return all, true, nil
}

// stationsNamed reads by id, a page of ids a call, the stations the users'
// station expands name that the capped listing did not hold.
func stationsNamed(ctx context.Context, api ForwardAPI, out *Out, have []genesys.Station) ([]genesys.Station, error) {
	named, err := Get(ctx, out, StationIDs)
	if err != nil {
		return nil, err
	}
	seen := make(map[string]bool, len(have))
	for _, s := range have {
		seen[s.ID] = true
	}
	var missing []string
	for _, id := range named {
		if !seen[id] {
			missing = append(missing, id)
		}
	}
	calls := int64((len(missing) + genesys.MaxStationIDs - 1) / genesys.MaxStationIDs)
	out.Progress().AddTotal(calls)
	out.Progress().MinCalls(calls)
	var more []genesys.Station
	for start := 0; start < len(missing); start += genesys.MaxStationIDs {
		got, err := api.ListStationsByID(ctx, missing[start:min(start+genesys.MaxStationIDs, len(missing))])
		if err != nil {
			return nil, fmt.Errorf("stations by id, past the listing's paging cap: %w", err)
		}
		out.Progress().Done(1)
		more = append(more, got...)
	}
	return more, nil
}

// incomplete is b, which also tells the transaction that the table's
// listing was read only in part when capped.
func incomplete(b Batch, table string, capped bool) Batch {
	if !capped {
		return b
	}
	return func(ctx context.Context, tx *load.Tx) (int64, error) {
		tx.Incomplete(table)
		return b(ctx, tx)
	}
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
		Reads:  "the " + strings.Join(names, ", ") + " listings, whole (past the 10,000-result paging cap: the stations the users name, by id)",
		Cost:   fmt.Sprintf("one page each at least (%s per page)", strings.Join(sizes, ", ")),
		Tables: []string{"groups", "locations", "stations"},
		// Only to read the stations past the listing's paging cap by the
		// ids the users name.
		Awaits: []string{StreamUsers},
		Estimate: func(Sizes, ForwardConfig) (int64, bool) {
			return int64(len(directoryListings)), true
		},
		New: func(api ForwardAPI, cfg ForwardConfig) (Stream, error) {
			return Stream{Snapshot: true, Run: func(ctx context.Context, _ load.Watermark, out *Out) (*load.Watermark, error) {
				for _, l := range directoryListings {
					b, err := l.read(ctx, api, out, cfg.PagingCap)
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
func directoryOptions(pageSize, pagingCap int) *genesys.ListOptions {
	return &genesys.ListOptions{PageSize: pageSize, PagingCap: pagingCap}
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
