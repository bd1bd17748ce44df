package console

import (
	"cmp"
	"errors"
	"maps"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/usersync/syncer/internal/diff"
	"github.com/usersync/syncer/internal/reverse"
	"github.com/usersync/syncer/internal/schedule"
	"github.com/usersync/syncer/internal/store"
)

// Limits of the lists.
const (
	// RunsListed is how many runs the runs page lists.
	RunsListed = 100
	// PlansListed is how many plans the plans page lists.
	PlansListed = 100
	// RejectedListed is how many rejected rows a plan's page lists.
	RejectedListed = 50
)

// dbHandler is a page or action that reads the database.
type dbHandler func(w http.ResponseWriter, r *http.Request, s *session, st *store.Store)

// db gives h the database, or answers 503 while the service is not ready.
func (c *Console) db(h dbHandler) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request, s *session) {
		var st *store.Store
		if c.src.Store != nil {
			st = c.src.Store()
		}
		if st == nil {
			c.errorPage(w, r, s, http.StatusServiceUnavailable, "The database is not ready yet (see /readyz): this page works once it is.")
			return
		}
		h(w, r, s, st)
	}
}

func (c *Console) dbError(w http.ResponseWriter, r *http.Request, s *session, err error) {
	if errors.Is(err, store.ErrNotFound) {
		c.errorPage(w, r, s, http.StatusNotFound, "There is no such record.")
		return
	}
	c.log.Error("console: read the database", "path", r.URL.Path, "err", err)
	c.errorPage(w, r, s, http.StatusServiceUnavailable, "The database could not be read: "+err.Error())
}

// runView is one run as the pages show it.
type runView struct {
	ID        int64
	Pipeline  string
	Kind      string
	Status    string
	Started   time.Time
	Finished  time.Time
	Duration  time.Duration
	Error     string
	Inserted  int64
	Updated   int64
	Unchanged int64
	Deleted   int64
	Calls     int64
	MinCalls  int64
	Limited   int64 // 429s
	Retries   int64
	Waited    time.Duration
	Streams   []streamView
	Feed      *store.FeedCounts
	Endpoints []endpointView
}

// streamView is one stream of a run.
type streamView struct {
	Name      string
	Status    string
	Duration  time.Duration
	Error     string
	MinCalls  int64
	Inserted  int64
	Updated   int64
	Unchanged int64
	Deleted   int64
	Tables    []tableView
}

type tableView struct {
	Name string
	schedule.TableRows
}

type endpointView struct {
	Endpoint string
	Statuses []statusCount
	Total    int64
}

type statusCount struct {
	Status string
	N      int64
	Bad    bool // no answer, or a 4xx or 5xx
}

func newRunView(r store.RunSummary) runView {
	ri := schedule.NewRunInfo(r.Run)
	v := runView{
		ID: r.ID, Pipeline: r.Pipeline, Kind: ri.Kind, Status: r.Status, Started: r.StartedAt, Finished: r.FinishedAt,
		Error: r.Error, Calls: ri.Calls.Total, MinCalls: r.MinCalls, Limited: ri.Calls.RateLimited, Retries: ri.Calls.Retries,
		Waited: time.Duration(ri.Calls.WaitedSeconds * float64(time.Second)), Feed: ri.Feed,
	}
	if !r.FinishedAt.IsZero() {
		v.Duration = r.FinishedAt.Sub(r.StartedAt)
	}
	for _, name := range slices.Sorted(maps.Keys(ri.Rows)) {
		sv := streamView{Name: name}
		for _, table := range slices.Sorted(maps.Keys(ri.Rows[name])) {
			t := ri.Rows[name][table]
			sv.Tables = append(sv.Tables, tableView{Name: table, TableRows: t})
			sv.Inserted += t.Inserted
			sv.Updated += t.Updated
			sv.Unchanged += t.Unchanged
			sv.Deleted += t.Deleted
		}
		v.Inserted += sv.Inserted
		v.Updated += sv.Updated
		v.Unchanged += sv.Unchanged
		v.Deleted += sv.Deleted
		v.Streams = append(v.Streams, sv)
	}
	for _, ep := range slices.Sorted(maps.Keys(ri.Calls.ByEndpoint)) {
		ev := endpointView{Endpoint: ep}
		for _, st := range slices.Sorted(maps.Keys(ri.Calls.ByEndpoint[ep])) {
			n := ri.Calls.ByEndpoint[ep][st]
			label := st
			if st == "0" {
				label = "no answer"
			}
			code, _ := strconv.Atoi(st)
			ev.Statuses = append(ev.Statuses, statusCount{Status: label, N: n, Bad: code == 0 || code >= 400})
			ev.Total += n
		}
		v.Endpoints = append(v.Endpoints, ev)
	}
	return v
}

