package genesys

import "context"

// MaxDivisionObjects bounds one division move (the limit is undocumented;
// the emulator and the plan keep to 50).
const MaxDivisionObjects = 50

// MoveUsersToDivision moves users into a division:
// POST /api/v2/authorization/divisions/{divisionId}/objects/USER with the
// user ids as the body. Moving a user already in the division changes
// nothing, so the call is safe to repeat.
func (c *Client) MoveUsersToDivision(ctx context.Context, divisionID string, userIDs []string) error {
	cl := newCall("POST", "/api/v2/authorization/divisions/{divisionId}/objects/USER", divisionID)
	cl.body = nonNil(userIDs)
	return c.do(ctx, cl, nil)
}
