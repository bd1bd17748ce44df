package extract

import "testing"

func TestEstimateQueueCosts(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		members []int
		users   int
		want    QueueCosts
		cheaper QueueStrategy
	}{
		{"typical org", []int{250, 100, 0, 1}, 400, QueueCosts{QueueSide: 3 + 1 + 1 + 1, PerUser: 800}, QueueSide},
		{"few users in huge queues", []int{100000}, 10, QueueCosts{QueueSide: 1000, PerUser: 10 * 2 * 100}, QueueSide},
		{"one user, many empty queues", make([]int, 50), 1, QueueCosts{QueueSide: 50, PerUser: 2}, PerUser},
		{"no users", []int{5}, 0, QueueCosts{QueueSide: 1, PerUser: 0}, PerUser},
	}
	for _, tt := range tests {
		got := EstimateQueueCosts(tt.members, tt.users)
		if got != tt.want {
			t.Errorf("%s: EstimateQueueCosts = %+v, want %+v", tt.name, got, tt.want)
		}
		if got.Cheaper() != tt.cheaper {
			t.Errorf("%s: Cheaper = %s, want %s", tt.name, got.Cheaper(), tt.cheaper)
		}
	}
}
