package cli

import (
	"bufio"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/conngen/conngen"
	"github.com/conngen/conngen/generator"
	"github.com/conngen/conngen/generator/spec"
)

// conngen call and conngen mcp run a spec's actions through the generated
// package's own Invoke: the connector is generated, with a small main over
// Invoke (generator.GenerateRunner), into a build directory under the user's cache,
// keyed by a hash of the spec and of conngen itself, and built once with
// the go command. Later calls start the built program directly.

// cacheRoot is $CONNGEN_CACHE_DIR, else conngen's directory under
// os.UserCacheDir.
func cacheRoot() (string, error) {
	if d := os.Getenv("CONNGEN_CACHE_DIR"); d != "" {
		return d, nil
	}
	d, err := os.UserCacheDir()
	if err != nil {
		return "", err
	}
	return filepath.Join(d, "conngen"), nil
}

// selfID identifies this conngen build: its version, and for a
// development build the executable's size and time, so that a changed
// generator never reuses a runner built by an older one.
func selfID() string {
	id := Version()
	if bi, ok := debug.ReadBuildInfo(); ok {
		id += " " + bi.GoVersion
	}
	if id == "devel" || strings.HasPrefix(id, "devel ") {
		if exe, err := os.Executable(); err == nil {
			if st, err := os.Stat(exe); err == nil {
				id += fmt.Sprintf(" %s %d %d", exe, st.Size(), st.ModTime().UnixNano())
			}
		}
	}
	return id
}

// buildRunner returns the runner program of the spec at path, building it
// when the cache has none. Spec problems are printed to stderr.
func buildRunner(path string, stderr io.Writer) (string, error) {
	root, err := cacheRoot()
	if err != nil {
		return "", err
	}
	binName := "runner"
	if runtime.GOOS == "windows" {
		binName += ".exe"
	}
	// A spec's runner is keyed by the bytes of every file the spec reads
	// (a derived spec reads its document, overlays and the files their
	// $refs name). The index, keyed by the spec file alone, lists those
	// files and their hashes, so a cached runner starts without an
	// import; any file that changed means a new key and a new build.
	data, err := os.ReadFile(path)
	if err != nil {
		return "", err
	}
	abs, _ := filepath.Abs(path)
	idxSum := sha256.Sum256([]byte(selfID() + "\x00" + abs + "\x00" + string(data)))
	idxPath := filepath.Join(root, "run", "index", hex.EncodeToString(idxSum[:12])+".json")
	if bin, ok := cachedRunner(root, idxPath, binName); ok {
		return bin, nil
	}
	l, err := generator.Load(generator.OSReader{}, path)
	if l != nil {
		printWarnings(l, path, stderr, false)
	}
	if err != nil {
		var list spec.ErrorList
		if errors.As(err, &list) {
			printSpecError(list, stderr)
			return "", errSpec
		}
		return "", err
	}
	s := l.Spec
	key, idx := inputsKey(l.Files)
	dir := filepath.Join(root, "run", key)
	bin := filepath.Join(dir, binName)
	defer writeIndex(idxPath, key, idx)
	if _, err := os.Stat(bin); err == nil {
		markUsed(dir)
		return bin, nil
	}
	goCmd, err := exec.LookPath("go")
	if err != nil {
		return "", errors.New("the go command is needed to build the connector once: " + err.Error())
	}
	out, main, err := generator.GenerateRunner(s, "conngenrun/"+s.Name)
	if err != nil {
		return "", err
	}
	files := out.Files
	if err := os.MkdirAll(filepath.Join(root, "run"), 0o755); err != nil {
		return "", err
	}
	tmp, err := os.MkdirTemp(filepath.Join(root, "run"), "build-")
	if err != nil {
		return "", err
	}
	defer os.RemoveAll(tmp)
	write := func(name string, data []byte) error {
		p := filepath.Join(tmp, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			return err
		}
		return os.WriteFile(p, data, 0o644)
	}
	// x/oauth2 at the version conngen's own go.mod requires, the one place
	// it is written.
	oauth2Version, oauth2Sum, err := conngen.Requirement(conngen.OAuth2)
	if err != nil {
		return "", err
	}
	if err := write("go.mod", []byte("module conngenrun\n\ngo 1.26.0\n\nrequire "+conngen.OAuth2+" "+oauth2Version+"\n")); err != nil {
		return "", err
	}
	if err := write("go.sum", []byte(oauth2Sum)); err != nil {
		return "", err
	}
	for name, src := range files {
		if err := write(filepath.Join(out.Name, name), src); err != nil {
			return "", err
		}
	}
	for name, src := range main {
		if err := write(name, src); err != nil {
			return "", err
		}
	}
	fmt.Fprintf(stderr, "conngen: building %s (once; cached in %s)\n", out.Name, dir)
	cmd := exec.Command(goCmd, "build", "-o", filepath.Base(bin), ".")
	cmd.Dir = tmp
	cmd.Env = append(os.Environ(), "GOFLAGS=-mod=mod", "GOWORK=off")
	if log, err := cmd.CombinedOutput(); err != nil {
		return "", fmt.Errorf("building %s: %v\n%s", out.Name, err, log)
	}
	if err := os.Rename(tmp, dir); err != nil {
		if _, statErr := os.Stat(bin); statErr == nil {
			return bin, nil // built meanwhile by another conngen
		}
		return "", err
	}
	pruneRunners(filepath.Join(root, "run"), time.Now())
	return bin, nil
}

