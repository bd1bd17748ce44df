package main

// Subcommands whose issues have not landed yet. Each moves to its own
// cmd_*.go file when it is implemented.
func init() {
	notYet("demo", "run everything end to end against the built-in emulator")
}