// pipelineView is one pipeline or scheduled feed on the pipelines page.
type pipelineView struct {
	Name        string
	Kind        string
	Configured  bool
	Schedule    string
	NextRun     time.Time
	Running     bool
	LastRun     *runView
	LastSuccess time.Time
	Failures    int
	Backoff     time.Time
	Outcomes    []outcome
	Tally       []tallyEntry
	Duration    chart
	Calls       chart
}

// outcome is one square of the outcome strip.
type outcome struct {
	ID     int64
	Status string
	Title  string
	X      int
}

type tallyEntry struct {
	Status string
	N      int
}

type pipelinesView struct {
	Ready     bool
	Pipelines []pipelineView
	Runs      int
}

func (c *Console) pipelinesPage(w http.ResponseWriter, r *http.Request, s *session, st *store.Store) {
	runs, err := st.RecentRuns(r.Context(), "", ChartRuns)
	if err != nil {
		c.dbError(w, r, s, err)
		return
	}
	byName := map[string][]store.RunSummary{}
	for _, run := range runs {
		byName[run.Pipeline] = append(byName[run.Pipeline], run)
	}
	var jobs []schedule.JobStatus
	if c.src.Jobs != nil {
		jobs = c.src.Jobs()
	}
	view := pipelinesView{Ready: jobs != nil, Runs: len(runs)}
	seen := map[string]bool{}
	for _, j := range jobs {
		seen[j.Pipeline] = true
		pv := c.pipelineView(j.Pipeline, byName[j.Pipeline], len(view.Pipelines))
		pv.Configured = true
		pv.Schedule = deref(j.Schedule)
		pv.Running = j.Running
		pv.Failures = j.ConsecutiveFailures
		if j.NextRun != nil {
			pv.NextRun = *j.NextRun
		}
		if j.BackoffUntil != nil {
			pv.Backoff = *j.BackoffUntil
		}
		view.Pipelines = append(view.Pipelines, pv)
	}
	// Runs of pipelines this service does not schedule (`syncer run` of a
	// pipeline configured elsewhere, or one removed since).
	for _, name := range slices.Sorted(maps.Keys(byName)) {
		if !seen[name] {
			view.Pipelines = append(view.Pipelines, c.pipelineView(name, byName[name], len(view.Pipelines)))
		}
	}
	c.pages.render(w, http.StatusOK, "pipelines", c.page(s, "Pipelines", "pipelines", view))
}

func (c *Console) pipelineView(name string, runs []store.RunSummary, i int) pipelineView {
	pv := pipelineView{Name: name, Kind: schedule.KindOf(name)}
	if len(runs) > 0 {
		last := newRunView(runs[0])
		pv.LastRun = &last
	}
	tally := map[string]int{}
	for _, run := range runs {
		if run.Status == store.StatusSucceeded && pv.LastSuccess.IsZero() {
			pv.LastSuccess = run.FinishedAt
		}
		tally[run.Status]++
	}
	for _, status := range []string{store.StatusSucceeded, store.StatusAwaitingApproval, store.StatusFailed, store.StatusInterrupted, store.StatusRunning} {
		if tally[status] > 0 {
			pv.Tally = append(pv.Tally, tallyEntry{Status: status, N: tally[status]})
		}
	}
	cr := chartRunsOf(runs)
	for k, r := range cr {
		title := "run " + strconv.FormatInt(r.ID, 10) + ": " + r.Status
		if r.Duration > 0 {
			title += " in " + shortDuration(r.Duration)
		}
		pv.Outcomes = append(pv.Outcomes, outcome{ID: r.ID, Status: r.Status, Title: title, X: k * 14})
	}
	id := "p" + strconv.Itoa(i)
	pv.Duration = durationChart(id+"-duration", name, cr, c.cfg.Location)
	pv.Calls = callsChart(id+"-calls", name, cr, c.cfg.Location)
	return pv
}

type runsView struct {
	Pipeline  string
	Pipelines []string
	Runs      []runView
	Limit     int
}

