package cli

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"strings"

	"github.com/conngen/conngen"
	"github.com/conngen/conngen/generator"
	"github.com/conngen/conngen/generator/apichange"
)

// failLevels orders --fail-on: a change fails the run when its kind is
// at or below the level (breaking < behaviour < any).
var failLevels = map[string]int{"breaking": 0, "behaviour": 1, "any": 2}

var kindLevel = map[string]int{apichange.Breaking: 0, apichange.Behaviour: 1, apichange.Compatible: 2}

// runDiff is conngen diff (connector-spec section 10.3): the changes to
// the Go API from OLD to NEW, breaking first.
func runDiff(args []string, stdout, stderr io.Writer) int {
	fs := newFlags("diff", stderr)
	failOn := fs.String("fail-on", "breaking", "exit 1 when a change reaches this level: breaking, behaviour, any or none")
	pos, err := parseArgs(fs, args)
	if err != nil {
		return exitUsage
	}
	level, ok := failLevels[*failOn]
	if !ok && *failOn != "none" {
		fmt.Fprintf(stderr, "conngen diff: --fail-on %s: want breaking, behaviour, any or none\n", *failOn)
		return exitUsage
	}
	if len(pos) != 2 {
		fmt.Fprintln(stderr, "conngen diff: want two specs, OLD and NEW (either may be REF:PATH)")
		return exitUsage
	}
	var loaded [2]*generator.Loaded
	for i, arg := range pos {
		l, err := loadDiffSide(arg, stderr)
		if err != nil {
			return exitUsage
		}
		loaded[i] = l
	}
	version, sum, err := conngen.Requirement(conngen.OAuth2)
	if err != nil {
		fmt.Fprintf(stderr, "conngen diff: %v\n", err)
		return exitUsage
	}
	changes, err := apichange.Compare(loaded[0].Spec, loaded[1].Spec, apichange.Module{OAuth2Version: version, OAuth2Sum: sum})
	if err != nil {
		fmt.Fprintf(stderr, "conngen diff: %v\n", err)
		return exitUsage
	}
	status := exitOK
	for _, c := range changes {
		fmt.Fprintln(stdout, c)
		if *failOn != "none" && kindLevel[c.Kind] <= level {
			status = exitFail
		}
	}
	return status
}

// loadDiffSide loads one side of diff: a spec file, or REF:PATH from git
// when no file of that name exists and the argument has a colon.
func loadDiffSide(arg string, stderr io.Writer) (*generator.Loaded, error) {
	if _, err := os.Stat(arg); err == nil || !strings.Contains(arg, ":") {
		return loadSpec(arg, stderr, false)
	}
	ref, p, _ := strings.Cut(arg, ":")
	r, name, err := newGitReader(ref, p)
	if err != nil {
		fmt.Fprintf(stderr, "conngen diff: %s: %v\n", arg, err)
		return nil, err
	}
	l, err := printLoad(r, name, r.Label(name), stderr, false)
	if err == nil && len(r.outside) > 0 {
		for _, o := range r.outside {
			fmt.Fprintf(stderr, "conngen diff: %s: a $ref names %s, outside the repository\n", arg, o)
		}
		return nil, errors.New("a reference outside the repository")
	}
	return l, err
}

// gitReader reads a spec and the files it references from a git tree
// (REF:PATH of conngen diff). Names are slash paths relative to the
// repository root; a reference that leaves the repository is an error.
type gitReader struct {
	ref     string
	root    string   // the repository's top directory, where git runs
	outside []string // the references read that left the repository
}

// gitLoc prefixes the locations handed to the importer, so a $ref that
// climbs out of the repository is seen, not silently clamped at "/".
const gitLoc = "/.conngen-git/"

func newGitReader(ref, p string) (*gitReader, string, error) {
	if ref == "" || p == "" {
		return nil, "", errors.New("want REF:PATH")
	}
	top, err := git("", "rev-parse", "--show-toplevel")
	if err != nil {
		return nil, "", err
	}
	r := &gitReader{ref: ref, root: strings.TrimSpace(string(top))}
	if _, err := git(r.root, "rev-parse", "--verify", "--quiet", ref+"^{commit}"); err != nil {
		return nil, "", fmt.Errorf("%s: not a commit in this repository", ref)
	}
	name := p
	if strings.HasPrefix(p, "./") || strings.HasPrefix(p, "../") {
		// as git show reads it: relative to the current directory
		prefix, err := git("", "rev-parse", "--show-prefix")
		if err != nil {
			return nil, "", err
		}
		name = path.Join(strings.TrimSpace(string(prefix)), p)
	}
	name = path.Clean(name)
	if name == ".." || strings.HasPrefix(name, "../") || path.IsAbs(name) {
		return nil, "", fmt.Errorf("%s is outside the repository", p)
	}
	return r, name, nil
}

func git(dir string, args ...string) ([]byte, error) {
	cmd := exec.Command("git", args...)
	cmd.Dir = dir
	var errb bytes.Buffer
	cmd.Stderr = &errb
	out, err := cmd.Output()
	if err != nil {
		if msg := strings.TrimSpace(errb.String()); msg != "" {
			return nil, fmt.Errorf("git %s: %s", args[0], msg)
		}
		return nil, fmt.Errorf("git %s: %v", args[0], err)
	}
	return out, nil
}

func (r *gitReader) ReadFile(name string) ([]byte, error) {
	out, err := git(r.root, "cat-file", "blob", r.ref+":"+name)
	if err != nil {
		return nil, fmt.Errorf("%s: not in %s", name, r.ref)
	}
	return out, nil
}

func (r *gitReader) Label(name string) string { return r.ref + ":" + name }

func (r *gitReader) Join(base, rel string) (string, error) {
	if path.IsAbs(rel) || filepath.IsAbs(rel) {
		return "", fmt.Errorf("%s: an absolute path cannot be read from %s", rel, r.ref)
	}
	name := path.Join(path.Dir(base), rel)
	if name == ".." || strings.HasPrefix(name, "../") {
		return "", fmt.Errorf("%s is outside the repository", rel)
	}
	return name, nil
}

func (r *gitReader) Location(name string) string { return gitLoc + name }

func (r *gitReader) ReadLocation(loc string) ([]byte, error) {
	clean := path.Clean(filepath.ToSlash(loc))
	name, ok := strings.CutPrefix(clean, gitLoc)
	if !ok {
		r.outside = append(r.outside, clean)
		return nil, fmt.Errorf("%s is outside the repository", clean)
	}
	return r.ReadFile(name)
}
