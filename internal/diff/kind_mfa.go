package diff

import (
	"fmt"
	"slices"
)

// KindDeleteVerifier revokes one MFA verifier of a leaver:
// DELETE /api/v2/users/{userId}/verifiers/{verifierId}, the verifier id in
// RemoveID. The plan knows the verifiers from GET /users/{id}/verifiers
// (one call per leaver leaving now, package reverse), so it prices one call
// per verifier.
const KindDeleteVerifier Kind = "delete_verifier"

func init() {
	RegisterKind(KindSpec{
		Kind: KindDeleteVerifier,
		// A leaver step: before the state changes (40), while the account is
		// still active.
		Phase: 32,
		Endpoint: Endpoint{Method: "DELETE", Path: "/api/v2/users/{userId}/verifiers/{verifierId}",
			Permissions: []string{"mfa:verifier:delete"}, AnyOf: true},
		Target: TargetUser, Payload: Payload{Field: "remove_id"},
		Simulate: PerUser(func(_ *Sim, o *Operation, u *User) error {
			k := slices.Index(u.Verifiers, o.RemoveID)
			if k < 0 {
				return fmt.Errorf("404: user %s has no verifier %s", u.ID, o.RemoveID)
			}
			u.Verifiers = slices.Delete(slices.Clone(u.Verifiers), k, k+1)
			return nil
		}),
		Verify: Verify{Replan: []Part{PartVerifiers}},
		Plan:   planRevokeMFA,
		When:   "leavers leaving now, with offboard.revoke_mfa: one per verifier",
	})
}

// planRevokeMFA deletes every verifier of a leaver leaving now, when the
// plan read them.
func planRevokeMFA(x *Person) {
	u := x.User()
	if !x.Settings().Offboard.RevokeMFA || !x.LeavingNow() || !u.VerifiersKnown || len(u.Verifiers) == 0 {
		return
	}
	x.Change(Change{Attr: "mfa_verifiers", Before: fmt.Sprint(len(u.Verifiers)), After: "0", Reason: x.offboardBy("revoke_mfa")})
	for _, id := range slices.Sorted(slices.Values(u.Verifiers)) {
		x.Op(":"+id, func(o *Operation) { o.RemoveID = id })
	}
}