func (c *Console) runsPage(w http.ResponseWriter, r *http.Request, s *session, st *store.Store) {
	name := r.URL.Query().Get("pipeline")
	all, err := st.RecentRuns(r.Context(), "", 1)
	if err != nil {
		c.dbError(w, r, s, err)
		return
	}
	view := runsView{Pipeline: name, Limit: RunsListed}
	for _, run := range all {
		view.Pipelines = append(view.Pipelines, run.Pipeline)
	}
	runs, err := st.RecentRuns(r.Context(), name, RunsListed)
	if err != nil {
		c.dbError(w, r, s, err)
		return
	}
	// Newest first across pipelines.
	slices.SortStableFunc(runs, func(a, b store.RunSummary) int {
		return cmp.Or(b.StartedAt.Compare(a.StartedAt), cmp.Compare(b.ID, a.ID))
	})
	for _, run := range runs[:min(len(runs), RunsListed)] {
		view.Runs = append(view.Runs, newRunView(run))
	}
	title := "Runs"
	if name != "" {
		title = "Runs of " + name
	}
	c.pages.render(w, http.StatusOK, "runs", c.page(s, title, "runs", view))
}

func (c *Console) runPage(w http.ResponseWriter, r *http.Request, s *session, st *store.Store) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || id <= 0 {
		c.errorPage(w, r, s, http.StatusNotFound, "A run is named by its number.")
		return
	}
	run, err := st.Run(r.Context(), id)
	if err != nil {
		c.dbError(w, r, s, err)
		return
	}
	streams, err := st.StreamRuns(r.Context(), id)
	if err != nil {
		c.dbError(w, r, s, err)
		return
	}
	sum := store.RunSummary{Run: run}
	for _, sr := range streams {
		sum.MinCalls += sr.DecodeMinCalls()
	}
	v := newRunView(sum)
	// The stream runs' own records: status, time, error, minimum; the rows
	// come from the run's counts.
	byName := map[string]int{}
	for i, sv := range v.Streams {
		byName[sv.Name] = i
	}
	for _, sr := range streams {
		i, ok := byName[sr.Stream]
		if !ok {
			v.Streams = append(v.Streams, streamView{Name: sr.Stream})
			i = len(v.Streams) - 1
			byName[sr.Stream] = i
		}
		sv := &v.Streams[i]
		sv.Status, sv.Error, sv.MinCalls = sr.Status, sr.Error, sr.DecodeMinCalls()
		if !sr.FinishedAt.IsZero() {
			sv.Duration = sr.FinishedAt.Sub(sr.StartedAt)
		}
	}
	slices.SortFunc(v.Streams, func(a, b streamView) int { return strings.Compare(a.Name, b.Name) })
	c.pages.render(w, http.StatusOK, "run", c.page(s, "Run "+strconv.FormatInt(id, 10)+" of "+run.Pipeline, "runs", v))
}

// planView is a plan, parked or journaled, as the feeds, plans and plan
// pages show it.
type planView struct {
	reverse.PlanSummary
	File      string
	Mode      string
	FeedRows  int
	Estimate  diff.Estimate
	Rejected  int
	Listed    []rejectedView
	Unlisted  int
	Guards    int
	Kinds     []kindCount
	Journal   []statusN // the apply journal's operations by status
	Detailed  bool      // the fields above are filled (from PlanDetail)
	Awaiting  bool
	Decidable bool // awaiting approval and not past its expiry
}

type rejectedView struct {
	Where  string
	Reason string
}

// rejectedOf shows a rejected row as file:line and its reason. A reason
// that starts with its place (file:line:column: ...) keeps it as the
// place rather than saying it twice.
func rejectedOf(file string, line int, reason string) rejectedView {
	if rest, ok := strings.CutPrefix(reason, file+":"); ok && file != "" {
		if place, why, ok := strings.Cut(rest, ": "); ok && place != "" && strings.Trim(place, "0123456789:") == "" {
			return rejectedView{Where: file + ":" + place, Reason: why}
		}
	}
	return rejectedView{Where: file + ":" + strconv.Itoa(line), Reason: reason}
}

// kindCount is how many operations of one kind a plan holds.
type kindCount struct {
	Kind  string
	N     int
	Calls int
}

type statusN struct {
	Status string
	N      int
}

