package genesys

import "context"

// Subject types of SubjectDivisionGrants.
const (
	SubjectTypeUser  = "PC_USER"
	SubjectTypeGroup = "PC_GROUP"
)

// SubjectDivisionGrants is one subject (user or group) granted a role, with
// the divisions of the grants (GET /authorization/roles/{id}/subjectgrants).
type SubjectDivisionGrants struct {
	ID        string     `json:"id,omitempty"`
	Name      string     `json:"name,omitempty"`
	Type      string     `json:"type,omitempty"`
	Divisions []Division `json:"divisions,omitempty"`
	SelfURI   string     `json:"selfUri,omitempty"`
}

// ListRoleSubjectGrants gets one page of the subjects granted a role and the
// divisions of their grants: the role-side way to read every user's grants
// in Σ ⌈subjects/pageSize⌉ calls instead of one call per user.
func (c *Client) ListRoleSubjectGrants(ctx context.Context, roleID string, opts *ListOptions) (*Listing[SubjectDivisionGrants], error) {
	cl := newCall("GET", "/api/v2/authorization/roles/{roleId}/subjectgrants", roleID)
	o := ListOptions{}
	if opts != nil {
		o = *opts
	}
	cl.query = o.values(MaxReferencePageSize)
	var l Listing[SubjectDivisionGrants]
	if err := c.do(ctx, cl, &l); err != nil {
		return nil, err
	}
	return &l, nil
}
