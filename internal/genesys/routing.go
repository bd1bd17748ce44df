package genesys

import (
	"context"
	"iter"
	"net/url"
	"slices"
	"strconv"
)

// ListQueuesOptions are the parameters of GET /api/v2/routing/queues.
type ListQueuesOptions struct {
	ListOptions
	Name        string
	IDs         []string
	DivisionIDs []string
}

func (o *ListQueuesOptions) clone() ListQueuesOptions {
	if o == nil {
		return ListQueuesOptions{}
	}
	c := *o
	c.IDs, c.DivisionIDs = slices.Clone(o.IDs), slices.Clone(o.DivisionIDs)
	return c
}

// ListQueues gets one page of GET /api/v2/routing/queues.
func (c *Client) ListQueues(ctx context.Context, opts *ListQueuesOptions) (*Listing[Queue], error) {
	o := opts.clone()
	cl := newCall("GET", "/api/v2/routing/queues")
	cl.query = o.ListOptions.values(MaxQueuesPageSize)
	setNonEmpty(cl.query, "name", o.Name)
	setList(cl.query, "id", o.IDs)
	setList(cl.query, "divisionId", o.DivisionIDs)
	var l Listing[Queue]
	if err := c.do(ctx, cl, &l); err != nil {
		return nil, err
	}
	return &l, nil
}

// QueuePages iterates the pages of GET /api/v2/routing/queues.
func (c *Client) QueuePages(ctx context.Context, opts *ListQueuesOptions) iter.Seq2[*Listing[Queue], error] {
	o := opts.clone()
	return pages(ctx, "/api/v2/routing/queues", o.ListOptions, MaxQueuesPageSize, func(ctx context.Context, lo ListOptions) (*Listing[Queue], error) {
		p := o
		p.ListOptions = lo
		return c.ListQueues(ctx, &p)
	})
}

// Queues iterates the org's queues.
func (c *Client) Queues(ctx context.Context, opts *ListQueuesOptions) iter.Seq2[Queue, error] {
	return items(c.QueuePages(ctx, opts), listingEntities[Queue])
}

// QueueMembersOptions are the parameters of
// GET /api/v2/routing/queues/{queueId}/members.
type QueueMembersOptions struct {
	ListOptions
	// Joined filters on the joined flag; nil lists all members.
	Joined *bool
	// MemberBy filters on user or group membership.
	MemberBy string
}

func (o *QueueMembersOptions) clone() QueueMembersOptions {
	if o == nil {
		return QueueMembersOptions{}
	}
	return *o
}

// ListQueueMembers gets one page of a queue's members.
func (c *Client) ListQueueMembers(ctx context.Context, queueID string, opts *QueueMembersOptions) (*Listing[QueueMember], error) {
	o := opts.clone()
	cl := newCall("GET", "/api/v2/routing/queues/{queueId}/members", queueID)
	cl.query = o.ListOptions.values(MaxQueueMembersPageSize)
	if o.Joined != nil {
		cl.query.Set("joined", strconv.FormatBool(*o.Joined))
	}
	setNonEmpty(cl.query, "memberBy", o.MemberBy)
	var l Listing[QueueMember]
	if err := c.do(ctx, cl, &l); err != nil {
		return nil, err
	}
	return &l, nil
}

// QueueMemberPages iterates the pages of a queue's members.
func (c *Client) QueueMemberPages(ctx context.Context, queueID string, opts *QueueMembersOptions) iter.Seq2[*Listing[QueueMember], error] {
	o := opts.clone()
	return pages(ctx, "/api/v2/routing/queues/{queueId}/members", o.ListOptions, MaxQueueMembersPageSize, func(ctx context.Context, lo ListOptions) (*Listing[QueueMember], error) {
		p := o
		p.ListOptions = lo
		return c.ListQueueMembers(ctx, queueID, &p)
	})
}