func newPlanView(ps reverse.PlanSummary, now time.Time) planView {
	v := planView{PlanSummary: ps, Awaiting: ps.Status == store.ApprovalAwaiting}
	v.Decidable = v.Awaiting && (ps.ExpiresAt.IsZero() || now.Before(ps.ExpiresAt))
	return v
}

// detail fills what only the whole plan says: its file, operations by
// kind, rejected rows, and the apply journal's counts.
func (v *planView) detail(d *reverse.PlanDetail) {
	v.Detailed = true
	p := d.Plan
	v.File, v.Mode, v.FeedRows, v.Estimate, v.Guards = p.Feed, string(p.Mode), p.FeedRows, p.Estimate, len(p.Guards)
	v.Rejected = p.Rejected.Count
	for i, row := range p.Rejected.Rows {
		if i == RejectedListed {
			v.Unlisted = len(p.Rejected.Rows) - i
			break
		}
		v.Listed = append(v.Listed, rejectedOf(p.Feed, row.Line, row.Reason))
	}
	kinds := map[string]*kindCount{}
	for _, o := range p.Operations {
		k := kinds[string(o.Kind)]
		if k == nil {
			k = &kindCount{Kind: string(o.Kind)}
			kinds[string(o.Kind)] = k
		}
		k.N++
		k.Calls += o.Calls
	}
	for _, name := range slices.Sorted(maps.Keys(kinds)) {
		v.Kinds = append(v.Kinds, *kinds[name])
	}
	for _, st := range slices.Sorted(maps.Keys(d.Operations)) {
		v.Journal = append(v.Journal, statusN{Status: st, N: d.Operations[st]})
	}
}

type feedView struct {
	Feed
	Job      string
	LastRun  *runView
	LastPlan *planView
}

func (c *Console) feedsPage(w http.ResponseWriter, r *http.Request, s *session, st *store.Store) {
	plans := reverse.NewApprovals(st)
	var view []feedView
	for _, f := range c.src.Feeds {
		fv := feedView{Feed: f}
		if f.Schedule != "" {
			fv.Job = schedule.FeedJobPrefix + f.Name
			runs, err := st.RecentRuns(r.Context(), fv.Job, 1)
			if err != nil {
				c.dbError(w, r, s, err)
				return
			}
			if len(runs) > 0 {
				rv := newRunView(runs[0])
				fv.LastRun = &rv
			}
		}
		list, err := plans.ListPlans(r.Context(), reverse.PlanFilter{Feed: f.Name, Limit: 1})
		if err != nil {
			c.dbError(w, r, s, err)
			return
		}
		if len(list) > 0 {
			d, err := plans.PlanDetail(r.Context(), list[0].ID)
			if err != nil {
				c.dbError(w, r, s, err)
				return
			}
			pv := newPlanView(list[0], c.cfg.Now())
			pv.detail(d)
			fv.LastPlan = &pv
		}
		view = append(view, fv)
	}
	c.pages.render(w, http.StatusOK, "feeds", c.page(s, "Feeds", "feeds", view))
}

type plansView struct {
	Awaiting []planView
	Others   []planView
	Limit    int
}

func (c *Console) plansPage(w http.ResponseWriter, r *http.Request, s *session, st *store.Store) {
	plans := reverse.NewApprovals(st)
	awaiting, err := plans.ListPlans(r.Context(), reverse.PlanFilter{Statuses: []string{store.ApprovalAwaiting}, Limit: PlansListed})
	if err != nil {
		c.dbError(w, r, s, err)
		return
	}
	all, err := plans.ListPlans(r.Context(), reverse.PlanFilter{Limit: PlansListed})
	if err != nil {
		c.dbError(w, r, s, err)
		return
	}
	view := plansView{Limit: PlansListed}
	now := c.cfg.Now()
	for _, p := range awaiting {
		view.Awaiting = append(view.Awaiting, newPlanView(p, now))
	}
	for _, p := range all {
		if p.Status != store.ApprovalAwaiting {
			view.Others = append(view.Others, newPlanView(p, now))
		}
	}
	c.pages.render(w, http.StatusOK, "plans", c.page(s, "Plans", "plans", view))
}

// planDetailView is a plan's page.
type planDetailView struct {
	planView
	Lines     []planLine
	Events    []reverse.PlanEvent
	Failed    []store.Operation
	CanDecide bool // an approver, and the plan awaits a decision
	Message   string
	CSRF      string
}

