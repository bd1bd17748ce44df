package diff

// KindSendInvite sends a user the activation email: POST
// /api/v2/users/{userId}/invite (force=true resends one that is
// outstanding).
const KindSendInvite Kind = "send_invite"

// Invite is the payload of a send_invite.
type Invite struct {
	// Force resends an invitation that is outstanding.
	Force bool `json:"force,omitempty"`
}

func init() {
	RegisterKind(KindSpec{
		Kind: KindSendInvite,
		// Once the account is set up (everything up to 150), before any
		// deletion (160).
		Phase: 155,
		Endpoint: Endpoint{Method: "POST", Path: "/api/v2/users/{userId}/invite",
			Permissions: []string{"directory:organization:admin", "directory:userPassword:edit"}, AnyOf: true},
		Target: TargetUser, Payload: PayloadOf[Invite](),
		Simulate: PerUser(func(s *Sim, _ *Operation, u *User) error {
			// Genesys Cloud makes an inactive user active when it sends the
			// invitation; the planner never invites one.
			if u.State == StateInactive {
				u.State = StateActive
				u.Version++
			}
			u.WelcomeSent = s.cur.AsOf
			return nil
		}),
		Verify: Verify{Replan: []Part{PartInvite, PartState}},
		Plan:   planInvite,
		When:   "joiners the plan creates, with onboard.send_invite; listed users whose invitation is outstanding and older than onboard.resend_invite_after",
	})
}

// planInvite invites a joiner the plan creates active, once; and, with
// onboard.resend_invite_after, resends the invitation of a listed active
// user who was sent one longer ago than that and never logged in with a
// password (when the listing read both dates). A resent invitation is
// dated when the state was read, so the next plan does not resend it.
func planInvite(x *Person) {
	on := x.Settings().Onboard
	switch u := x.User(); {
	case x.Row() == nil || x.State() != StateActive:
	case x.Action() == ActionCreate && on.SendInvite != nil && *on.SendInvite:
		x.Change(Change{Attr: "invite", After: "sent"})
		x.Op("", func(o *Operation) { o.Payload = EncodePayload(Invite{}) })
	case on.ResendAfter > 0 && x.Action() != ActionOffboard && u != nil && u.State == StateActive && u.InviteKnown && !u.LoggedIn &&
		!u.WelcomeSent.IsZero() && !x.AsOf().IsZero() && x.AsOf().Sub(u.WelcomeSent) >= on.ResendAfter:
		x.Change(Change{Attr: "invite", Before: "sent " + u.WelcomeSent.UTC().Format("2006-01-02"), After: "sent again",
			Reason: "outstanding longer than onboard.resend_invite_after (" + fmtDays(on.ResendAfter) + ")"})
		x.Op("", func(o *Operation) { o.Payload = EncodePayload(Invite{Force: true}) })
	}
}
