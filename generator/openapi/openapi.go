// Package openapi is the front end of `conngen import`: it turns an OpenAPI
// 3.0, 3.1 or Swagger 2.0 document (JSON or YAML, with internal and
// relative-file $refs) into a connector spec.
//
// The document is read in three steps: it is parsed as generic JSON/YAML and
// repaired where kin-openapi would reject it (3.1 type arrays, tuple items,
// unresolvable $refs, numbers where strings belong), then loaded with
// github.com/getkin/kin-openapi (Swagger 2.0 through openapi2conv.ToV3), then
// mapped to a *spec.Spec. The document is never validated as a gate: what
// cannot be mapped is reported as a Warning naming its JSON pointer, and the
// import goes on. Only a document that cannot be read or parsed at all is an
// error.
//
// The mapping rules (auth choice, base URL, ping, pagination) are documented
// on the functions that implement them: chooseAuth, servers, choosePing and
// detectPagination.
package openapi

import (
	"fmt"
	"path/filepath"
	"sort"
	"strings"

	"github.com/conngen/conngen/generator/overlay"
	"github.com/conngen/conngen/generator/spec"
)

// Options tunes an import.
type Options struct {
	// Name is the connector name. Default: derived from info.title, keeping
	// lowercase letters and digits only and starting with a letter
	// ("Spotify Web API" -> "spotifywebapi"); "connector" when nothing is left.
	Name string
	// Tags keeps only the operations that have one of these tags.
	Tags []string
	// Operations keeps only the operations with one of these operationIds.
	// When both Tags and Operations are given, an operation is kept when it
	// matches either (union). When neither is given, every operation is kept.
	Operations []string
	// Auth names the security scheme to use (conngen import --auth NAME).
	// Empty: the rule documented on chooseAuth.
	Auth string
	// Overlays are applied in order to the document as parsed, before any
	// repair or import step (OpenAPI Overlay 1.0).
	Overlays []*overlay.Overlay
	// ReadFile reads the files that relative $refs name (default
	// os.ReadFile): conngen diff reads them from git.
	ReadFile func(path string) ([]byte, error)
}

// OptionError is a tag, operation or auth option that names nothing in
// the document. Index is the position of Value among the values of that
// option; Known lists what the document has, closest first.
type OptionError struct {
	Option string // "tag", "operation" or "auth"
	Index  int
	Value  string
	Msg    string
	Known  []string
}

func (e OptionError) Error() string {
	msg := fmt.Sprintf("--%s %s: %s", e.Option, e.Value, e.Msg)
	if len(e.Known) > 0 {
		msg += "; the document has " + KnownList(e.Known)
	}
	return msg
}

// KnownList shows at most ten names (closest first, as given) and how
// many more there are.
func KnownList(known []string) string {
	const show = 10
	if len(known) <= show {
		return strings.Join(known, ", ")
	}
	return fmt.Sprintf("%s, ... (%d more)", strings.Join(known[:show], ", "), len(known)-show)
}

// OptionErrors is every option that named nothing.
type OptionErrors []OptionError

func (l OptionErrors) Error() string {
	lines := make([]string, len(l))
	for i, e := range l {
		lines[i] = e.Error()
	}
	return strings.Join(lines, "\n")
}

// Result is an import with where its parts came from in the document.
type Result struct {
	Spec     *spec.Spec
	Warnings []Warning
	// Pointers: JSON pointers into the document of what produced each
	// action (by name), schema (by name), the auth, and the baseURL.
	Actions map[string]string
	Schemas map[string]string
	Auth    string
	BaseURL string
	// Operations is every operationId of the document, and Tags every tag
	// its operations carry (for "did you mean" lists).
	Operations []string
	Tags       []string
}

// Warning is something of the document that the import could not map, or
// mapped with a loss.
type Warning struct {
	Pointer string // JSON pointer into the document, e.g. "#/paths/~1pets/get/parameters/0"
	Message string
}

// String is "pointer: message".
func (w Warning) String() string {
	if w.Pointer == "" {
		return w.Message
	}
	return w.Pointer + ": " + w.Message
}

