package apply

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/usersync/syncer/internal/diff"
)

// Executor is how apply carries out the operations of one kind: the API
// call(s) it makes. Each kind registers one (RegisterExecutor) in the file
// of the same name as the kind's file in package diff (kind_*.go).
type Executor struct {
	// Call makes the call(s) of o and returns what the journal keeps of it
	// (nil: nothing). x.Retry() says an earlier attempt may have happened.
	Call func(ctx context.Context, x *Exec, o *diff.Operation) (any, error)
	// Recall, when set, takes back what a done operation of an earlier,
	// interrupted apply established, from its journaled result (a
	// create's user id).
	Recall func(x *Exec, o *diff.Operation, result json.RawMessage)
}

// executors holds the executor of each kind. It is filled by init
// functions and only read afterwards.
var executors = map[diff.Kind]Executor{}

// RegisterExecutor sets the executor of a kind registered in package diff.
// Call it from an init function. It panics when the kind is not
// registered, already has an executor, or e has no Call.
func RegisterExecutor(k diff.Kind, e Executor) {
	switch _, known := diff.LookupKind(k); {
	case !known:
		panic(fmt.Sprintf("apply: RegisterExecutor: kind %q is not registered in package diff", k))
	case e.Call == nil:
		panic(fmt.Sprintf("apply: RegisterExecutor: kind %s: no Call", k))
	}
	if _, dup := executors[k]; dup {
		panic(fmt.Sprintf("apply: RegisterExecutor: kind %s registered twice", k))
	}
	executors[k] = e
}

// HasExecutor reports whether kind k has an executor.
func HasExecutor(k diff.Kind) bool {
	_, ok := executors[k]
	return ok
}

// Exec is what an executor sees of the apply running it: the client, the
// users the plan created so far, and the counts of calls.
type Exec struct {
	r     *run
	retry bool
}

// API is the client the apply calls. A built-in kind's executor calls the
// methods API lists (a new kind adds the one it needs to API, so that the
// compiler checks the client has it); an executor outside this package
// may declare the one-method interface it needs and assert API to it.
func (x *Exec) API() API { return x.r.a.api }

// Retry reports whether an earlier attempt of the operation may have
// happened (it was journaled running or failed): an executor that creates
// looks before it creates again.
func (x *Exec) Retry() bool { return x.retry }

// Plan is the plan being applied.
func (x *Exec) Plan() *diff.Plan { return x.r.plan }

// Resolve returns the user id of a reference: its ID, or the id the create
// of a user the plan created returned.
func (x *Exec) Resolve(ref diff.UserRef) (string, error) { return x.r.resolve(ref) }

// ResolveAll resolves every reference (see Resolve).
func (x *Exec) ResolveAll(refs []diff.UserRef) ([]string, error) { return x.r.resolveAll(refs) }

// Touch records that the operation changes these users: the verification
// after the apply reads them again.
func (x *Exec) Touch(ids ...string) { x.r.touch(ids...) }

// Write counts a write call, Read a read call, for Result.
func (x *Exec) Write() { x.r.write() }

// Read counts a read call (see Write).
func (x *Exec) Read() { x.r.read() }

// PerUser adapts the call of an operation on one user (diff.TargetUser):
// it resolves the user, records it as touched and counts one write, then
// calls f with the user's id.
func PerUser(f func(ctx context.Context, x *Exec, o *diff.Operation, userID string) error) func(context.Context, *Exec, *diff.Operation) (any, error) {
	return func(ctx context.Context, x *Exec, o *diff.Operation) (any, error) {
		if o.User == nil {
			return nil, fmt.Errorf("operation %s (%s) has no user", o.ID, o.Kind)
		}
		id, err := x.Resolve(*o.User)
		if err != nil {
			return nil, err
		}
		x.Touch(id)
		x.Write()
		return nil, f(ctx, x, o, id)
	}
}
