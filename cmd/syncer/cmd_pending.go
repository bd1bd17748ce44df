package main

// Subcommands whose issues have not landed yet. Each moves to its own
// cmd_*.go file when it is implemented.
func init() {
	notYet("plan", "diff an HR feed against the org and print the plan")
	notYet("apply", "apply a saved plan or a feed, journaled and resumable")
	notYet("demo", "run everything end to end against the built-in emulator")
}
