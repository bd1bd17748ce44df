package extract

// Page-size limits that decide call counts.
const (
	// QueueMembersPageSize is the largest page of GET /routing/queues/{id}/members.
	QueueMembersPageSize = 100
	// UserQueuesPageSize is the largest page of GET /users/{id}/queues.
	UserQueuesPageSize = 100
)

// QueueStrategy is how queue memberships are read.
type QueueStrategy string

const (
	// QueueSide reads GET /routing/queues/{id}/members for every queue.
	QueueSide QueueStrategy = "queue"
	// PerUser reads GET /users/{id}/queues twice per user (joined=true and
	// joined=false, since the endpoint defaults to joined only).
	PerUser QueueStrategy = "user"
)

// QueueCosts are the calls each queue-membership strategy needs.
type QueueCosts struct {
	QueueSide int
	PerUser   int
}

// Cheaper returns the strategy with fewer calls; ties go to the queue side,
// whose cost is exact up front.
func (c QueueCosts) Cheaper() QueueStrategy {
	if c.PerUser < c.QueueSide {
		return PerUser
	}
	return QueueSide
}

// EstimateQueueCosts computes both strategies' call counts from the queues'
// memberCount and the number of users whose memberships are wanted.
//
// The queue side costs Σ max(1, ⌈members/100⌉): every queue is read at least
// once because memberCount can lag. Per user costs, for each user, a joined
// and an unjoined listing of at least one page each; memberships per user are
// not known up front, so the estimate spreads the total memberships evenly.
func EstimateQueueCosts(memberCounts []int, users int) QueueCosts {
	var c QueueCosts
	total := 0
	for _, n := range memberCounts {
		c.QueueSide += max(1, ceilDiv(n, QueueMembersPageSize))
		total += n
	}
	if users > 0 {
		perUser := ceilDiv(total, users)
		c.PerUser = users * 2 * max(1, ceilDiv(perUser, UserQueuesPageSize))
	}
	return c
}

func ceilDiv(a, b int) int {
	if a <= 0 {
		return 0
	}
	return (a + b - 1) / b
}
