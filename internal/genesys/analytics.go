package genesys

import (
	"context"
	"fmt"
	"iter"
	"net/url"
	"strconv"
	"time"

	"github.com/usersync/syncer/internal/clock"
)

const (
	pathDetailsJobs    = "/api/v2/analytics/users/details/jobs"
	pathAggregatesJobs = "/api/v2/analytics/users/aggregates/jobs"
)

// SubmitUserDetailsJob submits a users details job and returns its id:
// POST /api/v2/analytics/users/details/jobs (202). Over the org's
// concurrent-job cap the API answers 429, which is retried like any 429.
func (c *Client) SubmitUserDetailsJob(ctx context.Context, q AsyncUserDetailsQuery) (string, error) {
	cl := newCall("POST", pathDetailsJobs)
	cl.body = q
	var r AsyncQueryResponse
	err := c.do(ctx, cl, &r)
	return r.JobID, err
}

// UserDetailsJobStatus gets a details job's state:
// GET /api/v2/analytics/users/details/jobs/{jobId}.
func (c *Client) UserDetailsJobStatus(ctx context.Context, jobID string) (AsyncQueryStatus, error) {
	var s AsyncQueryStatus
	err := c.do(ctx, newCall("GET", pathDetailsJobs+"/{jobId}", jobID), &s)
	return s, err
}

// CancelUserDetailsJob cancels a details job:
// DELETE /api/v2/analytics/users/details/jobs/{jobId}.
func (c *Client) CancelUserDetailsJob(ctx context.Context, jobID string) error {
	return c.do(ctx, newCall("DELETE", pathDetailsJobs+"/{jobId}", jobID), nil)
}

// UserDetailsAvailability gets the date up to which analytics data is
// complete: GET /api/v2/analytics/users/details/jobs/availability.
func (c *Client) UserDetailsAvailability(ctx context.Context) (DataAvailabilityResponse, error) {
	var r DataAvailabilityResponse
	err := c.do(ctx, newCall("GET", pathDetailsJobs+"/availability"), &r)
	return r, err
}

// UserDetailsJobResultsPage gets the page of a fulfilled details job's
// results after cursor ("" for the first page): GET …/jobs/{jobId}/results.
// A zero pageSize is MaxDetailsResultsPageSize.
func (c *Client) UserDetailsJobResultsPage(ctx context.Context, jobID, cursor string, pageSize int) (*UserDetailsJobResults, error) {
	cl := newCall("GET", pathDetailsJobs+"/{jobId}/results", jobID)
	cl.query = url.Values{"pageSize": {strconv.Itoa(pageSizeOr(pageSize, MaxDetailsResultsPageSize))}}
	setNonEmpty(cl.query, "cursor", cursor)
	var r UserDetailsJobResults
	if err := c.do(ctx, cl, &r); err != nil {
		return nil, err
	}
	return &r, nil
}

// UserDetailsJobResultPages iterates the result pages of a fulfilled details
// job by cursor.
func (c *Client) UserDetailsJobResultPages(ctx context.Context, jobID string, pageSize int) iter.Seq2[*UserDetailsJobResults, error] {
	return cursorPages(ctx, pathDetailsJobs+"/{jobId}/results", func(ctx context.Context, cursor string) (*UserDetailsJobResults, string, error) {
		p, err := c.UserDetailsJobResultsPage(ctx, jobID, cursor, pageSize)
		if err != nil {
			return nil, "", err
		}
		return p, p.Cursor, nil
	})
}

// UserDetailsJobResults iterates the user details of a fulfilled job.
func (c *Client) UserDetailsJobResults(ctx context.Context, jobID string, pageSize int) iter.Seq2[AnalyticsUserDetail, error] {
	return items(c.UserDetailsJobResultPages(ctx, jobID, pageSize), func(p *UserDetailsJobResults) []AnalyticsUserDetail { return p.UserDetails })
}

// SubmitUserAggregatesJob submits a users aggregates job:
// POST /api/v2/analytics/users/aggregates/jobs (202).
func (c *Client) SubmitUserAggregatesJob(ctx context.Context, q UserAsyncAggregationQuery) (string, error) {
	cl := newCall("POST", pathAggregatesJobs)
	cl.body = q
	var r AsyncQueryResponse
	err := c.do(ctx, cl, &r)
	return r.JobID, err
}