// The runner cache keeps a build per version of a spec's inputs, so it
// would grow with every edit: after each new build, runners beyond the
// keepRunners used last are removed once unused for runnerGrace (so that
// one another conngen is starting is not taken away), as are index
// entries unused for indexGrace and builds abandoned for runnerGrace.
const (
	keepRunners = 20
	runnerGrace = 24 * time.Hour
	indexGrace  = 30 * 24 * time.Hour
)

// markUsed records that the runner (or index entry) at path was used now.
func markUsed(path string) {
	now := time.Now()
	os.Chtimes(path, now, now)
}

// pruneRunners removes from run (the cache's run directory) what the
// policy above no longer keeps. Failures are ignored: the cache is only
// a cache.
func pruneRunners(run string, now time.Time) {
	entries, err := os.ReadDir(run)
	if err != nil {
		return
	}
	type built struct {
		path string
		used time.Time
	}
	var runners []built
	for _, e := range entries {
		info, err := e.Info()
		if err != nil || !e.IsDir() {
			continue
		}
		path := filepath.Join(run, e.Name())
		switch {
		case e.Name() == "index":
			pruneIndex(path, now)
		case strings.HasPrefix(e.Name(), "build-"):
			if now.Sub(info.ModTime()) > runnerGrace {
				os.RemoveAll(path) // a build that never finished
			}
		default:
			runners = append(runners, built{path, info.ModTime()})
		}
	}
	sort.Slice(runners, func(i, j int) bool { return runners[i].used.After(runners[j].used) })
	for i, r := range runners {
		if i >= keepRunners && now.Sub(r.used) > runnerGrace {
			os.RemoveAll(r.path)
		}
	}
}

func pruneIndex(dir string, now time.Time) {
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		if info, err := e.Info(); err == nil && now.Sub(info.ModTime()) > indexGrace {
			os.Remove(filepath.Join(dir, e.Name()))
		}
	}
}

var errSpec = errors.New("invalid spec")

// runIndex is what a spec's runner was built from.
type runIndex struct {
	Key   string            `json:"key"`
	Files map[string]string `json:"files"` // absolute path -> hex sha256
}

// inputsKey is the cache key of a runner built from files (with this
// conngen), and the index entry listing them.
func inputsKey(files map[string][]byte) (string, runIndex) {
	idx := runIndex{Files: map[string]string{}}
	for name, data := range files {
		abs, err := filepath.Abs(name)
		if err != nil {
			abs = name
		}
		sum := sha256.Sum256(data)
		idx.Files[abs] = hex.EncodeToString(sum[:])
	}
	idx.Key = sumsKey(idx.Files)
	return idx.Key, idx
}

// sumsKey is the cache key of the files whose hashes sums lists.
func sumsKey(sums map[string]string) string {
	names := make([]string, 0, len(sums))
	for n := range sums {
		names = append(names, n)
	}
	sort.Strings(names)
	h := sha256.New()
	h.Write([]byte(selfID() + "\x00"))
	for _, n := range names {
		h.Write([]byte(n + "\x00" + sums[n] + "\x00"))
	}
	return hex.EncodeToString(h.Sum(nil)[:12])
}

// cachedRunner returns the runner the index names when every file it
// lists still has the bytes it was built from.
func cachedRunner(root, idxPath, binName string) (string, bool) {
	data, err := os.ReadFile(idxPath)
	if err != nil {
		return "", false
	}
	var idx runIndex
	if json.Unmarshal(data, &idx) != nil || idx.Key == "" || len(idx.Files) == 0 {
		return "", false
	}
	for name, want := range idx.Files {
		b, err := os.ReadFile(name)
		if err != nil {
			return "", false
		}
		if sum := sha256.Sum256(b); hex.EncodeToString(sum[:]) != want {
			return "", false
		}
	}
	if sumsKey(idx.Files) != idx.Key { // the hashes checked are the ones keyed
		return "", false
	}
	bin := filepath.Join(root, "run", idx.Key, binName)
	if _, err := os.Stat(bin); err != nil {
		return "", false
	}
	markUsed(filepath.Dir(bin))
	markUsed(idxPath)
	return bin, true
}

