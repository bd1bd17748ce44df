// Package feed reads HR feeds, CSV or JSONL, into the desired state of
// employees, reporting every problem with its file, line and column.
//
// # Model
//
// A feed is a file of employee rows, judged in two phases.
//
// Parse reads the whole file with no org data, and so before any API call:
// the encoding, the delimiter, the header (required, duplicate and unknown
// columns), the syntax of every row, the rules of every field (emails,
// length bounds, control characters, proficiencies, booleans, states,
// actions, lists), then what no single row shows: duplicate employee ids
// or emails, manager loops, and managers whose own row in the feed was
// rejected or offboarded. Rows stream through the parser one record at a
// time (bounded by Config.MaxRecordBytes); each is kept as a record, the
// valid ones to become Employees. The Parsed it returns counts the rows
// and lists the rejected ones and the problems so far.
//
// Parsed.Resolve then checks what needs the org, without I/O of its own:
// the names of skills, languages, queues, roles and divisions against the
// caller's Refs, and managers outside the feed against the caller's
// Directory, rejecting in turn the rows under a manager it rejects. The
// result is a Feed: the valid Employees, the Rejected rows and a sorted
// list of Problems. Read is Parse then Resolve. The file format is
// documented for users in docs/feeds.md.
//
// Each Employee carries Has, the set of attributes its row speaks for. An
// attribute outside Has must be left alone by whoever applies the feed; an
// attribute inside Has with an empty value means "none". In our layout a
// column present in the header is in Has for every row, but for an empty
// division, state, acd_auto_answer, location or hire date cell ("not
// given"); in the Genesys admin-import layout an empty manager or list
// cell is not in Has either (as in the Genesys importer); in JSONL a
// missing key or null is not.
//
// The admin-import layout ("Add people with .csv file import") is told by
// its column names (an email_manager, location_work or roles_divisions
// column, or admin-import columns only with a phone among them). Its list
// items are separated by commas, it is read as a delta unless the mode is
// set (the importer never offboards), and it needs name and email.
//
// # Invariants
//
//   - An invalid row produces no Employee. A row with any error-severity
//     problem is rejected whole; warnings (formula-like values) never
//     reject.
//   - A rejected row keeps whatever employee id and email could be read,
//     so that a snapshot diff can refuse to treat that person as a leaver.
//     Feed.UnidentifiedRejects counts rejected rows without either.
//   - A file-level problem (empty file, header without rows, wrong
//     delimiter, unknown or missing column, bad header, UTF-16, a record
//     over the size bound) makes Parse and Read return *Error and no rows:
//     nothing in such a file may cause a change.
//   - No feed value is accepted that holds a control character (C0, DEL,
//     C1: so no terminal escape sequence), a line break or an invisible
//     format character, and no value over its length bound (MaxLength).
//   - Every feed value quoted in a Problem's Reason, a Rejected's Reason
//     or an error is escaped (textfmt.Quote, textfmt.Safe): printed on a
//     terminal or written to a log, a problem cannot move the cursor,
//     clear a line or reorder text.
//   - Values are data, never code: a value starting with =, +, - or @ is
//     kept verbatim and reported as a warning (code "formula").
//   - Problems are sorted by line then column, so that output is stable.
//   - Parse and Resolve do no network or database I/O, and the work of
//     each is linear in the rows (a long chain of managers, or thousands
//     of rows sharing a placeholder email, cost no more).
package feed
