package main

import (
	"errors"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/usersync/syncer/internal/textfmt"
)

// Typed flag values. Each checks its value when the command line is
// parsed, so a bad one is a usage error naming the flag before anything
// runs. Their errors never repeat a value that is not a number: a value
// typed in the wrong place can be a secret.

// valueError is a flag value's own complaint, safe to print.
type valueError struct{ msg string }

func (e *valueError) Error() string { return e.msg }

func valueErrorf(format string, args ...any) error {
	return &valueError{msg: fmt.Sprintf(format, args...)}
}

// intFlag is an integer of at least min.
type intFlag struct {
	p   *int
	min int
	typ string // the argument's name in -h
}

func newIntFlag(p *int, def, min int, typ string) *intFlag {
	*p = def
	return &intFlag{p: p, min: min, typ: typ}
}

func (f *intFlag) String() string { return strconv.Itoa(*f.p) }
func (f *intFlag) Type() string   { return f.typ }

func (f *intFlag) Set(s string) error {
	n, err := strconv.Atoi(s)
	if err != nil {
		if _, ferr := strconv.ParseFloat(s, 64); ferr == nil {
			return valueErrorf("want a whole number, got %s", s)
		}
		return valueErrorf("want a whole number")
	}
	if n < f.min {
		return valueErrorf("want %d or more, got %d", f.min, n)
	}
	*f.p = n
	return nil
}

// floatFlag is a number in [min, max]; what says what it is in errors
// ("a percentage").
type floatFlag struct {
	p        *float64
	min, max float64
	typ      string
	what     string
}

// newPercentFlag is a percentage, 0 to 100.
func newPercentFlag(p *float64, def float64) *floatFlag {
	*p = def
	return &floatFlag{p: p, min: 0, max: 100, typ: "percent", what: "a percentage"}
}

// newProbabilityFlag is a probability, 0 to 1.
func newProbabilityFlag(p *float64, def float64) *floatFlag {
	*p = def
	return &floatFlag{p: p, min: 0, max: 1, typ: "probability", what: "a probability"}
}

func (f *floatFlag) String() string { return strconv.FormatFloat(*f.p, 'g', -1, 64) }
func (f *floatFlag) Type() string   { return f.typ }

func (f *floatFlag) Set(s string) error {
	v, err := strconv.ParseFloat(s, 64)
	if err != nil || math.IsNaN(v) || math.IsInf(v, 0) {
		return valueErrorf("want %s, a number from %g to %g", f.what, f.min, f.max)
	}
	if v < f.min || v > f.max {
		return valueErrorf("%s is %g to %g, got %s", f.what, f.min, f.max, s)
	}
	*f.p = v
	return nil
}

// durationFlag is a Go duration (90s, 5m, 1h30m) of at least min.
type durationFlag struct {
	p   *time.Duration
	min time.Duration
}

func newDurationFlag(p *time.Duration, def, min time.Duration) *durationFlag {
	*p = def
	return &durationFlag{p: p, min: min}
}

func (f *durationFlag) String() string { return f.p.String() }
func (f *durationFlag) Type() string   { return "duration" }

func (f *durationFlag) Set(s string) error {
	d, err := time.ParseDuration(s)
	if err != nil {
		return valueErrorf("want a duration such as 250ms, 30s or 5m")
	}
	if d < f.min {
		return valueErrorf("want %s or more, got %s", f.min, d)
	}
	*f.p = d
	return nil
}

// enumFlag is one of a few words.
type enumFlag struct {
	p       *string
	allowed []string
}

func newEnumFlag(p *string, def string, allowed ...string) *enumFlag {
	*p = def
	return &enumFlag{p: p, allowed: allowed}
}

func (f *enumFlag) String() string { return *f.p }
func (f *enumFlag) Type() string   { return strings.Join(f.allowed, "|") }

func (f *enumFlag) Set(s string) error {
	if !slices.Contains(f.allowed, s) {
		msg := "want " + orList(f.allowed)
		if near := nearest(s, f.allowed); near != "" {
			msg += " (did you mean " + near + "?)"
		}
		return valueErrorf("%s", msg)
	}
	*f.p = s
	return nil
}

// complete offers the allowed words to shell completion.
func (f *enumFlag) complete(*cobra.Command, []string, string) ([]cobra.Completion, cobra.ShellCompDirective) {
	return f.allowed, cobra.ShellCompDirectiveNoFileComp
}

// stringList is a repeatable string flag.
type stringList []string

func (l *stringList) String() string { return strings.Join(*l, ",") }
func (l *stringList) Type() string   { return "string" }

func (l *stringList) Set(v string) error {
	*l = append(*l, v)
	return nil
}

// flagError turns pflag's parse errors into messages that name the flag,
// suggest the nearest one and never echo a value that is not a number.
func flagError(c *cobra.Command, err error) error {
	var (
		notExist *pflag.NotExistError
		invalid  *pflag.InvalidValueError
		required *pflag.ValueRequiredError
		syntax   *pflag.InvalidSyntaxError
	)
	switch {
	case errors.As(err, &notExist):
		var names []string
		c.Flags().VisitAll(func(f *pflag.Flag) {
			if !f.Hidden {
				names = append(names, f.Name)
			}
		})
		name, dashes := notExist.GetSpecifiedName(), "--"
		if sh := notExist.GetSpecifiedShortnames(); sh != "" {
			// -x, or a long flag with one dash that is no flag (-conifg):
			// the value after an = is not repeated.
			name, _, _ = strings.Cut(sh, "=")
			dashes = "-"
		}
		msg := "unknown flag " + dashes + textfmt.Safe(name)
		if near := nearest(name, names); near != "" && len(name) > 1 {
			msg += " (did you mean --" + near + "?)"
		}
		return errors.New(msg)
	case errors.As(err, &invalid):
		f := invalid.GetFlag()
		var ve *valueError
		if errors.As(err, &ve) {
			return fmt.Errorf("--%s: %s", f.Name, ve.msg)
		}
		return fmt.Errorf("--%s: want %s", f.Name, typeText(f.Value.Type()))
	case errors.As(err, &required):
		f := required.GetFlag()
		return fmt.Errorf("--%s needs a value (%s)", f.Name, typeText(f.Value.Type()))
	case errors.As(err, &syntax):
		return fmt.Errorf("bad flag syntax %s", textfmt.Quote(syntax.GetSpecifiedFlag()))
	}
	return err
}

// typeText says what a flag of pflag's type takes.
func typeText(typ string) string {
	switch typ {
	case "bool":
		return "true or false"
	case "int", "int64", "count":
		return "a whole number"
	case "float64", "float":
		return "a number"
	case "duration":
		return "a duration such as 250ms, 30s or 5m"
	}
	return "a " + typ
}

// orList joins words as "a, b or c".
func orList(words []string) string {
	if len(words) < 2 {
		return strings.Join(words, "")
	}
	return strings.Join(words[:len(words)-1], ", ") + " or " + words[len(words)-1]
}

// nearest returns the word of known closest to s, within a distance of 2
// (or that s starts), or "".
func nearest(s string, known []string) string {
	best, bestD := "", 3
	for _, k := range known {
		d := textfmt.EditDistance(strings.ToLower(s), strings.ToLower(k), bestD)
		if s != "" && strings.HasPrefix(k, s) && d > 0 {
			d = min(d, 2)
		}
		if d < bestD {
			best, bestD = k, d
		}
	}
	return best
}