func writeIndex(idxPath, key string, idx runIndex) {
	data, err := json.Marshal(idx)
	if err != nil {
		return
	}
	if os.MkdirAll(filepath.Dir(idxPath), 0o755) != nil {
		return
	}
	tmp := idxPath + ".tmp" + strconv.Itoa(os.Getpid())
	if os.WriteFile(tmp, data, 0o644) == nil {
		os.Rename(tmp, idxPath)
	}
}

// runner is a running runner program.
type runner struct {
	mu   sync.Mutex
	cmd  *exec.Cmd
	in   io.WriteCloser
	out  *bufio.Scanner
	name string
	list *runReply
}

type runRequest struct {
	Op       string            `json:"op"` // list, describe, ping, call
	Action   string            `json:"action,omitempty"`
	NoOutput bool              `json:"noOutput,omitempty"` // list without the Output schemas
	Input    json.RawMessage   `json:"input,omitempty"`
	Set      map[string]string `json:"set,omitempty"`
	Token    string            `json:"token,omitempty"`
}

type runField struct {
	Name   string `json:"name"`
	Env    string `json:"env"`
	Secret bool   `json:"secret"`
}

type runAction struct {
	Name        string
	Title       string
	Description string
	Method      string
	Path        string
	Scopes      []string
	ReadOnly    bool
	Input       json.RawMessage
	Output      json.RawMessage
}

type runPing struct {
	Working         bool
	ServiceResponse struct {
		StatusCode int
		Body       string
	}
}

type runReply struct {
	Connector string          `json:"connector"`
	Actions   []runAction     `json:"actions"`
	Fields    []runField      `json:"fields"`
	Ping      *runPing        `json:"ping"`
	Status    int             `json:"status"`
	Body      json.RawMessage `json:"body"`
	Text      string          `json:"text"` // a non-JSON error body
	Error     string          `json:"error"`
	Kind      string          `json:"kind"`
}

// startRunner builds (when needed) and starts the runner of a spec; its
// stderr is conngen's.
func startRunner(path string, stderr io.Writer) (*runner, error) {
	bin, err := buildRunner(path, stderr)
	if err != nil {
		return nil, err
	}
	cmd := exec.Command(bin)
	cmd.Stderr = stderr
	in, err := cmd.StdinPipe()
	if err != nil {
		return nil, err
	}
	out, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	sc := bufio.NewScanner(out)
	sc.Buffer(make([]byte, 0, 1<<20), 512<<20)
	r := &runner{cmd: cmd, in: in, out: sc}
	// The Output schemas of a huge API add up to megabytes (Stripe's to
	// over 100 MB); output fetches one when it is needed.
	list, err := r.do(runRequest{Op: "list", NoOutput: true})
	if err != nil {
		r.close()
		return nil, err
	}
	r.list, r.name = list, list.Connector
	return r, nil
}

// do sends one request and reads its reply.
func (r *runner) do(req runRequest) (*runReply, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	data, err := json.Marshal(req)
	if err != nil {
		return nil, err
	}
	if _, err := r.in.Write(append(data, '\n')); err != nil {
		return nil, fmt.Errorf("runner: %w", err)
	}
	if !r.out.Scan() {
		if err := r.out.Err(); err != nil {
			return nil, fmt.Errorf("runner: %w", err)
		}
		return nil, errors.New("runner: ended without an answer")
	}
	var rep runReply
	if err := json.Unmarshal(r.out.Bytes(), &rep); err != nil {
		return nil, fmt.Errorf("runner: %w", err)
	}
	return &rep, nil
}

// output is the Output schema of the runner's action name.
func (r *runner) output(name string) (json.RawMessage, error) {
	rep, err := r.do(runRequest{Op: "describe", Action: name})
	if err != nil {
		return nil, err
	}
	if len(rep.Actions) != 1 {
		return nil, errors.New(rep.Error)
	}
	return rep.Actions[0].Output, nil
}

func (r *runner) close() {
	r.in.Close()
	r.cmd.Wait()
}

// syncWriter serializes writes to w, so the runner's stderr (copied by
// os/exec) and conngen's own messages never interleave mid-write.
type syncWriter struct {
	mu sync.Mutex
	w  io.Writer
}

func (s *syncWriter) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.w.Write(p)
}
