// Package feed reads HR feeds, CSV or JSONL, into the desired state of
// employees, reporting every problem with its file, line and column.
//
// # Model
//
// A feed is a file of employee rows. Read streams the rows (one record in
// memory at a time, bounded by Config.MaxRecordBytes), checks each one,
// then checks what no single row shows: duplicate employee ids or emails,
// managers that exist nowhere, managers whose own row was rejected, and
// manager loops. The result is a Feed: the valid Employees, the Rejected
// rows and a sorted list of Problems. The file format is documented for
// users in docs/feeds.md.
//
// Each Employee carries Has, the set of attributes its row speaks for. An
// attribute outside Has must be left alone by whoever applies the feed; an
// attribute inside Has with an empty value means "none". In our layout a
// column present in the header is in Has for every row; in the Genesys
// admin-import layout an empty manager or list cell is not (as in the
// Genesys importer); in JSONL a missing key or null is not.
//
// # Invariants
//
//   - An invalid row produces no Employee. A row with any error-severity
//     problem is rejected whole; warnings (formula-like values, unknown
//     columns) never reject.
//   - A rejected row keeps whatever employee id and email could be read,
//     so that a snapshot diff can refuse to treat that person as a leaver.
//     Feed.UnidentifiedRejects counts rejected rows without either.
//   - A file-level problem (missing required column, bad header, UTF-16, a
//     record over the size bound) makes Read return *Error and no Feed:
//     nothing in such a file may cause a change.
//   - Values are data, never code: a value starting with =, +, - or @ is
//     kept verbatim and reported as a warning (code "formula").
//   - Problems are sorted by line then column, so that output is stable.
//   - Read does no network or database I/O. Names (skills, queues…) are
//     checked only against the Refs the caller supplies, and managers
//     outside the feed only through the caller's Directory.
package feed