// QueueMembers iterates a queue's members.
func (c *Client) QueueMembers(ctx context.Context, queueID string, opts *QueueMembersOptions) iter.Seq2[QueueMember, error] {
	return items(c.QueueMemberPages(ctx, queueID, opts), listingEntities[QueueMember])
}

// AddQueueMembers adds at most MaxQueueMembersPerCall users to a queue:
// POST /api/v2/routing/queues/{queueId}/members.
func (c *Client) AddQueueMembers(ctx context.Context, queueID string, userIDs []string) error {
	return c.postQueueMembers(ctx, queueID, userIDs, false)
}

// RemoveQueueMembers removes at most MaxQueueMembersPerCall users from a
// queue: POST /api/v2/routing/queues/{queueId}/members?delete=true.
func (c *Client) RemoveQueueMembers(ctx context.Context, queueID string, userIDs []string) error {
	return c.postQueueMembers(ctx, queueID, userIDs, true)
}

func (c *Client) postQueueMembers(ctx context.Context, queueID string, userIDs []string, remove bool) error {
	cl := newCall("POST", "/api/v2/routing/queues/{queueId}/members", queueID)
	if remove {
		cl.query = url.Values{"delete": {"true"}}
	}
	refs := make([]QueueMemberRef, len(userIDs))
	for i, id := range userIDs {
		refs[i] = QueueMemberRef{ID: id}
	}
	cl.body = refs
	return c.do(ctx, cl, nil)
}

// ReferenceOptions are the parameters of the org's skill, language,
// division and role listings.
type ReferenceOptions struct {
	ListOptions
	Name string
	IDs  []string
}

func (o *ReferenceOptions) clone() ReferenceOptions {
	if o == nil {
		return ReferenceOptions{}
	}
	c := *o
	c.IDs = slices.Clone(o.IDs)
	return c
}

func (o ReferenceOptions) values() url.Values {
	v := o.ListOptions.values(MaxReferencePageSize)
	setNonEmpty(v, "name", o.Name)
	setList(v, "id", o.IDs)
	return v
}

// listReference gets one page of a reference listing.
func listReference[T any](ctx context.Context, c *Client, path string, opts *ReferenceOptions) (*Listing[T], error) {
	cl := newCall("GET", path)
	cl.query = opts.clone().values()
	var l Listing[T]
	if err := c.do(ctx, cl, &l); err != nil {
		return nil, err
	}
	return &l, nil
}

// referencePages iterates the pages of a reference listing.
func referencePages[T any](ctx context.Context, c *Client, path string, opts *ReferenceOptions) iter.Seq2[*Listing[T], error] {
	o := opts.clone()
	return pages(ctx, path, o.ListOptions, MaxReferencePageSize, func(ctx context.Context, lo ListOptions) (*Listing[T], error) {
		p := o
		p.ListOptions = lo
		return listReference[T](ctx, c, path, &p)
	})
}

// iterReference iterates a reference listing.
func iterReference[T any](ctx context.Context, c *Client, path string, opts *ReferenceOptions) iter.Seq2[T, error] {
	return items(referencePages[T](ctx, c, path, opts), listingEntities[T])
}

const (
	pathSkills    = "/api/v2/routing/skills"
	pathLanguages = "/api/v2/routing/languages"
	pathDivisions = "/api/v2/authorization/divisions"
	pathRoles     = "/api/v2/authorization/roles"
)

// ListSkills gets one page of GET /api/v2/routing/skills.
func (c *Client) ListSkills(ctx context.Context, opts *ReferenceOptions) (*Listing[RoutingSkill], error) {
	return listReference[RoutingSkill](ctx, c, pathSkills, opts)
}

// SkillPages iterates the pages of the org's routing skills.
func (c *Client) SkillPages(ctx context.Context, opts *ReferenceOptions) iter.Seq2[*Listing[RoutingSkill], error] {
	return referencePages[RoutingSkill](ctx, c, pathSkills, opts)
}

