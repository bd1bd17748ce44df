// Package preflight probes what a run needs before it runs, for `syncer
// check`: the database (reachable, the role accepted, the schema
// migrated), the Genesys Cloud login (client credentials in the configured
// region) and every API endpoint the configured pipelines' streams and
// feeds call, each with one cheap read, naming the permission a 403 says
// is missing as docs/genesys-setup.md lists it.
//
// # Model
//
// Endpoints is the registry: every endpoint syncer calls with the
// permissions the Platform API reference requires for it. The reads are
// listed here; the writes are those of the plan's operation kinds, read
// from their registry (package diff: diff.Kinds, KindSpec.Endpoint and
// KindSpec.When), so a new kind is checked and documented without a line
// here. streamUses, planReads, applyReads and the kinds say which step
// calls which endpoint; PipelineNeeds and FeedNeeds turn a
// configured pipeline or feed into Needs, Probe turns Needs into Checks,
// Report prints them. Table renders the same registry as the table of
// docs/genesys-setup.md, and a test keeps the two equal.
//
// # Invariants
//
//   - A probe never changes the org: reads only, pageSize 1 where the
//     endpoint pages; an endpoint that cannot be read without a side effect
//     (submitting an analytics job) is vouched for by a read that needs the
//     same permission (Endpoint.ProbedBy), and writes are listed as not
//     probed with their permissions, never faked.
//   - Cost: one call per endpoint the selected pipelines and feeds need (a
//     per-object endpoint also costs its listing, for an id), plus the
//     token request.
//   - Nothing printed holds a secret: the login check names the region,
//     the login host and the variables holding the credentials, never their
//     values; the database check names host:port/database, never the URL.
//     Strings from the org go through textfmt.Safe.
//   - The package imports the API client but not the database driver: the
//     caller wires the store in through Migrations and a connect function.
package preflight
