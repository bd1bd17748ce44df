package console

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"os"
	"regexp"
	"slices"
	"strings"

	"golang.org/x/crypto/bcrypt"
)

// Role is what a signed-in person may do.
type Role string

// Roles. A viewer reads every page; an approver also approves and rejects
// parked plans.
const (
	RoleViewer   Role = "viewer"
	RoleApprover Role = "approver"
)

// Account is one person who may sign in.
type Account struct {
	Name string
	Role Role
	// Hash is the password's bcrypt hash.
	Hash []byte
}

// HashCost is the bcrypt cost of HashPassword: about 50 ms a check on a
// server core, slow enough to make guessing expensive.
const HashCost = 12

// MinPasswordLen is the shortest password HashPassword accepts.
const MinPasswordLen = 12

// HashPassword returns the bcrypt hash of password, for an accounts line.
func HashPassword(password string) (string, error) {
	if len(password) < MinPasswordLen {
		return "", fmt.Errorf("the password has %d characters: use at least %d", len(password), MinPasswordLen)
	}
	if len(password) > 72 {
		return "", errors.New("the password is longer than 72 bytes, which bcrypt cannot hash: use a shorter one")
	}
	h, err := bcrypt.GenerateFromPassword([]byte(password), HashCost)
	if err != nil {
		return "", fmt.Errorf("hash the password: %w", err)
	}
	return string(h), nil
}

// accountNameRE is what an account name may be: it is shown on pages and
// journaled as the approver, so it is plain.
var accountNameRE = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._@+-]{0,127}$`)

// ValidName reports whether name can name an account (or a proxy's user).
func ValidName(name string) bool { return accountNameRE.MatchString(name) }

// ParseAccounts reads accounts, one entry NAME:ROLE:BCRYPT-HASH per line
// or separated by spaces or commas ("#" starts a comment), from r; source
// names r in errors ("the environment variable SYNCER_CONSOLE_ACCOUNTS",
// "/run/secrets/console"). An error names the line and the entry but never
// repeats the part after the role: it is a hash, or a password pasted by
// mistake.
func ParseAccounts(r io.Reader, source string) ([]Account, error) {
	var out []Account
	var errs []error
	seen := map[string]bool{}
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64*1024), 1024*1024)
	line := 0
	for sc.Scan() {
		line++
		text, _, _ := strings.Cut(sc.Text(), "#")
		fields := strings.FieldsFunc(text, func(r rune) bool { return r == ' ' || r == '\t' || r == ',' || r == '\r' })
		for i, f := range fields {
			where := fmt.Sprintf("%s line %d", source, line)
			if len(fields) > 1 {
				where += fmt.Sprintf(" entry %d", i+1)
			}
			a, err := parseAccount(f)
			if err != nil {
				errs = append(errs, fmt.Errorf("%s: %w", where, err))
				continue
			}
			if seen[a.Name] {
				errs = append(errs, fmt.Errorf("%s: account %s is listed twice", where, a.Name))
				continue
			}
			seen[a.Name] = true
			out = append(out, a)
		}
	}
	if err := sc.Err(); err != nil {
		errs = append(errs, fmt.Errorf("read %s: %w", source, err))
	}
	return out, errors.Join(errs...)
}

const accountFormat = "NAME:ROLE:HASH, with ROLE viewer or approver and HASH from `syncer console hash-password`"

func parseAccount(entry string) (Account, error) {
	name, rest, ok := strings.Cut(entry, ":")
	role, hash, ok2 := strings.Cut(rest, ":")
	if !ok || !ok2 {
		return Account{}, fmt.Errorf("not an account: write %s", accountFormat)
	}
	if !ValidName(name) {
		return Account{}, errors.New("the name is not valid: letters, digits and . _ @ + -, starting with a letter or digit, at most 128")
	}
	a := Account{Name: name, Role: Role(role), Hash: []byte(hash)}
	if a.Role != RoleViewer && a.Role != RoleApprover {
		return Account{}, fmt.Errorf("account %s: the role must be viewer or approver", name)
	}
	if _, err := bcrypt.Cost(a.Hash); err != nil {
		// Never repeat it: it may be the password itself.
		return Account{}, fmt.Errorf("account %s: the part after the role is not a bcrypt hash (a password is never written in plain text): make one with `syncer console hash-password`", name)
	}
	return a, nil
}

// LoadAccounts reads the accounts of the environment variable envName
// (whose value is envValue) and of the secrets file file (none when ""),
// refusing a name both hold.
func LoadAccounts(envName, envValue, file string) ([]Account, error) {
	accounts, err := ParseAccounts(strings.NewReader(envValue), "the environment variable "+envName)
	if err != nil {
		return nil, err
	}
	if file == "" {
		return accounts, nil
	}
	f, err := os.Open(file)
	if err != nil {
		return nil, fmt.Errorf("serve.console.accounts_file: %w", err)
	}
	defer f.Close()
	more, err := ParseAccounts(f, file)
	if err != nil {
		return nil, err
	}
	for _, a := range more {
		if slices.ContainsFunc(accounts, func(b Account) bool { return b.Name == a.Name }) {
			return nil, fmt.Errorf("%s: account %s is also in the environment variable %s", file, a.Name, envName)
		}
		accounts = append(accounts, a)
	}
	return accounts, nil
}