// Import reads the OpenAPI document at path and maps it to a spec.
// Relative-file $refs are resolved against the document's directory.
func Import(path string, opts Options) (*spec.Spec, []Warning, error) {
	data, err := ReadFile(path)
	if err != nil {
		return nil, nil, fmt.Errorf("import %s: %w", path, err)
	}
	loc := path
	if abs, err := filepath.Abs(path); err == nil {
		loc = abs
	}
	s, warns, err := ImportData(data, loc, opts)
	if err != nil {
		return nil, warns, fmt.Errorf("import %s: %w", path, err)
	}
	return s, warns, nil
}

// ImportData maps the OpenAPI document in data to a spec. location is the
// document's file path, used to resolve relative-file $refs; with "" only
// internal $refs are followed. The error is non-nil only when the document
// cannot be parsed (or is not an OpenAPI/Swagger document).
func ImportData(data []byte, location string, opts Options) (*spec.Spec, []Warning, error) {
	r, err := ImportResult(data, location, opts)
	if r == nil {
		return nil, nil, err
	}
	return r.Spec, r.Warnings, err
}

// ImportResult is ImportData with the document pointers of the result.
// The error is a spec.ErrorList for overlays that do not apply (or do not
// parse), an OptionErrors for options that name nothing, else a reason
// the document cannot be read. With an error the Result holds the
// warnings only (nil when none).
func ImportResult(data []byte, location string, opts Options) (*Result, error) {
	w := &warnings{}
	doc, err := load(data, location, w, opts)
	if err != nil {
		return &Result{Warnings: w.sorted()}, err
	}
	c := newConverter(doc, opts, w)
	s := c.convert()
	if len(c.optErrs) > 0 {
		return &Result{Warnings: w.sorted()}, c.optErrs
	}
	r := &Result{Spec: s, Warnings: w.sorted(), Actions: c.actionPtrs, Schemas: map[string]string{}, BaseURL: c.serverPtr}
	for comp, name := range c.byComp {
		r.Schemas[name] = c.compPtr(comp)
	}
	if c.scheme != "" {
		r.Auth = c.schemePtr(c.scheme)
	}
	ids, tags := map[string]bool{}, map[string]bool{}
	for _, o := range c.ops {
		if o.op.OperationID != "" {
			ids[o.op.OperationID] = true
		}
		for _, t := range o.op.Tags {
			tags[t] = true
		}
	}
	r.Operations, r.Tags = sortedSet(ids), sortedSet(tags)
	return r, nil
}

func sortedSet(m map[string]bool) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// warnings collects Warnings; sorted returns them in a stable order
// without duplicates.
type warnings struct {
	list []Warning
}

func (w *warnings) add(ptr, format string, args ...any) {
	w.list = append(w.list, Warning{Pointer: ptr, Message: fmt.Sprintf(format, args...)})
}

func (w *warnings) sorted() []Warning {
	out := make([]Warning, len(w.list))
	copy(out, w.list)
	sort.SliceStable(out, func(i, j int) bool {
		if out[i].Pointer != out[j].Pointer {
			return out[i].Pointer < out[j].Pointer
		}
		return out[i].Message < out[j].Message
	})
	dedup := out[:0]
	for i, x := range out {
		if i > 0 && x == out[i-1] {
			continue
		}
		dedup = append(dedup, x)
	}
	return dedup
}

// ptrEscape escapes one JSON pointer token.
// OperationPointer is the JSON pointer of the operation method path in
// the document, as warnings name it.
func OperationPointer(method, path string) string {
	return "#/paths/" + ptrEscape(path) + "/" + strings.ToLower(method)
}

func ptrEscape(s string) string {
	if !strings.ContainsAny(s, "~/") {
		return s
	}
	return strings.ReplaceAll(strings.ReplaceAll(s, "~", "~0"), "/", "~1")
}

// ptrUnescape undoes ptrEscape.
func ptrUnescape(s string) string {
	if !strings.Contains(s, "~") {
		return s
	}
	return strings.ReplaceAll(strings.ReplaceAll(s, "~1", "/"), "~0", "~")
}
