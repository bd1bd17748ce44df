package diff

import (
	"cmp"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"maps"
	"slices"
	"strconv"
)

// Fingerprint hashes what a plan depends on in the current state: every
// user the scope of cfg covers (whatever their state), with version,
// state, profile, external ids and memberships, in id order. Two states
// with the same fingerprint give the same plan for the same feed; apply
// recomputes it from a fresh read and refuses a plan whose fingerprint
// differs (a stale plan).
func Fingerprint(cur *Current, cfg Config) string {
	h := sha256.New()
	users := make([]*User, 0, len(cur.Users))
	for i := range cur.Users {
		u := &cur.Users[i]
		if cfg.Scope.contains(u.DivisionID, u.Email) && !cfg.Scope.ignored(u) {
			users = append(users, u)
		}
	}
	slices.SortFunc(users, func(a, b *User) int { return cmp.Compare(a.ID, b.ID) })
	for _, u := range users {
		writeUser(h, u)
	}
	return "sha256:" + hex.EncodeToString(h.Sum(nil))
}

func writeUser(w io.Writer, u *User) {
	var buf []byte
	field := func(s string) {
		buf = strconv.AppendInt(buf, int64(len(s)), 10)
		buf = append(buf, ':')
		buf = append(buf, s...)
		buf = append(buf, '|')
	}
	field(u.ID)
	field(strconv.Itoa(u.Version))
	field(u.State)
	field(u.Email)
	field(u.Name)
	field(u.Title)
	field(u.Department)
	field(u.DivisionID)
	field(u.ManagerID)
	field(u.EmployeeID)
	field(strconv.FormatBool(u.ACDAutoAnswer))
	for _, k := range slices.Sorted(maps.Keys(u.ExternalIDs)) {
		field("x:" + k + "=" + u.ExternalIDs[k])
	}
	for _, k := range slices.Sorted(maps.Keys(u.Skills)) {
		field("s:" + k + "=" + strconv.FormatFloat(u.Skills[k], 'g', -1, 64))
	}
	for _, k := range slices.Sorted(maps.Keys(u.Languages)) {
		field("l:" + k + "=" + strconv.FormatFloat(u.Languages[k], 'g', -1, 64))
	}
	for _, k := range slices.Sorted(maps.Keys(u.Queues)) {
		field("q:" + k + "=" + strconv.FormatBool(u.Queues[k]))
	}
	// Added after the fields above, and only when set, so that states
	// without them keep the fingerprints they had.
	if !u.WorkPhone.IsZero() {
		field("p:" + u.WorkPhone.Number + "/" + u.WorkPhone.Extension)
	}
	for _, c := range u.OtherPhones {
		field("o:" + c.MediaType + "/" + c.Type + "/" + c.Number + "/" + c.Extension)
	}
	for _, id := range slices.Sorted(slices.Values(u.LocationIDs)) {
		field("l:" + id)
	}
	if u.DateHire != "" || u.OfficialName != "" || u.EmployeeType != "" {
		field("e:" + u.DateHire + "/" + u.OfficialName + "/" + u.EmployeeType)
	}
	grants := slices.Clone(u.Grants)
	slices.SortFunc(grants, func(a, b Grant) int {
		return cmp.Or(cmp.Compare(a.RoleID, b.RoleID), cmp.Compare(a.DivisionID, b.DivisionID))
	})
	for _, g := range grants {
		field("g:" + g.RoleID + "@" + g.DivisionID)
	}
	buf = append(buf, '\n')
	_, _ = w.Write(buf)
}