// Skills iterates the org's routing skills.
func (c *Client) Skills(ctx context.Context, opts *ReferenceOptions) iter.Seq2[RoutingSkill, error] {
	return iterReference[RoutingSkill](ctx, c, pathSkills, opts)
}

// ListLanguages gets one page of GET /api/v2/routing/languages.
func (c *Client) ListLanguages(ctx context.Context, opts *ReferenceOptions) (*Listing[Language], error) {
	return listReference[Language](ctx, c, pathLanguages, opts)
}

// LanguagePages iterates the pages of the org's routing languages.
func (c *Client) LanguagePages(ctx context.Context, opts *ReferenceOptions) iter.Seq2[*Listing[Language], error] {
	return referencePages[Language](ctx, c, pathLanguages, opts)
}

// Languages iterates the org's routing languages.
func (c *Client) Languages(ctx context.Context, opts *ReferenceOptions) iter.Seq2[Language, error] {
	return iterReference[Language](ctx, c, pathLanguages, opts)
}

// ListDivisions gets one page of GET /api/v2/authorization/divisions.
func (c *Client) ListDivisions(ctx context.Context, opts *ReferenceOptions) (*Listing[AuthzDivision], error) {
	return listReference[AuthzDivision](ctx, c, pathDivisions, opts)
}

// DivisionPages iterates the pages of the org's divisions.
func (c *Client) DivisionPages(ctx context.Context, opts *ReferenceOptions) iter.Seq2[*Listing[AuthzDivision], error] {
	return referencePages[AuthzDivision](ctx, c, pathDivisions, opts)
}

// Divisions iterates the org's divisions.
func (c *Client) Divisions(ctx context.Context, opts *ReferenceOptions) iter.Seq2[AuthzDivision, error] {
	return iterReference[AuthzDivision](ctx, c, pathDivisions, opts)
}

// ListRoles gets one page of GET /api/v2/authorization/roles.
func (c *Client) ListRoles(ctx context.Context, opts *ReferenceOptions) (*Listing[Role], error) {
	return listReference[Role](ctx, c, pathRoles, opts)
}

// RolePages iterates the pages of the org's roles.
func (c *Client) RolePages(ctx context.Context, opts *ReferenceOptions) iter.Seq2[*Listing[Role], error] {
	return referencePages[Role](ctx, c, pathRoles, opts)
}

// Roles iterates the org's roles.
func (c *Client) Roles(ctx context.Context, opts *ReferenceOptions) iter.Seq2[Role, error] {
	return iterReference[Role](ctx, c, pathRoles, opts)
}

const pathLocations = "/api/v2/locations"

// ListLocations gets one page of GET /api/v2/locations.
func (c *Client) ListLocations(ctx context.Context, opts *ListOptions) (*Listing[LocationDefinition], error) {
	var o ListOptions
	if opts != nil {
		o = *opts
	}
	cl := newCall("GET", pathLocations)
	cl.query = o.values(MaxLocationsPageSize)
	var l Listing[LocationDefinition]
	if err := c.do(ctx, cl, &l); err != nil {
		return nil, err
	}
	return &l, nil
}

// Locations iterates the org's locations.
func (c *Client) Locations(ctx context.Context, opts *ListOptions) iter.Seq2[LocationDefinition, error] {
	return items(c.LocationPages(ctx, opts), listingEntities[LocationDefinition])
}

// LocationPages iterates the pages of the org's locations.
func (c *Client) LocationPages(ctx context.Context, opts *ListOptions) iter.Seq2[*Listing[LocationDefinition], error] {
	var o ListOptions
	if opts != nil {
		o = *opts
	}
	return pages(ctx, pathLocations, o, MaxLocationsPageSize, func(ctx context.Context, lo ListOptions) (*Listing[LocationDefinition], error) {
		return c.ListLocations(ctx, &lo)
	})
}

