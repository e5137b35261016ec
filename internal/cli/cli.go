// Package cli is the conngen command line. Run is the whole program: main
// passes it the arguments and standard streams, and tests call it the same
// way.
package cli

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime/debug"
	"sort"
	"strings"

	"github.com/conngen/conngen/generator"
	"github.com/conngen/conngen/generator/openapi"
	"github.com/conngen/conngen/generator/overlay"
	"github.com/conngen/conngen/generator/spec"
)

const usage = `conngen generates Go API connectors from connector specs.

Usage:
  conngen generate [-o DIR] SPEC...   write DIR/<name>/ for each spec (default DIR: generated);
                                      a directory SPEC means the *.yaml files in it
  conngen validate SPEC...            report every problem as file:line:col: field: reason
  conngen check [-o DIR] SPEC...      exit 1 with a diff when DIR holds stale output
  conngen diff [--fail-on breaking|behaviour|any|none] OLD NEW
                                      what changed in the Go API from spec OLD to NEW (either may be REF:PATH in git)
  conngen resolve SPEC                print the spec a derived spec (from:) results in, as YAML
  conngen import [--name N] [--auth SCHEME] [--tag T]... [--operation ID]... [--overlay FILE]... OPENAPI
                                      print a spec for an OpenAPI 3.0/3.1 or Swagger 2.0 document
  conngen login [--client-id ID] [--port N] [--out FILE] [--no-browser] SPEC
                                      sign in (OAuth2 authorization code) and write the token to FILE (0600)
  conngen revoke [--client-id ID] --token FILE SPEC
                                      revoke FILE's token at the spec's revokeURL (RFC 7009), then remove FILE
  conngen call [--token FILE] [--set FIELD=VALUE]... [--input JSON|@FILE] [--find QUERY] SPEC [ACTION [NAME=VALUE]... | ACTION --help]
                                      run one action (no ACTION: list them; authPing: test the connection)
  conngen mcp [--tools auto|all|search] [--action GLOB]... [--read-only] [--token FILE] [--set FIELD=VALUE]... SPEC...
                                      serve the specs' actions as MCP tools over stdio
  conngen version                     print the version

Flags may come before or after the arguments; -- ends them. A SPEC may be
derived from an OpenAPI document (from:), imported in memory.
`

// Exit statuses.
const (
	exitOK    = 0
	exitFail  = 1 // bad spec, stale output
	exitUsage = 2
)

// Run runs conngen with args (without the program name) and returns the
// exit status.
func Run(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return exitUsage
	}
	cmd, rest := args[0], args[1:]
	switch cmd {
	case "generate":
		return runGenerate(rest, stdout, stderr, false)
	case "check":
		return runGenerate(rest, stdout, stderr, true)
	case "validate":
		return runValidate(rest, stdout, stderr)
	case "import":
		return runImport(rest, stdout, stderr)
	case "resolve":
		return runResolve(rest, stdout, stderr)
	case "diff":
		return runDiff(rest, stdout, stderr)
	case "login":
		return runLogin(rest, stdout, stderr)
	case "revoke":
		return runRevoke(rest, stdout, stderr)
	case "call":
		return runCall(rest, stdout, stderr)
	case "mcp":
		return runMCP(rest, stdin, stdout, stderr)
	case "version", "--version", "-version":
		fmt.Fprintln(stdout, "conngen", Version())
		return exitOK
	case "help", "-h", "--help", "-help":
		fmt.Fprint(stdout, usage)
		return exitOK
	}
	fmt.Fprintf(stderr, "conngen: unknown command %q\n\n%s", cmd, usage)
	return exitUsage
}

// Version is the module version conngen was built from, or "devel".
func Version() string {
	if bi, ok := debug.ReadBuildInfo(); ok && bi.Main.Version != "" && bi.Main.Version != "(devel)" {
		return bi.Main.Version
	}
	return "devel"
}

// needsValue reports whether arg is a flag of fs that takes the next
// argument as its value ("--name --": the value is "--").
func needsValue(fs *flag.FlagSet, arg string) bool {
	name := strings.TrimLeft(arg, "-")
	if name == arg || strings.Contains(name, "=") {
		return false
	}
	f := fs.Lookup(name)
	if f == nil {
		return false
	}
	b, ok := f.Value.(interface{ IsBoolFlag() bool })
	return !ok || !b.IsBoolFlag()
}

