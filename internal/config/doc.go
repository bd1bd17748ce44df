// Package config reads syncer's YAML configuration file and the environment
// into typed, validated values.
//
// The model: one file holds the connection to Genesys Cloud (region or base
// URL), the database, the rate budget, logging, the service settings and the
// named pipelines and feeds. Secrets never live in the file: the client id,
// client secret and database URL come from environment variables whose names
// the file may override (GENESYS_CLIENT_ID, GENESYS_CLIENT_SECRET,
// DATABASE_URL by default). A file that names a secret key directly is
// rejected. There is no default database: a command that uses one calls
// RequireDatabase, which names the unset variable (only `syncer demo` has a
// database of its own), as a command that calls the API calls
// RequireGenesys.
//
// Invariants:
//   - Every error points at the file, line and key it is about
//     ("syncer.yaml:14: pipelines.nightly.users.page_size: must be between 1 and 500, got 501"),
//     or at the environment variable a value came from. Load reports every
//     problem of a file at once, in file order.
//   - Unknown keys are errors, so a typo never silently falls back to a default.
//   - Load fills the defaults of the sections it owns (genesys, database,
//     rate, log, serve), so code downstream never sees a zero value where a
//     default was meant. A pipeline's or a feed's keys left out stay unset:
//     the package that runs it holds their defaults, the only definition
//     of each (Pipeline.Forward maps a pipeline onto pipeline.ForwardConfig;
//     reverse maps a feed onto diff.Config). Stream names, user states and
//     queue strategies are checked against package pipeline's lists, so a
//     stream registered there is accepted here. The package does no network
//     or database I/O.
//   - Secret values are held in Secret, whose String and formatting methods
//     never print the value.
//
// # What an error may repeat
//
// A value from the file or the environment may be a secret pasted in the
// wrong place: a database URL with its password in database.url_env, a
// client secret in client_secret_env or in requests_per_minute. So errors
// name the key and say what is wrong in words ("looks like a URL, not a
// variable name", "looks like a secret value, not a variable name", "must be
// a whole number", "not one of debug, info, warn, error"), and never repeat
// what was written. yaml.v3's messages, which quote values ("cannot
// unmarshal !!str `hunter2` into int"), are replaced by the same kind of
// message. The line and key say where to look.
//
// The exceptions, shown because they cannot be secrets and they help:
//   - Keys, which are names: shown when they look like one (at most 64
//     bytes of letters, digits, _, -, . and spaces, not shaped like a
//     secret); any other key is described ("<a key that looks like a
//     secret>"), as it is most likely a value pasted where a key goes.
//   - Words of our own: the allowed values of a key, the one nearest to what
//     was written ("did you mean \"users\"?"), and an allowed word listed
//     twice.
//   - Small numbers: a number the key bounds, with at most six digits before
//     the point ("must be between 1 and 500, got 501"), and a duration after
//     decoding ("got -5s").
//   - Environment variable names, once checked to be names and not shaped
//     like a secret ("the environment variable DATABASE_URL ... is not set").
//   - Counts, sizes and positions: "a NUL byte at byte offset 8 (line 1,
//     column 9)", "the value is 2.0 KiB; at most 1024 bytes".
//
// URLs are never repeated, nor any part of them: they may carry a user and
// password or a token in the query.
//
// # Limits
//
// A file is at most MaxFileSize (1 MiB), a value or key at most MaxValueLen
// bytes (a feed path MaxPathLen), a list or mapping at most MaxEntries
// entries. A file that is empty or only comments is an error (write {} to
// run on the defaults on purpose); a binary, UTF-16 or non-UTF-8 file, or one
// with control characters, is refused with the byte offset; a schedule may
// not fire more often than serve.min_schedule_interval (default 1m).
package config