// UserAggregatesJobStatus gets an aggregates job's state:
// GET /api/v2/analytics/users/aggregates/jobs/{jobId}.
func (c *Client) UserAggregatesJobStatus(ctx context.Context, jobID string) (AsyncQueryStatus, error) {
	var s AsyncQueryStatus
	err := c.do(ctx, newCall("GET", pathAggregatesJobs+"/{jobId}", jobID), &s)
	return s, err
}

// CancelUserAggregatesJob cancels an aggregates job:
// DELETE /api/v2/analytics/users/aggregates/jobs/{jobId}.
func (c *Client) CancelUserAggregatesJob(ctx context.Context, jobID string) error {
	return c.do(ctx, newCall("DELETE", pathAggregatesJobs+"/{jobId}", jobID), nil)
}

// UserAggregatesJobResultsPage gets the page of an aggregates job's results
// after cursor: GET …/aggregates/jobs/{jobId}/results.
func (c *Client) UserAggregatesJobResultsPage(ctx context.Context, jobID, cursor string) (*UserAggregatesJobResults, error) {
	cl := newCall("GET", pathAggregatesJobs+"/{jobId}/results", jobID)
	if cursor != "" {
		cl.query = url.Values{"cursor": {cursor}}
	}
	var r UserAggregatesJobResults
	if err := c.do(ctx, cl, &r); err != nil {
		return nil, err
	}
	return &r, nil
}

// UserAggregatesJobResultPages iterates an aggregates job's result pages.
func (c *Client) UserAggregatesJobResultPages(ctx context.Context, jobID string) iter.Seq2[*UserAggregatesJobResults, error] {
	return cursorPages(ctx, pathAggregatesJobs+"/{jobId}/results", func(ctx context.Context, cursor string) (*UserAggregatesJobResults, string, error) {
		p, err := c.UserAggregatesJobResultsPage(ctx, jobID, cursor)
		if err != nil {
			return nil, "", err
		}
		return p, p.Cursor, nil
	})
}

// UserAggregatesJobResults iterates the per-user data of an aggregates job.
func (c *Client) UserAggregatesJobResults(ctx context.Context, jobID string) iter.Seq2[UserAggregateDataContainer, error] {
	return items(c.UserAggregatesJobResultPages(ctx, jobID), func(p *UserAggregatesJobResults) []UserAggregateDataContainer { return p.Results })
}

// JobError is an analytics job that ended without results: FAILED,
// CANCELLED or EXPIRED.
type JobError struct {
	Kind    string // "details" or "aggregates"
	JobID   string
	State   string
	Message string
}

func (e *JobError) Error() string {
	s := "genesys: analytics " + e.Kind + " job " + e.JobID + " ended " + e.State
	if e.Message != "" {
		s += ": " + e.Message
	}
	return s
}

// WaitUserDetailsJob polls a details job until it is no longer QUEUED or
// PENDING, starting every poll apart and backing off to at most maxPollWait.
// It returns a *JobError unless the job is FULFILLED.
func (c *Client) WaitUserDetailsJob(ctx context.Context, jobID string, poll time.Duration) (AsyncQueryStatus, error) {
	return c.waitJob(ctx, "details", jobID, poll, c.UserDetailsJobStatus)
}

// WaitUserAggregatesJob is WaitUserDetailsJob for an aggregates job.
func (c *Client) WaitUserAggregatesJob(ctx context.Context, jobID string, poll time.Duration) (AsyncQueryStatus, error) {
	return c.waitJob(ctx, "aggregates", jobID, poll, c.UserAggregatesJobStatus)
}

// maxPollWait caps the wait between two polls of a job.
const maxPollWait = 10 * time.Second

func (c *Client) waitJob(ctx context.Context, kind, jobID string, poll time.Duration, status func(context.Context, string) (AsyncQueryStatus, error)) (AsyncQueryStatus, error) {
	wait := max(poll, 10*time.Millisecond)
	for {
		s, err := status(ctx, jobID)
		if err != nil {
			return s, err
		}
		if s.Done() {
			if s.State != JobFulfilled {
				return s, &JobError{Kind: kind, JobID: jobID, State: s.State, Message: s.ErrorMessage}
			}
			return s, nil
		}
		if err := clock.Sleep(ctx, wait); err != nil {
			return s, fmt.Errorf("genesys: wait for analytics %s job %s: %w", kind, jobID, err)
		}
		wait = min(wait*3/2, maxPollWait)
	}
}
