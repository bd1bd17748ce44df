// Package console is the web console of `syncer serve`: pipelines with
// their schedules, outcomes and charts, runs and their streams, feeds with
// their last plan, plans with the per-person diff, and approval or
// rejection of a parked plan. It is served under /console/ on the address
// of /metrics, off unless serve.console.enabled is set.
//
// # Model
//
// The console only reads what the service records (sync_runs,
// sync_stream_runs, the plan journal, through package store) and what the
// scheduler knows (schedule.JobStatus); the one thing it changes is a
// parked plan's fate, through the Approvals it is given. Pages are
// html/template, the style sheet and templates are embedded, charts are
// inline SVG drawn on the server: there is no script at all, no request to
// anywhere else, and it works offline.
//
// # Security
//
//   - Every page and action needs a session, except the sign-in page and
//     the style sheet. Accounts (Account: a name, a role, a bcrypt hash)
//     come from the environment or a secrets file (ParseAccounts), never
//     from the configuration file, and never in plain text: an entry whose
//     hash is not a bcrypt hash is refused without being repeated.
//     `syncer console hash-password` makes a hash. A trusted proxy's user
//     header (Config.ProxyUserHeader) is believed only from
//     Config.TrustedProxies.
//   - Two roles: a viewer reads everything; an approver may also approve
//     or reject. The role is checked on the server for every action, not
//     only by hiding a button.
//   - Sessions live in memory, with a random 256-bit id in a cookie that is
//     HttpOnly, SameSite=Strict and, over TLS, Secure with the __Host-
//     prefix. They end after SessionIdle without use or SessionMax after
//     sign-in, at sign-out, and when the process restarts. A new id is
//     issued at each sign-in. Failed sign-ins of one name are throttled.
//   - Every POST needs the session's CSRF token in its form (the sign-in
//     form a double-submitted one) and a same-origin browser request
//     (http.CrossOriginProtection); a request that lacks either is refused
//     and changes nothing.
//   - Every value from the org or a feed is text: html/template escapes
//     markup, and the template function s (textfmt.Safe) shows control
//     characters, terminal escapes and bidi overrides as \x1b, \u202e.
//     The Content-Security-Policy forbids every script, so markup that got
//     through anyway would not run.
//   - No secret reaches a page: the console is given no credential, and
//     the run errors it shows are recorded free of them.
package console