func newFlags(name string, stderr io.Writer) *flag.FlagSet {
	fs := flag.NewFlagSet("conngen "+name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() { fmt.Fprint(stderr, usage) }
	return fs
}

// parseArgs parses args with flags before, between or after the
// positional arguments, which it returns in order ("--" ends the flags).
func parseArgs(fs *flag.FlagSet, args []string) ([]string, error) {
	var positional []string
	for {
		if err := fs.Parse(args); err != nil {
			return nil, err
		}
		rest := fs.Args()
		if endedByDashes(fs, args[:len(args)-len(rest)]) {
			return append(positional, rest...), nil
		}
		if len(rest) == 0 {
			return positional, nil
		}
		positional = append(positional, rest[0])
		args = rest[1:]
	}
}

// endedByDashes reports whether the arguments fs.Parse consumed end with a
// "--" that ends the flags, rather than one that is a flag's value
// (--name --) or follows one (--tag --name --, where --name is the value).
func endedByDashes(fs *flag.FlagSet, consumed []string) bool {
	for i := 0; i < len(consumed); i++ {
		switch a := consumed[i]; {
		case a == "--":
			return i == len(consumed)-1
		case needsValue(fs, a):
			i++ // the next argument is its value
		}
	}
	return false
}

// expand replaces each directory argument by the spec files in it
// (*.yaml and *.yml, sorted), so `conngen generate specs` needs no shell glob
// and suits //go:generate.
func expand(args []string) []string {
	var out []string
	for _, a := range args {
		if st, err := os.Stat(a); err == nil && st.IsDir() {
			yaml, _ := filepath.Glob(filepath.Join(a, "*.yaml"))
			yml, _ := filepath.Glob(filepath.Join(a, "*.yml"))
			files := append(yaml, yml...)
			sort.Strings(files)
			out = append(out, files...)
			continue
		}
		out = append(out, a)
	}
	return out
}

// loadAll loads every spec and prints every problem of every spec. It
// returns nil specs when any failed, so nothing is written. A derived
// spec's import warnings are printed in full when all is set, else
// counted in one line.
func loadAll(paths []string, stderr io.Writer, all bool) ([]*spec.Spec, bool) {
	var specs []*spec.Spec
	ok := true
	for _, p := range paths {
		l, err := loadSpec(p, stderr, all)
		if err != nil {
			ok = false
			continue
		}
		specs = append(specs, l.Spec)
	}
	return specs, ok
}

// loadSpec loads one spec (plain or derived) from disk and prints its
// warnings and problems.
func loadSpec(p string, stderr io.Writer, all bool) (*generator.Loaded, error) {
	return printLoad(generator.OSReader{}, p, p, stderr, all)
}

func printLoad(r generator.Reader, p, label string, stderr io.Writer, all bool) (*generator.Loaded, error) {
	l, err := generator.Load(r, p)
	if l != nil {
		printWarnings(l, label, stderr, all)
	}
	if err != nil {
		printSpecError(err, stderr)
		return nil, err
	}
	return l, nil
}

func printWarnings(l *generator.Loaded, label string, stderr io.Writer, all bool) {
	if all {
		for _, w := range l.ImportWarnings {
			fmt.Fprintln(stderr, w)
		}
	} else if n := len(l.ImportWarnings); n > 0 {
		s := "s"
		if n == 1 {
			s = ""
		}
		fmt.Fprintf(stderr, "conngen: %s: %d import warning%s (conngen resolve shows them)\n", label, n, s)
	}
	for _, w := range l.Warnings {
		fmt.Fprintln(stderr, w)
	}
}

// printSpecError prints every problem of a spec that did not load.
func printSpecError(err error, stderr io.Writer) {
	var list spec.ErrorList
	if errors.As(err, &list) {
		for _, e := range list {
			fmt.Fprintln(stderr, e.Error())
		}
		return
	}
	fmt.Fprintf(stderr, "conngen: %v\n", err)
}

func runValidate(args []string, stdout, stderr io.Writer) int {
	fs := newFlags("validate", stderr)
	pos, err := parseArgs(fs, args)
	if err != nil {
		return exitUsage
	}
	if len(pos) == 0 {
		fmt.Fprintln(stderr, "conngen validate: no spec files given")
		return exitUsage
	}
	if _, ok := loadAll(expand(pos), stderr, true); !ok {
		return exitFail
	}
	return exitOK
}

func runGenerate(args []string, stdout, stderr io.Writer, check bool) int {
	name := "generate"
	if check {
		name = "check"
	}
	fs := newFlags(name, stderr)
	dir := fs.String("o", "generated", "output directory; each connector goes to DIR/<name>/")
	pos, err := parseArgs(fs, args)
	if err != nil {
		return exitUsage
	}
	if len(pos) == 0 {
		fmt.Fprintf(stderr, "conngen %s: no spec files given\n", name)
		return exitUsage
	}
	paths := expand(pos)
	specs, ok := loadAll(paths, stderr, false)
	if !ok {
		return exitFail
	}
	// Render everything before writing anything.
	var outs []*generator.Output
	seen := map[string]string{}
	for i, s := range specs {
		if prev, dup := seen[s.Name]; dup {
			fmt.Fprintf(stderr, "conngen: %s and %s both generate package %q\n", prev, paths[i], s.Name)
			return exitFail
		}
		seen[s.Name] = paths[i]
		out, err := generator.Generate(s)
		if err != nil {
			fmt.Fprintf(stderr, "conngen: %v\n", err)
			return exitFail
		}
		for _, w := range out.Warnings {
			fmt.Fprintf(stderr, "warning: %s: %s\n", paths[i], strings.TrimPrefix(w, "warning: "))
		}
		outs = append(outs, out)
	}
	status := exitOK
	for _, out := range outs {
		if check {
			diff, err := generator.Check(*dir, out)
			if err != nil {
				fmt.Fprintf(stderr, "conngen: %v\n", err)
				return exitFail
			}
			if diff != "" {
				fmt.Fprint(stdout, diff)
				fmt.Fprintf(stderr, "conngen: %s/%s is stale: run conngen generate\n", *dir, out.Name)
				status = exitFail
			}
			continue
		}
		if err := generator.Write(*dir, out); err != nil {
			fmt.Fprintf(stderr, "conngen: %v\n", err)
			return exitFail
		}
	}
	return status
}

// listFlag collects a repeatable flag.
type listFlag []string

func (l *listFlag) String() string     { return strings.Join(*l, ",") }
func (l *listFlag) Set(v string) error { *l = append(*l, v); return nil }

func runImport(args []string, stdout, stderr io.Writer) int {
	fs := newFlags("import", stderr)
	var opts openapi.Options
	var tags, ops listFlag
	fs.StringVar(&opts.Name, "name", "", "connector name (default: derived from info.title)")
	fs.StringVar(&opts.Auth, "auth", "", "security scheme to use when the document has several")
	fs.Var(&tags, "tag", "keep operations with this tag (repeatable)")
	fs.Var(&ops, "operation", "keep the operation with this operationId (repeatable)")
	var overlays listFlag
	fs.Var(&overlays, "overlay", "apply this OpenAPI Overlay 1.0 document first (repeatable, in order)")
	pos, err := parseArgs(fs, args)
	if err != nil {
		return exitUsage
	}
	if len(pos) != 1 {
		fmt.Fprintln(stderr, "conngen import: want exactly one OpenAPI document")
		return exitUsage
	}
	opts.Tags, opts.Operations = tags, ops
	failed := false
	for _, name := range overlays {
		// As from.overlays are read: a regular file, so --overlay
		// /dev/zero is an error, not a read that never ends.
		data, err := generator.OSReader{}.ReadFile(name)
		if err != nil {
			fmt.Fprintf(stderr, "conngen import: --overlay: %v\n", err)
			return exitFail
		}
		o, err := overlay.Parse(name, data)
		if err != nil {
			printSpecError(err, stderr)
			failed = true
			continue
		}
		opts.Overlays = append(opts.Overlays, o)
	}
	if failed {
		return exitFail
	}
	s, warnings, err := openapi.Import(pos[0], opts)
	for _, w := range warnings {
		fmt.Fprintf(stderr, "warning: %s\n", w)
	}
	if err != nil {
		var list spec.ErrorList
		var oe openapi.OptionErrors
		switch {
		case errors.As(err, &list):
			printSpecError(list, stderr)
		case errors.As(err, &oe):
			for _, e := range oe {
				fmt.Fprintf(stderr, "conngen import: %v\n", e)
			}
		default:
			fmt.Fprintf(stderr, "conngen import: %v\n", err)
		}
		return exitFail
	}
	data, err := spec.Marshal(s)
	if err != nil {
		fmt.Fprintf(stderr, "conngen import: %v\n", err)
		return exitFail
	}
	stdout.Write(data)
	return exitOK
}

// runResolve is conngen resolve: the spec a derived spec results in
// (import, overlays and overrides), for review. Import warnings go to
// stderr.
func runResolve(args []string, stdout, stderr io.Writer) int {
	fs := newFlags("resolve", stderr)
	pos, err := parseArgs(fs, args)
	if err != nil {
		return exitUsage
	}
	if len(pos) != 1 {
		fmt.Fprintln(stderr, "conngen resolve: want exactly one spec file")
		return exitUsage
	}
	l, err := loadSpec(pos[0], stderr, true)
	if err != nil {
		return exitFail
	}
	data, err := spec.Marshal(l.Spec)
	if err != nil {
		fmt.Fprintf(stderr, "conngen resolve: %v\n", err)
		return exitFail
	}
	stdout.Write(data)
	return exitOK
}
