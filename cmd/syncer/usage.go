package main

import (
	"fmt"
	"slices"
	"strings"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
)

// usageWidth is the width usage text wraps at.
const usageWidth = 100

// usage writes c's usage to c.OutOrStderr(): its command line, its
// subcommands, examples and flags. cobra's help prints the command's long
// description and then this.
func usage(c *cobra.Command) error {
	var b strings.Builder
	b.WriteString("Usage:\n")
	if c.HasParent() {
		fmt.Fprintf(&b, "  %s\n", c.UseLine())
	} else {
		fmt.Fprintf(&b, "  %s COMMAND [flags]\n", c.Name())
	}
	if c.HasAvailableSubCommands() {
		b.WriteString("\nCommands:\n")
		for _, sub := range c.Commands() {
			if sub.IsAvailableCommand() || sub.Name() == "help" {
				fmt.Fprintf(&b, "  %-*s  %s\n", sub.NamePadding(), sub.Name(), sub.Short)
			}
		}
	}
	if c.HasExample() {
		fmt.Fprintf(&b, "\nExamples:\n%s\n", c.Example)
	}
	if fs := c.LocalFlags(); fs.HasAvailableFlags() {
		fmt.Fprintf(&b, "\nFlags:\n%s", flagUsages(fs))
	}
	if c.HasAvailableSubCommands() {
		fmt.Fprintf(&b, "\nRun '%s help COMMAND' or '%s COMMAND -h' for a command's flags.\n", c.Root().Name(), c.CommandPath())
	}
	_, err := fmt.Fprint(c.OutOrStderr(), b.String())
	return err
}

// flagUsages lists the flags, one a line, with the argument each takes
// (its type, or the `NAME` its usage quotes), the usage wrapped, and the
// default when it is not the zero value. Unlike pflag's own list, a
// boolean flag shows no "[=true|false]": it is given bare.
func flagUsages(fs *pflag.FlagSet) string {
	type row struct{ left, usage string }
	var rows []row
	width := 0
	fs.VisitAll(func(f *pflag.Flag) {
		if f.Hidden {
			return
		}
		left := "      --" + f.Name
		if f.Shorthand != "" {
			left = "  -" + f.Shorthand + ", --" + f.Name
		}
		name, text := pflag.UnquoteUsage(f)
		if name != "" && f.Value.Type() != "bool" {
			left += " " + name
		}
		if !slices.Contains([]string{"", "0", "false", "0s", "[]"}, f.DefValue) {
			if f.Value.Type() == "string" {
				text += fmt.Sprintf(" (default %q)", f.DefValue)
			} else {
				text += fmt.Sprintf(" (default %s)", f.DefValue)
			}
		}
		rows = append(rows, row{left, text})
		width = max(width, len(left))
	})
	var b strings.Builder
	indent := width + 3
	for _, r := range rows {
		fmt.Fprintf(&b, "%-*s   ", width, r.left)
		col := indent
		for i, word := range strings.Fields(r.usage) {
			if i > 0 && col+1+len(word) > usageWidth {
				fmt.Fprintf(&b, "\n%*s", indent, "")
				col = indent
			} else if i > 0 {
				b.WriteByte(' ')
				col++
			}
			b.WriteString(word)
			col += len(word)
		}
		b.WriteByte('\n')
	}
	return b.String()
}
