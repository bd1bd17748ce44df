package pipeline

import (
	"context"
	"encoding/json"
	"fmt"
	"iter"

	"github.com/usersync/syncer/internal/extract"
	"github.com/usersync/syncer/internal/genesys"
	"github.com/usersync/syncer/internal/load"
)

// StreamReference reads the org's small listings (RegisterListing), each
// whole, and hands the ids other streams need over as RefData.
const StreamReference = "reference"

// RefData is the reference data the reference stream hands over: the
// divisions the users listing is split by, the queues and roles whose
// members the queues and roles streams read.
var RefData = Handoff[*extract.Reference]{From: StreamReference, What: "reference data"}

func init() {
	Register(Spec{
		Name:  StreamReference,
		Order: 10,
		// Reads: its listings' names (Specs).
		Cost: fmt.Sprintf("one page each (%d per page)", genesys.MaxReferencePageSize),
		Estimate: func(s Sizes, _ ForwardConfig) (int64, bool) {
			if s.Reference == nil {
				return 0, false
			}
			var n int64
			for _, l := range registry.listings {
				n += int64(listingPages(l, s.Reference))
			}
			return n, true
		},
		New: func(api ForwardAPI, _ ForwardConfig) (Stream, error) {
			return Stream{Snapshot: true, Run: func(ctx context.Context, _ load.Watermark, out *Out) (*load.Watermark, error) {
				ref := &extract.Reference{}
				for _, l := range registry.listings {
					b, err := l.Read(ctx, api, out.Progress(), ref)
					if err != nil {
						return nil, err
					}
					if err := out.Send(ctx, b); err != nil {
						return nil, err
					}
				}
				Put(out, RefData, ref)
				return nil, nil
			}}, nil
		},
	})
	RegisterListing(listing("divisions", genesys.MaxReferencePageSize,
		func(r *extract.Reference) *[]genesys.AuthzDivision { return &r.Divisions },
		func(ctx context.Context, api ForwardAPI) iter.Seq2[*genesys.Listing[genesys.AuthzDivision], error] {
			return api.DivisionPages(ctx, extract.ReferenceOptions())
		},
		func(d genesys.AuthzDivision) load.DivisionRow {
			return load.DivisionRow{ID: d.ID, Name: d.Name, Description: d.Description, HomeDivision: d.HomeDivision, Raw: mustJSON(d)}
		}, (*load.Tx).Divisions))
	RegisterListing(listing("skills", genesys.MaxReferencePageSize,
		func(r *extract.Reference) *[]genesys.RoutingSkill { return &r.Skills },
		func(ctx context.Context, api ForwardAPI) iter.Seq2[*genesys.Listing[genesys.RoutingSkill], error] {
			return api.SkillPages(ctx, extract.ReferenceOptions())
		},
		func(s genesys.RoutingSkill) load.SkillRow {
			return load.SkillRow{ID: s.ID, Name: s.Name, State: s.State, Raw: mustJSON(s)}
		}, (*load.Tx).Skills))
	RegisterListing(listing("languages", genesys.MaxReferencePageSize,
		func(r *extract.Reference) *[]genesys.Language { return &r.Languages },
		func(ctx context.Context, api ForwardAPI) iter.Seq2[*genesys.Listing[genesys.Language], error] {
			return api.LanguagePages(ctx, extract.ReferenceOptions())
		},
		func(l genesys.Language) load.LanguageRow {
			return load.LanguageRow{ID: l.ID, Name: l.Name, State: l.State, Raw: mustJSON(l)}
		}, (*load.Tx).Languages))
	RegisterListing(listing("roles", genesys.MaxReferencePageSize,
		func(r *extract.Reference) *[]genesys.Role { return &r.Roles },
		func(ctx context.Context, api ForwardAPI) iter.Seq2[*genesys.Listing[genesys.Role], error] {
			return api.RolePages(ctx, extract.ReferenceOptions())
		},
		func(r genesys.Role) load.RoleRow {
			return load.RoleRow{ID: r.ID, Name: r.Name, Description: r.Description, Raw: mustJSON(r)}
		}, (*load.Tx).Roles))
	RegisterListing(listing("queues", genesys.MaxQueuesPageSize,
		func(r *extract.Reference) *[]genesys.Queue { return &r.Queues },
		func(ctx context.Context, api ForwardAPI) iter.Seq2[*genesys.Listing[genesys.Queue], error] {
			return api.QueuePages(ctx, extract.QueuesOptions())
		},
		func(q genesys.Queue) load.QueueRow {
			return load.QueueRow{ID: q.ID, Name: q.Name, DivisionID: divisionID(q.Division), MemberCount: q.MemberCount,
				JoinedMemberCount: q.JoinedMemberCount, Raw: mustJSON(q)}
		}, (*load.Tx).Queues))
}

// listing declares a built-in listing, named as its table: read at
// pageSize through pages, kept in the reference data's field, each entity
// written as a row by write.
func listing[T, R any](name string, pageSize int, field func(*extract.Reference) *[]T,
	pages func(ctx context.Context, api ForwardAPI) iter.Seq2[*genesys.Listing[T], error],
	row func(T) R, write func(*load.Tx, context.Context, []R) error) Listing {
	return Listing{Name: name, Table: name,
		Pages: func(ref *extract.Reference) int { return genesys.Pages(len(*field(ref)), pageSize) },
		Read: func(ctx context.Context, api ForwardAPI, p extract.Counter, ref *extract.Reference) (Batch, error) {
			all, err := extract.ReadAll(ctx, pages(ctx, api), p, name)
			if err != nil {
				return nil, err
			}
			*field(ref) = all
			return LoadAll(all, row, write), nil
		}}
}

// LoadAll is the batch that loads entities as rows: what a listing's Read
// returns.
func LoadAll[T, R any](all []T, row func(T) R, write func(*load.Tx, context.Context, []R) error) Batch {
	return func(ctx context.Context, tx *load.Tx) (int64, error) {
		rows := make([]R, len(all))
		for i, e := range all {
			rows[i] = row(e)
		}
		return int64(len(rows)), write(tx, ctx, rows)
	}
}

// listingPages is the least number of calls a listing takes.
func listingPages(l Listing, ref *extract.Reference) int {
	if l.Pages == nil {
		return 1
	}
	return l.Pages(ref)
}

func divisionID(d *genesys.Division) string {
	if d == nil {
		return ""
	}
	return d.ID
}

// mustJSON encodes a reference entity for the raw column. The entities are
// plain structs decoded from JSON, so encoding cannot fail.
func mustJSON(v any) json.RawMessage {
	b, err := json.Marshal(v)
	if err != nil {
		panic(fmt.Sprintf("encode %T: %v", v, err))
	}
	return b
}