// GetAuthorizationSubject gets a subject's grants:
// GET /api/v2/authorization/subjects/{subjectId}.
func (c *Client) GetAuthorizationSubject(ctx context.Context, subjectID string) (AuthzSubject, error) {
	var s AuthzSubject
	err := c.do(ctx, newCall("GET", "/api/v2/authorization/subjects/{subjectId}", subjectID), &s)
	return s, err
}

// GrantRoles adds grants: POST /authorization/subjects/{subjectId}/bulkadd.
func (c *Client) GrantRoles(ctx context.Context, subjectID string, grants []RoleDivisionPair) error {
	return c.postGrants(ctx, "/api/v2/authorization/subjects/{subjectId}/bulkadd", subjectID, grants)
}

// RevokeRoles removes grants:
// POST /authorization/subjects/{subjectId}/bulkremove.
func (c *Client) RevokeRoles(ctx context.Context, subjectID string, grants []RoleDivisionPair) error {
	return c.postGrants(ctx, "/api/v2/authorization/subjects/{subjectId}/bulkremove", subjectID, grants)
}

// ReplaceRoles replaces the subject's direct grants (grants inherited from
// groups stay): POST /authorization/subjects/{subjectId}/bulkreplace.
func (c *Client) ReplaceRoles(ctx context.Context, subjectID string, grants []RoleDivisionPair) error {
	return c.postGrants(ctx, "/api/v2/authorization/subjects/{subjectId}/bulkreplace", subjectID, grants)
}

func (c *Client) postGrants(ctx context.Context, tmpl, subjectID string, grants []RoleDivisionPair) error {
	cl := newCall("POST", tmpl, subjectID)
	cl.body = RoleDivisionGrants{Grants: nonNil(grants)}
	return c.do(ctx, cl, nil)
}

func setNonEmpty(v url.Values, k, s string) {
	if s != "" {
		v.Set(k, s)
	}
}

// setList sets a list parameter as the official SDKs send it: the
// parameter repeated once per value (?expand=skills&expand=languages).
func setList(v url.Values, k string, s []string) {
	v.Del(k)
	for _, x := range s {
		v.Add(k, x)
	}
}

const pathRoleSubjectGrants = "/api/v2/authorization/roles/{roleId}/subjectgrants"

// RoleSubjectGrantPages iterates the pages of the subjects granted a role.
func (c *Client) RoleSubjectGrantPages(ctx context.Context, roleID string, opts *ListOptions) iter.Seq2[*Listing[SubjectDivisionGrants], error] {
	var o ListOptions
	if opts != nil {
		o = *opts
	}
	return pages(ctx, pathRoleSubjectGrants, o, MaxReferencePageSize, func(ctx context.Context, lo ListOptions) (*Listing[SubjectDivisionGrants], error) {
		return c.ListRoleSubjectGrants(ctx, roleID, &lo)
	})
}

// RoleSubjectGrants iterates the subjects granted a role.
func (c *Client) RoleSubjectGrants(ctx context.Context, roleID string, opts *ListOptions) iter.Seq2[SubjectDivisionGrants, error] {
	return items(c.RoleSubjectGrantPages(ctx, roleID, opts), listingEntities[SubjectDivisionGrants])
}

// Division object types for MoveToDivision.
const (
	ObjectUser  = "USER"
	ObjectQueue = "QUEUE"
)

// MaxDivisionObjectsPerCall is the most objects one MoveToDivision call
// moves (the emulator's limit; Genesys does not document one).
const MaxDivisionObjectsPerCall = 50

// MoveToDivision moves objects (users: ObjectUser) into a division — the
// only way to change a user's division:
// POST /api/v2/authorization/divisions/{divisionId}/objects/{objectType}.
func (c *Client) MoveToDivision(ctx context.Context, divisionID, objectType string, ids []string) error {
	cl := newCall("POST", "/api/v2/authorization/divisions/{divisionId}/objects/{objectType}", divisionID, objectType)
	cl.body = nonNil(ids)
	return c.do(ctx, cl, nil)
}
