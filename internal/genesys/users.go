package genesys

import (
	"context"
	"errors"
	"iter"
	"net/url"
	"slices"
	"strconv"
)

// MaxUserIDsPerRequest is the most ids one GET /api/v2/users?id= takes.
const MaxUserIDsPerRequest = 100

// User states for listings (state=).
const (
	StateActive   = "active"
	StateInactive = "inactive"
	StateDeleted  = "deleted"
	StateAny      = "any"
)

// ListUsersOptions are the parameters of GET /api/v2/users.
type ListUsersOptions struct {
	ListOptions
	// IDs fetches these users (at most MaxUserIDsPerRequest).
	IDs []string
	// State is active (the API's default!), inactive, deleted or any.
	State string
	// Expand names the expands: skills, languages, groups, locations,
	// authorization, employerInfo, ...
	Expand []string
	// SortOrder is ASC or DESC.
	SortOrder string
}

func (o *ListUsersOptions) values() url.Values {
	v := o.ListOptions.values(MaxUsersPageSize)
	if len(o.IDs) > 0 {
		setList(v, "id", o.IDs)
	}
	if o.State != "" {
		v.Set("state", o.State)
	}
	if len(o.Expand) > 0 {
		setList(v, "expand", o.Expand)
	}
	if o.SortOrder != "" {
		v.Set("sortOrder", o.SortOrder)
	}
	return v
}

// clone copies the options so that iterators never change the caller's.
func (o *ListUsersOptions) clone() ListUsersOptions {
	if o == nil {
		return ListUsersOptions{}
	}
	c := *o
	c.IDs = slices.Clone(o.IDs)
	c.Expand = slices.Clone(o.Expand)
	return c
}

const pathUsers = "/api/v2/users"

// ListUsers gets one page of GET /api/v2/users.
func (c *Client) ListUsers(ctx context.Context, opts *ListUsersOptions) (*Listing[User], error) {
	o := opts.clone()
	cl := newCall("GET", pathUsers)
	cl.query = o.values()
	var l Listing[User]
	if err := c.do(ctx, cl, &l); err != nil {
		return nil, err
	}
	return &l, nil
}

// UserPages iterates the pages of GET /api/v2/users from opts.PageNumber.
// A page past PagingCap ends the iteration with a *PagingCapError.
func (c *Client) UserPages(ctx context.Context, opts *ListUsersOptions) iter.Seq2[*Listing[User], error] {
	o := opts.clone()
	return pages(ctx, pathUsers, o.ListOptions, MaxUsersPageSize, func(ctx context.Context, lo ListOptions) (*Listing[User], error) {
		p := o
		p.ListOptions = lo
		return c.ListUsers(ctx, &p)
	})
}

// Users iterates the users of GET /api/v2/users.
func (c *Client) Users(ctx context.Context, opts *ListUsersOptions) iter.Seq2[User, error] {
	return items(c.UserPages(ctx, opts), listingEntities[User])
}

// GetUserOptions are the parameters of GET /api/v2/users/{userId}.
type GetUserOptions struct {
	Expand []string
	// State "deleted" finds a deleted user; default active.
	State string
}

// GetUser gets one user.
func (c *Client) GetUser(ctx context.Context, userID string, opts *GetUserOptions) (User, error) {
	cl := newCall("GET", "/api/v2/users/{userId}", userID)
	cl.query = url.Values{}
	if opts != nil {
		if len(opts.Expand) > 0 {
			setList(cl.query, "expand", opts.Expand)
		}
		if opts.State != "" {
			cl.query.Set("state", opts.State)
		}
	}
	var u User
	err := c.do(ctx, cl, &u)
	return u, err
}

// SearchUsers runs one page of POST /api/v2/users/search.
func (c *Client) SearchUsers(ctx context.Context, req UserSearchRequest) (*UsersSearchResponse, error) {
	cl := newCall("POST", "/api/v2/users/search")
	req.PageSize = pageSizeOr(req.PageSize, MaxSearchPageSize)
	req.PageNumber = max(req.PageNumber, 1)
	cl.body = req
	var r UsersSearchResponse
	if err := c.do(ctx, cl, &r); err != nil {
		return nil, err
	}
	return &r, nil
}