// planLine is one line of the plan as `syncer plan` prints it, with a class
// for its colour.
type planLine struct {
	Text  string
	Class string
}

func (c *Console) planPage(w http.ResponseWriter, r *http.Request, s *session, st *store.Store) {
	d, err := reverse.NewApprovals(st).PlanDetail(r.Context(), r.PathValue("id"))
	if err != nil {
		c.planError(w, r, s, err)
		return
	}
	v := planDetailView{planView: newPlanView(d.PlanSummary, c.cfg.Now()), Events: d.Events, CSRF: s.csrf}
	v.detail(d)
	v.Lines = planLines(d.Diff)
	if len(d.Operations) > 0 {
		ops, err := st.Operations(r.Context(), d.ID)
		if err != nil {
			c.dbError(w, r, s, err)
			return
		}
		for _, o := range ops {
			if o.Status == store.OpFailed {
				v.Failed = append(v.Failed, o)
			}
		}
	}
	v.CanDecide = v.Decidable && s.role == RoleApprover
	switch r.URL.Query().Get("done") {
	case "approved":
		v.Message = "Approved: the feed's job applies it now, while the org still matches it (else it is planned again)."
	case "rejected":
		v.Message = "Rejected: it will not be applied."
	}
	c.pages.render(w, http.StatusOK, "plan", c.page(s, "Plan "+d.ID, "plans", v))
}

// planError answers an error of the approvals API: an unknown or
// ambiguous id is a 404, a plan that cannot be decided a 409, a bad
// decision a 400.
func (c *Console) planError(w http.ResponseWriter, r *http.Request, s *session, err error) {
	switch {
	case errors.Is(err, reverse.ErrPlanNotFound), errors.Is(err, reverse.ErrAmbiguousPlan):
		c.errorPage(w, r, s, http.StatusNotFound, err.Error())
	case errors.Is(err, reverse.ErrNotAwaiting):
		c.errorPage(w, r, s, http.StatusConflict, err.Error())
	case errors.Is(err, reverse.ErrInvalidDecision):
		c.errorPage(w, r, s, http.StatusBadRequest, err.Error())
	default:
		c.dbError(w, r, s, err)
	}
}

// planLines splits a plan as `syncer plan` prints it (diff.Plan.Render)
// into lines, classed by their leading symbol.
func planLines(text string) []planLine {
	var out []planLine
	for _, line := range strings.Split(strings.TrimRight(text, "\n"), "\n") {
		out = append(out, planLine{Text: line, Class: lineClass(line)})
	}
	return out
}

func lineClass(line string) string {
	t := strings.TrimLeft(line, " ")
	switch {
	case strings.HasPrefix(t, "+ "):
		return "add"
	case strings.HasPrefix(t, "~ "):
		return "change"
	case strings.HasPrefix(t, "- "):
		return "remove"
	case strings.HasPrefix(t, "TRIPPED"), strings.Contains(line, "guard(s) tripped"):
		return "tripped"
	}
	return ""
}

// decide approves or rejects a parked plan, as the signed-in approver,
// and asks the scheduler to run the plan's feed at once (it applies an
// approved plan).
func (c *Console) decide(approve bool) dbHandler {
	return func(w http.ResponseWriter, r *http.Request, s *session, st *store.Store) {
		id := r.PathValue("id")
		reason := strings.TrimSpace(r.PostFormValue("reason"))
		plans := reverse.NewApprovals(st)
		done, do := "approved", plans.Approve
		if !approve {
			done, do = "rejected", plans.Reject
			if reason == "" {
				c.errorPage(w, r, s, http.StatusBadRequest, "Say why the plan is rejected: the reason is journaled with it. Nothing was done.")
				return
			}
		}
		d, err := do(r.Context(), id, s.user, reason)
		if err != nil {
			c.log.Warn("console: plan not "+done, "plan", id, "user", s.user, "err", err)
			c.planError(w, r, s, err)
			return
		}
		c.log.Info("console: plan "+done, "plan", d.ID, "feed", d.Feed, "user", s.user)
		if approve && d.Feed != "" && c.src.Trigger != nil {
			c.src.Trigger(schedule.FeedJobPrefix + d.Feed)
		}
		http.Redirect(w, r, "/console/plans/"+url.PathEscape(d.ID)+"?done="+done, http.StatusSeeOther)
	}
}

func deref(p *string) string {
	if p == nil {
		return ""
	}
	return *p
}
