// Package config reads syncer's YAML configuration file and the environment
// into typed, validated values.
//
// The model: one file holds the connection to Genesys Cloud (region or base
// URL), the database, the rate budget, logging, the service settings and the
// named pipelines and feeds. Secrets never live in the file: the client id,
// client secret and database URL come from environment variables whose names
// the file may override (GENESYS_CLIENT_ID, GENESYS_CLIENT_SECRET,
// DATABASE_URL by default). A file that names a secret key directly is
// rejected.
//
// Invariants:
//   - Every error points at the file, line and key it is about
//     ("syncer.yaml:14: pipelines.nightly.users.page_size: must be between 1 and 500").
//   - Unknown keys are errors, so a typo never silently falls back to a default.
//   - Load fills defaults, so code downstream never sees a zero value where a
//     default was meant. The package does no network or database I/O.
//   - Secret values are held in Secret, whose String and formatting methods
//     never print the value.
package config