// SearchUserPages iterates the result pages of a users search from
// req.PageNumber, until a page is empty or the last page count is reached.
// A page past the search's result cap ends with a *PagingCapError.
func (c *Client) SearchUserPages(ctx context.Context, req UserSearchRequest) iter.Seq2[*UsersSearchResponse, error] {
	req.Expand = slices.Clone(req.Expand)
	req.Query = slices.Clone(req.Query)
	size := pageSizeOr(req.PageSize, MaxSearchPageSize)
	return func(yield func(*UsersSearchResponse, error) bool) {
		page, total := max(req.PageNumber, 1), -1
		for {
			r := req
			r.PageNumber, r.PageSize = page, size
			res, err := c.SearchUsers(ctx, r)
			if err != nil {
				if page > max(req.PageNumber, 1) && errors.Is(err, ErrBadRequest) {
					err = &PagingCapError{Path: "/api/v2/users/search", PageNumber: page, PageSize: size, Total: total, Err: err}
				}
				yield(nil, err)
				return
			}
			if total < 0 {
				total = res.Total
			}
			if !yield(res, nil) {
				return
			}
			if len(res.Results) == 0 || page >= res.PageCount {
				return
			}
			page++
		}
	}
}

// SearchUsersAll iterates the users a search finds.
func (c *Client) SearchUsersAll(ctx context.Context, req UserSearchRequest) iter.Seq2[User, error] {
	return items(c.SearchUserPages(ctx, req), func(r *UsersSearchResponse) []User { return r.Results })
}

// UserRoutingOptions are the parameters of a user's skill and language
// listings.
type UserRoutingOptions struct {
	ListOptions
	SortOrder string
}

func (o *UserRoutingOptions) clone() UserRoutingOptions {
	if o == nil {
		return UserRoutingOptions{}
	}
	return *o
}

func (o UserRoutingOptions) values() url.Values {
	v := o.ListOptions.values(MaxUserRoutingPageSize)
	if o.SortOrder != "" {
		v.Set("sortOrder", o.SortOrder)
	}
	return v
}

// ListUserRoutingSkills gets one page of GET /users/{userId}/routingskills.
func (c *Client) ListUserRoutingSkills(ctx context.Context, userID string, opts *UserRoutingOptions) (*Listing[UserRoutingSkill], error) {
	cl := newCall("GET", "/api/v2/users/{userId}/routingskills", userID)
	cl.query = opts.clone().values()
	var l Listing[UserRoutingSkill]
	if err := c.do(ctx, cl, &l); err != nil {
		return nil, err
	}
	return &l, nil
}

// UserRoutingSkills iterates all of a user's routing skills.
func (c *Client) UserRoutingSkills(ctx context.Context, userID string, opts *UserRoutingOptions) iter.Seq2[UserRoutingSkill, error] {
	o := opts.clone()
	return items(pages(ctx, "/api/v2/users/{userId}/routingskills", o.ListOptions, MaxUserRoutingPageSize, func(ctx context.Context, lo ListOptions) (*Listing[UserRoutingSkill], error) {
		p := o
		p.ListOptions = lo
		return c.ListUserRoutingSkills(ctx, userID, &p)
	}), listingEntities[UserRoutingSkill])
}

// ListUserRoutingLanguages gets one page of
// GET /users/{userId}/routinglanguages.
func (c *Client) ListUserRoutingLanguages(ctx context.Context, userID string, opts *UserRoutingOptions) (*Listing[UserRoutingLanguage], error) {
	cl := newCall("GET", "/api/v2/users/{userId}/routinglanguages", userID)
	cl.query = opts.clone().values()
	var l Listing[UserRoutingLanguage]
	if err := c.do(ctx, cl, &l); err != nil {
		return nil, err
	}
	return &l, nil
}

// UserRoutingLanguages iterates all of a user's routing languages.
func (c *Client) UserRoutingLanguages(ctx context.Context, userID string, opts *UserRoutingOptions) iter.Seq2[UserRoutingLanguage, error] {
	o := opts.clone()
	return items(pages(ctx, "/api/v2/users/{userId}/routinglanguages", o.ListOptions, MaxUserRoutingPageSize, func(ctx context.Context, lo ListOptions) (*Listing[UserRoutingLanguage], error) {
		p := o
		p.ListOptions = lo
		return c.ListUserRoutingLanguages(ctx, userID, &p)
	}), listingEntities[UserRoutingLanguage])
}

// UserQueuesOptions are the parameters of GET /users/{userId}/queues.
type UserQueuesOptions struct {
	ListOptions
	// Joined selects joined (true, the API's default) or not joined (false)
	// memberships; nil leaves the API's default.
	Joined *bool
	// DivisionIDs limits the queues to these divisions.
	DivisionIDs []string
}

func (o *UserQueuesOptions) clone() UserQueuesOptions {
	if o == nil {
		return UserQueuesOptions{}
	}
	c := *o
	c.DivisionIDs = slices.Clone(o.DivisionIDs)
	return c
}

