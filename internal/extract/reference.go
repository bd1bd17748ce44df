package extract

import (
	"context"
	"iter"

	"github.com/usersync/syncer/internal/genesys"
)

// ReferenceAPI is what the reference stream calls.
type ReferenceAPI interface {
	DivisionPages(ctx context.Context, opts *genesys.ReferenceOptions) iter.Seq2[*genesys.Listing[genesys.AuthzDivision], error]
	SkillPages(ctx context.Context, opts *genesys.ReferenceOptions) iter.Seq2[*genesys.Listing[genesys.RoutingSkill], error]
	LanguagePages(ctx context.Context, opts *genesys.ReferenceOptions) iter.Seq2[*genesys.Listing[genesys.Language], error]
	RolePages(ctx context.Context, opts *genesys.ReferenceOptions) iter.Seq2[*genesys.Listing[genesys.Role], error]
	QueuePages(ctx context.Context, opts *genesys.ListQueuesOptions) iter.Seq2[*genesys.Listing[genesys.Queue], error]
}

// Reference is the org's reference data: small listings read whole. The
// reference stream fills it for the streams that need its ids (divisions
// to split the users listing, queues and roles to read their members).
type Reference struct {
	Divisions []genesys.AuthzDivision
	Skills    []genesys.RoutingSkill
	Languages []genesys.Language
	Roles     []genesys.Role
	Queues    []genesys.Queue
}

// ReferenceOptions are the options of a reference listing at its largest
// page, kept under the API's paging cap.
func ReferenceOptions() *genesys.ReferenceOptions {
	return &genesys.ReferenceOptions{ListOptions: genesys.ListOptions{PageSize: genesys.MaxReferencePageSize, PagingCap: genesys.PagingCap}}
}

// QueuesOptions are the options of the queues listing at its largest page,
// kept under the API's paging cap.
func QueuesOptions() *genesys.ListQueuesOptions {
	return &genesys.ListQueuesOptions{ListOptions: genesys.ListOptions{PageSize: genesys.MaxQueuesPageSize, PagingCap: genesys.PagingCap}}
}
