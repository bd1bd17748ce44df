package extract

import (
	"context"
	"fmt"

	"github.com/usersync/syncer/internal/genesys"
)

// ReferenceAPI is what the reference stream calls.
type ReferenceAPI interface {
	ListDivisions(ctx context.Context, opts *genesys.ReferenceOptions) (*genesys.Listing[genesys.AuthzDivision], error)
	ListSkills(ctx context.Context, opts *genesys.ReferenceOptions) (*genesys.Listing[genesys.RoutingSkill], error)
	ListLanguages(ctx context.Context, opts *genesys.ReferenceOptions) (*genesys.Listing[genesys.Language], error)
	ListRoles(ctx context.Context, opts *genesys.ReferenceOptions) (*genesys.Listing[genesys.Role], error)
	ListQueues(ctx context.Context, opts *genesys.ListQueuesOptions) (*genesys.Listing[genesys.Queue], error)
}

// Reference is the org's reference data: small listings read whole.
type Reference struct {
	Divisions []genesys.AuthzDivision
	Skills    []genesys.RoutingSkill
	Languages []genesys.Language
	Roles     []genesys.Role
	Queues    []genesys.Queue
}

// ReadReference reads every division, skill, language, role and queue at
// the largest page sizes. prog counts pages.
func ReadReference(ctx context.Context, api ReferenceAPI, prog UsersCounter) (*Reference, error) {
	var ref Reference
	var err error
	refOpts := func(page int) *genesys.ReferenceOptions {
		return &genesys.ReferenceOptions{ListOptions: genesys.ListOptions{PageSize: genesys.MaxReferencePageSize, PageNumber: page}}
	}
	if ref.Divisions, err = readAll(ctx, prog, "divisions", func(ctx context.Context, p int) (*genesys.Listing[genesys.AuthzDivision], error) {
		return api.ListDivisions(ctx, refOpts(p))
	}); err != nil {
		return nil, err
	}
	if ref.Skills, err = readAll(ctx, prog, "skills", func(ctx context.Context, p int) (*genesys.Listing[genesys.RoutingSkill], error) {
		return api.ListSkills(ctx, refOpts(p))
	}); err != nil {
		return nil, err
	}
	if ref.Languages, err = readAll(ctx, prog, "languages", func(ctx context.Context, p int) (*genesys.Listing[genesys.Language], error) {
		return api.ListLanguages(ctx, refOpts(p))
	}); err != nil {
		return nil, err
	}
	if ref.Roles, err = readAll(ctx, prog, "roles", func(ctx context.Context, p int) (*genesys.Listing[genesys.Role], error) {
		return api.ListRoles(ctx, refOpts(p))
	}); err != nil {
		return nil, err
	}
	if ref.Queues, err = readAll(ctx, prog, "queues", func(ctx context.Context, p int) (*genesys.Listing[genesys.Queue], error) {
		return api.ListQueues(ctx, &genesys.ListQueuesOptions{ListOptions: genesys.ListOptions{PageSize: genesys.MaxQueuesPageSize, PageNumber: p}})
	}); err != nil {
		return nil, err
	}
	return &ref, nil
}

// readAll reads a listing page by page, counting the pages as the minimum
// calls (their number is only known from the first page).
func readAll[T any](ctx context.Context, prog UsersCounter, what string, fetch func(ctx context.Context, page int) (*genesys.Listing[T], error)) ([]T, error) {
	var all []T
	for page := 1; ; page++ {
		l, err := fetch(ctx, page)
		if err != nil {
			return nil, fmt.Errorf("list %s page %d: %w", what, page, err)
		}
		if page == 1 {
			n := int64(genesys.Pages(l.Total, max(l.PageSize, 1)))
			if l.Total == 0 {
				n = 1
			}
			prog.AddTotal(n)
			prog.MinCalls(n)
		}
		prog.Done(1)
		all = append(all, l.Entities...)
		if l.NextURI == "" || len(l.Entities) == 0 {
			return all, nil
		}
		if page*max(l.PageSize, 1) >= genesys.PagingCap {
			return nil, fmt.Errorf("list %s: more than %d results; the listing cannot be read completely", what, genesys.PagingCap)
		}
	}
}