// ListUserQueues gets one page of GET /api/v2/users/{userId}/queues.
func (c *Client) ListUserQueues(ctx context.Context, userID string, opts *UserQueuesOptions) (*Listing[UserQueue], error) {
	o := opts.clone()
	cl := newCall("GET", "/api/v2/users/{userId}/queues", userID)
	cl.query = o.ListOptions.values(MaxUserQueuesPageSize)
	if o.Joined != nil {
		cl.query.Set("joined", strconv.FormatBool(*o.Joined))
	}
	if len(o.DivisionIDs) > 0 {
		setList(cl.query, "divisionId", o.DivisionIDs)
	}
	var l Listing[UserQueue]
	if err := c.do(ctx, cl, &l); err != nil {
		return nil, err
	}
	return &l, nil
}

// UserQueuePages iterates the pages of a user's queue memberships.
func (c *Client) UserQueuePages(ctx context.Context, userID string, opts *UserQueuesOptions) iter.Seq2[*Listing[UserQueue], error] {
	o := opts.clone()
	return pages(ctx, "/api/v2/users/{userId}/queues", o.ListOptions, MaxUserQueuesPageSize, func(ctx context.Context, lo ListOptions) (*Listing[UserQueue], error) {
		p := o
		p.ListOptions = lo
		return c.ListUserQueues(ctx, userID, &p)
	})
}

// UserQueues iterates a user's queue memberships. For every membership,
// joined or not, iterate once with Joined true and once with false.
func (c *Client) UserQueues(ctx context.Context, userID string, opts *UserQueuesOptions) iter.Seq2[UserQueue, error] {
	return items(c.UserQueuePages(ctx, userID, opts), listingEntities[UserQueue])
}

// GetUserRoles gets GET /api/v2/users/{subjectId}/roles.
func (c *Client) GetUserRoles(ctx context.Context, userID string) (UserAuthorization, error) {
	var a UserAuthorization
	err := c.do(ctx, newCall("GET", "/api/v2/users/{subjectId}/roles", userID), &a)
	return a, err
}

// GetUserExternalIDs gets GET /api/v2/users/{userId}/externalid.
func (c *Client) GetUserExternalIDs(ctx context.Context, userID string) ([]UserExternalIdentifier, error) {
	var ids []UserExternalIdentifier
	err := c.do(ctx, newCall("GET", "/api/v2/users/{userId}/externalid", userID), &ids)
	return ids, err
}

// GetUserByExternalID gets the user an external id is registered to:
// GET /api/v2/users/externalid/{authorityName}/{externalKey}.
func (c *Client) GetUserByExternalID(ctx context.Context, authorityName, externalKey string, expand []string) (User, error) {
	cl := newCall("GET", "/api/v2/users/externalid/{authorityName}/{externalKey}", authorityName, externalKey)
	if len(expand) > 0 {
		cl.query = url.Values{}
		setList(cl.query, "expand", expand)
	}
	var u User
	err := c.do(ctx, cl, &u)
	return u, err
}

// Writes.

// CreateUser creates a user: POST /api/v2/users. It is never retried after
// a failure that leaves the outcome open: such failures return an error
// matching ErrOutcomeUnknown, and the caller must look the user up (by
// email) before trying again. A duplicate email matches ErrConflict.
func (c *Client) CreateUser(ctx context.Context, u CreateUser) (User, error) {
	cl := newCall("POST", pathUsers)
	cl.body = u
	cl.create = true
	var out User
	err := c.do(ctx, cl, &out)
	return out, err
}

// UpdateUser patches a user: PATCH /api/v2/users/{userId}. A stale
// u.Version matches ErrConflict: re-read the user and try again.
func (c *Client) UpdateUser(ctx context.Context, userID string, u UpdateUser) (User, error) {
	cl := newCall("PATCH", "/api/v2/users/{userId}", userID)
	cl.body = u
	var out User
	err := c.do(ctx, cl, &out)
	return out, err
}

// DeleteUser deletes a user (its state becomes deleted; it can be
// restored): DELETE /api/v2/users/{userId}.
func (c *Client) DeleteUser(ctx context.Context, userID string) error {
	return c.do(ctx, newCall("DELETE", "/api/v2/users/{userId}", userID), nil)
}

// PatchUsersBulk sets acdAutoAnswer on at most MaxBulkUsers users:
// PATCH /api/v2/users/bulk.
func (c *Client) PatchUsersBulk(ctx context.Context, users []PatchUser) (*Listing[User], error) {
	cl := newCall("PATCH", "/api/v2/users/bulk")
	cl.body = nonNil(users)
	var l Listing[User]
	if err := c.do(ctx, cl, &l); err != nil {
		return nil, err
	}
	return &l, nil
}

// PatchUserRoutingSkills adds or updates at most MaxBulkSkills skills:
// PATCH /api/v2/users/{userId}/routingskills/bulk.
func (c *Client) PatchUserRoutingSkills(ctx context.Context, userID string, skills []UserRoutingSkillPost) (*Listing[UserRoutingSkill], error) {
	cl := newCall("PATCH", "/api/v2/users/{userId}/routingskills/bulk", userID)
	cl.body = nonNil(skills)
	var l Listing[UserRoutingSkill]
	if err := c.do(ctx, cl, &l); err != nil {
		return nil, err
	}
	return &l, nil
}

