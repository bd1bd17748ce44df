package diff

// The kinds of queue membership: members are added and removed on the
// queue side in MaxQueueMembersPerCall, and joined per user.
const (
	KindAddQueueMembers    Kind = "add_queue_members"    // POST /api/v2/routing/queues/{queueId}/members
	KindSetQueueJoined     Kind = "set_queue_joined"     // PATCH /api/v2/users/{id}/queues
	KindRemoveQueueMembers Kind = "remove_queue_members" // POST /api/v2/routing/queues/{queueId}/members?delete=true
)

func init() {
	members := Endpoint{Method: "POST", Path: "/api/v2/routing/queues/{queueId}/members",
		Permissions: []string{"routing:queueMember:manage", "routing:queue:edit"}, AnyOf: true}
	RegisterKind(KindSpec{
		Kind: KindAddQueueMembers, Phase: 100, Endpoint: members,
		Target: TargetQueue, Payload: Payload{None: true},
		Simulate: forMembers("members", MaxQueueMembersPerCall, func(s *Sim, o *Operation, u *User) {
			if _, member := u.Queues[o.QueueID]; !member {
				if u.Queues == nil {
					u.Queues = map[string]bool{}
				}
				u.Queues[o.QueueID] = s.plan.NewMembersJoined && u.State == StateActive
			}
		}),
		Verify: Verify{Replan: []Part{PartQueues}},
		When:   "queue memberships added",
	})
	RegisterKind(KindSpec{
		Kind: KindSetQueueJoined, Phase: 110,
		Endpoint: Endpoint{Method: "PATCH", Path: "/api/v2/users/{userId}/queues",
			Permissions: []string{"routing:queue:join", "routing:queueMember:manage"}, AnyOf: true},
		Target: TargetUser, Payload: Payload{Field: "queues"},
		Simulate: PerUser(func(_ *Sim, o *Operation, u *User) error {
			if err := limit("queues", len(o.Queues), MaxUserQueuesPerCall); err != nil {
				return err
			}
			for _, q := range o.Queues {
				if _, member := u.Queues[q.ID]; member { // the API ignores queues the user is not a member of
					u.Queues[q.ID] = q.Joined
				}
			}
			return nil
		}),
		Link: func(l *Linker, o *Operation) {
			// Joining takes an active user: after a reactivation; and a
			// member: after the add.
			l.Need(l.Op(KindSetState, "", o.User.Key))
			for _, q := range o.Queues {
				l.Need(l.Op(KindAddQueueMembers, q.ID, o.User.Key))
			}
		},
		Verify: Verify{Replan: []Part{PartQueues}},
		When:   "joined flags, leavers unjoined with offboard.unjoin_queues",
	})
	members.Query = "delete=true"
	RegisterKind(KindSpec{
		Kind: KindRemoveQueueMembers, Phase: 120, Endpoint: members,
		Target: TargetQueue, Payload: Payload{None: true},
		Simulate: forMembers("members", MaxQueueMembersPerCall, func(_ *Sim, o *Operation, u *User) {
			delete(u.Queues, o.QueueID)
		}),
		Verify: Verify{Replan: []Part{PartQueues}},
		When:   "queue memberships removed: owned queues, offboard.unjoin_queues",
	})
}