// ReplaceUserRoutingSkills replaces all of a user's skills:
// PUT /api/v2/users/{userId}/routingskills/bulk.
func (c *Client) ReplaceUserRoutingSkills(ctx context.Context, userID string, skills []UserRoutingSkillPost) (*Listing[UserRoutingSkill], error) {
	cl := newCall("PUT", "/api/v2/users/{userId}/routingskills/bulk", userID)
	cl.body = nonNil(skills)
	var l Listing[UserRoutingSkill]
	if err := c.do(ctx, cl, &l); err != nil {
		return nil, err
	}
	return &l, nil
}

// DeleteUserRoutingSkill removes one skill:
// DELETE /api/v2/users/{userId}/routingskills/{skillId}.
func (c *Client) DeleteUserRoutingSkill(ctx context.Context, userID, skillID string) error {
	return c.do(ctx, newCall("DELETE", "/api/v2/users/{userId}/routingskills/{skillId}", userID, skillID), nil)
}

// PatchUserRoutingLanguages adds or updates at most MaxBulkLanguages
// languages: PATCH /api/v2/users/{userId}/routinglanguages/bulk.
func (c *Client) PatchUserRoutingLanguages(ctx context.Context, userID string, langs []UserRoutingLanguagePost) (*Listing[UserRoutingLanguage], error) {
	cl := newCall("PATCH", "/api/v2/users/{userId}/routinglanguages/bulk", userID)
	cl.body = nonNil(langs)
	var l Listing[UserRoutingLanguage]
	if err := c.do(ctx, cl, &l); err != nil {
		return nil, err
	}
	return &l, nil
}

// DeleteUserRoutingLanguage removes one language:
// DELETE /api/v2/users/{userId}/routinglanguages/{languageId}.
func (c *Client) DeleteUserRoutingLanguage(ctx context.Context, userID, languageID string) error {
	return c.do(ctx, newCall("DELETE", "/api/v2/users/{userId}/routinglanguages/{languageId}", userID, languageID), nil)
}

// PatchUserQueues joins or unjoins queues the user is a member of:
// PATCH /api/v2/users/{userId}/queues. Queues the user is not a member of
// are ignored by the API.
func (c *Client) PatchUserQueues(ctx context.Context, userID string, joins []QueueJoin) (*Listing[UserQueue], error) {
	cl := newCall("PATCH", "/api/v2/users/{userId}/queues", userID)
	cl.body = nonNil(joins)
	var l Listing[UserQueue]
	if err := c.do(ctx, cl, &l); err != nil {
		return nil, err
	}
	return &l, nil
}

// AddUserExternalID registers an external id for a user:
// POST /api/v2/users/{userId}/externalid. It returns the user's external
// ids.
func (c *Client) AddUserExternalID(ctx context.Context, userID string, id UserExternalIdentifier) ([]UserExternalIdentifier, error) {
	cl := newCall("POST", "/api/v2/users/{userId}/externalid", userID)
	cl.body = id
	var out []UserExternalIdentifier
	err := c.do(ctx, cl, &out)
	return out, err
}

// nonNil makes a nil slice encode as [] rather than null.
func nonNil[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}

// AddUserRoutingSkill adds or updates one skill:
// POST /api/v2/users/{userId}/routingskills.
func (c *Client) AddUserRoutingSkill(ctx context.Context, userID string, s UserRoutingSkillPost) (UserRoutingSkill, error) {
	cl := newCall("POST", "/api/v2/users/{userId}/routingskills", userID)
	cl.body = s
	var out UserRoutingSkill
	err := c.do(ctx, cl, &out)
	return out, err
}

// AddUserRoutingLanguage adds or updates one language:
// POST /api/v2/users/{userId}/routinglanguages.
func (c *Client) AddUserRoutingLanguage(ctx context.Context, userID string, l UserRoutingLanguagePost) (UserRoutingLanguage, error) {
	cl := newCall("POST", "/api/v2/users/{userId}/routinglanguages", userID)
	cl.body = l
	var out UserRoutingLanguage
	err := c.do(ctx, cl, &out)
	return out, err
}

// DeleteUserExternalID removes an external id of a user:
// DELETE /api/v2/users/{userId}/externalid/{authorityName}/{externalKey}.
func (c *Client) DeleteUserExternalID(ctx context.Context, userID, authorityName, externalKey string) error {
	return c.do(ctx, newCall("DELETE", "/api/v2/users/{userId}/externalid/{authorityName}/{externalKey}", userID, authorityName, externalKey), nil)
}
