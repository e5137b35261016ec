package spec_test

import (
	"bytes"
	"fmt"
	"maps"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/conngen/conngen/generator/openapi"
	"github.com/conngen/conngen/generator/spec"
	"gopkg.in/yaml.v3"
)

// Marshal writes most specs itself rather than through yaml.v3 (see
// Marshal); these tests hold it to yaml.v3's bytes.

// sameAsYAMLv3 fails unless Marshal(s) is byte for byte what yaml.v3
// writes, or fails as yaml.v3 does. It reports whether Marshal wrote s
// itself.
func sameAsYAMLv3(t *testing.T, name string, s *spec.Spec) bool {
	t.Helper()
	want, wantErr := spec.MarshalYAMLv3(s)
	got, err := spec.Marshal(s)
	if wantErr != nil || err != nil {
		if wantErr == nil || err == nil || err.Error() != wantErr.Error() {
			t.Errorf("%s: Marshal: %v; yaml.v3: %v", name, err, wantErr)
		}
		return false
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s: Marshal differs from yaml.v3 at byte %d:\n got: %q\nwant: %q", name, firstDiff(got, want),
			around(got, firstDiff(got, want)), around(want, firstDiff(got, want)))
	}
	_, err = spec.MarshalDirect(s)
	return err == nil
}

func firstDiff(a, b []byte) int {
	i := 0
	for i < len(a) && i < len(b) && a[i] == b[i] {
		i++
	}
	return i
}

func around(b []byte, i int) string {
	return string(b[max(0, i-80):min(len(b), i+80)])
}

// specFiles are the checked-in specs.
func specFiles(t *testing.T) map[string]*spec.Spec {
	t.Helper()
	paths, _ := filepath.Glob("../../specs/*.yaml")
	if len(paths) == 0 {
		t.Fatal("no specs in ../../specs")
	}
	specs := map[string]*spec.Spec{}
	for _, p := range paths {
		data, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		s, _, err := spec.Load(p, data)
		if err != nil {
			t.Fatal(err)
		}
		specs[filepath.Base(p)] = s
	}
	return specs
}

// importedSpecs imports the documents of ../shared/openapi (a few with
// -short), once for all the tests; none when it is absent.
func importedSpecs(t *testing.T) map[string]*spec.Spec {
	t.Helper()
	importOnce.Do(func() { imported = importDocs() })
	return maps.Clone(imported)
}

var (
	importOnce sync.Once
	imported   map[string]*spec.Spec
)

func importDocs() map[string]*spec.Spec {
	dir := os.Getenv("CONNGEN_OPENAPI_DIR")
	if dir == "" {
		dir = "../../../shared/openapi"
	}
	docs, _ := filepath.Glob(filepath.Join(dir, "*.*"))
	specs := map[string]*spec.Spec{}
	for _, d := range docs {
		base := filepath.Base(d)
		if strings.HasSuffix(base, ".md") {
			continue
		}
		if testing.Short() && !strings.HasPrefix(base, "petstore") && !strings.HasPrefix(base, "spotify") {
			continue
		}
		s, _, err := openapi.Import(d, openapi.Options{Name: "imported"})
		if err != nil {
			continue // not every document imports; that is the importer's business
		}
		specs[base] = s
	}
	return specs
}

func TestMarshalMatchesYAMLv3(t *testing.T) {
	for name, s := range specFiles(t) {
		if !sameAsYAMLv3(t, name, s) {
			t.Errorf("%s: Marshal fell back to yaml.v3", name)
		}
	}
	imported := importedSpecs(t)
	if len(imported) == 0 {
		t.Log("shared/openapi not found: imported documents not compared")
	}
	for name, s := range imported {
		if !sameAsYAMLv3(t, name, s) {
			t.Errorf("%s: Marshal fell back to yaml.v3", name)
		}
	}
}

// TestMarshalLoadStable: what Marshal writes, Load reads back to a spec
// that Marshal writes the same way.
func TestMarshalLoadStable(t *testing.T) {
	all := specFiles(t)
	for name, s := range importedSpecs(t) {
		all["imported "+name] = s
	}
	for name, s := range all {
		first, err := spec.Marshal(s)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		loaded, _, err := spec.Load(name, first)
		if err != nil {
			t.Errorf("%s: Load of Marshal's output: %v", name, err)
			continue
		}
		second, err := spec.Marshal(loaded)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if !bytes.Equal(first, second) {
			i := firstDiff(first, second)
			t.Errorf("%s: Marshal → Load → Marshal changed the file at byte %d:\n first: %q\nsecond: %q",
				name, i, around(first, i), around(second, i))
		}
	}
}

// tricky are the pieces of the random strings: YAML indicators, words
// and numbers YAML reads as other types, white space and line breaks,
// characters yaml.v3 escapes.
var tricky = []string{
	"a", "b", "Z", " ", "  ", "\n", "\n\n", "\t", ":", ": ", "#", " #", "-", "- ", "?", "'", "\"", "\\",
	"{", "}", "[", "]", ",", "&", "*", "!", "|", ">", "%", "@", "`", ".", "0", "1", "9", "+", "e", "_",
	"x", "é", "—", "\u00a0", "\u2028", "\u2029", "\u0085", "\r", "\x00", "\x07", "\x1b", "\x7f", "😀",
	"\ufeff", "\ufffe", "\ue000", "y", "yes", "No", "on", "true", "False", "null", "~", "0x1F", "0o17",
	"0b101", "1_000", "1:20", "-1:20:30.5", "1e3", ".5", ".inf", "-.Inf", ".NaN", "2001-12-14", "2001-12-14t21:59:43.10Z",
	"---", "...", "<<", "=", "$ref", "/users/{id}", "http://x.y/z?a=b#c",
}

func randomString(r *rand.Rand) string {
	var b strings.Builder
	for range r.IntN(7) {
		b.WriteString(tricky[r.IntN(len(tricky))])
	}
	return b.String()
}

// withString puts s everywhere a spec holds a string: top-level fields,
// map keys and values, list items, action fields, schema names, property
// names and values at several depths, enum values and defaults.
func withString(s string) *spec.Spec {
	leaf := &spec.Schema{Type: "string", Description: s, Enum: []any{s, 1.5, nil, true}, Default: s, Pattern: s}
	deep := &spec.Schema{Type: "object", Description: s, Properties: spec.Schemas{
		{Name: s, Schema: leaf},
		{Name: "n" + s, Schema: &spec.Schema{Type: "array", Items: &spec.Schema{Ref: s}}},
	}}
	mid := &spec.Schema{Type: "object", Properties: spec.Schemas{
		{Name: "deep", Schema: deep},
		{Name: s + "x", Schema: &spec.Schema{Default: map[string]any{s: s, "k": []any{s, map[string]any{}}}}},
	}, AdditionalProperties: &spec.AdditionalProperties{Allowed: true, Schema: deep},
		OneOf:         []*spec.Schema{leaf, {}},
		Discriminator: &spec.Discriminator{PropertyName: s, Mapping: map[string]string{s: s, "a": s, "b1": s, "b01": s}},
	}
	return &spec.Spec{
		Conngen: 1, Name: "x", Title: s, Description: s, BaseURL: s,
		Auth:    spec.Auth{Type: s, Scopes: []string{s, s + s}, Headers: map[string]string{s: s, "X": s}},
		Headers: map[string]string{s: s, "A" + s: "", "a10": s, "a9": s},
		Schemas: spec.Schemas{{Name: s, Schema: mid}, {Name: "Other", Schema: leaf}, {Name: "Empty", Schema: &spec.Schema{}}},
		Actions: []spec.Action{{
			Name: s, Description: s, Method: "GET", Path: s, Scopes: []string{s},
			Params: []spec.Param{{Name: s, In: "query", Description: s, Schema: mid}},
			Body:   &spec.Body{Description: s, Schema: &spec.Schema{AllOf: []*spec.Schema{mid, leaf}}},
		}, {Name: "b", Body: &spec.Body{}}},
	}
}

// TestMarshalStringsMatchYAMLv3 compares Marshal with yaml.v3 on random
// strings of tricky pieces in every position a spec has.
func TestMarshalStringsMatchYAMLv3(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	n := 2000
	if testing.Short() {
		n = 500
	}
	direct := 0
	for range n {
		s := randomString(r)
		if sameAsYAMLv3(t, strings.Clone(s), withString(s)) {
			direct++
		}
		if t.Failed() {
			t.Fatalf("string %q", s)
		}
	}
	// The fallback is for rare strings; most must be written directly.
	if direct < n/2 {
		t.Errorf("only %d of %d specs written directly", direct, n)
	}
	t.Logf("%d of %d written directly", direct, n)
}

func FuzzMarshal(f *testing.F) {
	for _, s := range tricky {
		f.Add(s)
	}
	f.Add("a\n b\n")
	f.Add(" a\nb\n\n")
	f.Fuzz(func(t *testing.T, s string) {
		sameAsYAMLv3(t, s, withString(s))
	})
}

// TestMarshalNumbersMatchYAMLv3 compares Marshal with yaml.v3 on numbers
// and booleans in every field that holds them.
func TestMarshalNumbersMatchYAMLv3(t *testing.T) {
	floats := []float64{0, -0.0, 1, -1, 0.1, 1.5, 1e6, 1e21, 1e-7, 123456789.125, -2.5e-300,
		math.MaxFloat64, math.SmallestNonzeroFloat64, math.Inf(1), math.Inf(-1), math.NaN()}
	ints := []int{0, 1, -1, 42, math.MaxInt64, math.MinInt64}
	for i, f := range floats {
		n := ints[i%len(ints)]
		b := i%2 == 0
		s := &spec.Spec{
			Conngen: 1, Name: "x", BaseURL: "https://x",
			Auth:       spec.Auth{Type: "none", PKCE: b},
			Retry:      &spec.Retry{MaxAttempts: &n, Statuses: []int{n, 429}},
			RateLimit:  &spec.RateLimit{RequestsPerSecond: f, Burst: n},
			Connection: []spec.ConnParam{{Name: "a", Required: b, Secret: !b}},
			Schemas: spec.Schemas{{Name: "N", Schema: &spec.Schema{
				Type: "number", Minimum: &f, Maximum: &floats[len(floats)-1-i], MinLength: &n, MaxItems: &n,
				Enum: []any{f, n, b, int64(n), float32(f), uint8(i)}, Default: f, Nullable: b,
			}}},
			Actions: []spec.Action{{Name: "a", Method: "GET", Path: "/", Params: []spec.Param{{Name: "p", In: "query", Explode: &b}}}},
		}
		if !sameAsYAMLv3(t, fmt.Sprint(f), s) {
			t.Errorf("%v: Marshal fell back to yaml.v3", f)
		}
	}
}

// The spec round trip on the largest checked-in specs and, when
// ../shared/openapi is there, on imported documents (import + generate
// as a whole is internal/bench's).
func roundTripInputs(b *testing.B) map[string]*spec.Spec {
	b.Helper()
	specs := map[string]*spec.Spec{}
	for _, name := range []string{"github.yaml", "stripe.yaml"} {
		data, err := os.ReadFile(filepath.Join("../../specs", name))
		if err != nil {
			b.Fatal(err)
		}
		s, _, err := spec.Load(name, data)
		if err != nil {
			b.Fatal(err)
		}
		specs[name] = s
	}
	dir := os.Getenv("CONNGEN_OPENAPI_DIR")
	if dir == "" {
		dir = "../../../shared/openapi"
	}
	for _, doc := range []string{"discord-openapi.json", "twilio-api-v2010.json", "kubernetes.swagger2.unprocessed.k8s-client-js.json"} {
		if s, _, err := openapi.Import(filepath.Join(dir, doc), openapi.Options{Name: "imported"}); err == nil {
			specs[doc] = s
		}
	}
	return specs
}

// BenchmarkMarshal/DOC/yaml.v3 is how Marshal used to write the spec
// (and how it does when it falls back): the A/B reference.
func BenchmarkMarshal(b *testing.B) {
	for name, s := range roundTripInputs(b) {
		for _, m := range []struct {
			name    string
			marshal func(*spec.Spec) ([]byte, error)
		}{{"Marshal", spec.Marshal}, {"yaml.v3", spec.MarshalYAMLv3}} {
			b.Run(name+"/"+m.name, func(b *testing.B) {
				b.ReportAllocs()
				for b.Loop() {
					if _, err := m.marshal(s); err != nil {
						b.Fatal(err)
					}
				}
			})
		}
		// yaml.v3-node is the other way the issue of a second serializer
		// could be settled: one yaml.Node tree for the whole spec, encoded
		// once. Only the encoding is timed (the tree is parsed from
		// Marshal's output beforehand), so this is a lower bound on it.
		data, err := spec.Marshal(s)
		if err != nil {
			b.Fatal(err)
		}
		var tree yaml.Node
		if err := yaml.Unmarshal(data, &tree); err != nil {
			b.Fatal(err)
		}
		b.Run(name+"/yaml.v3-node", func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				var buf bytes.Buffer
				enc := yaml.NewEncoder(&buf)
				enc.SetIndent(2)
				if err := enc.Encode(&tree); err != nil {
					b.Fatal(err)
				}
				if err := enc.Close(); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func BenchmarkLoad(b *testing.B) {
	for name, s := range roundTripInputs(b) {
		data, err := spec.Marshal(s)
		if err != nil {
			b.Fatal(err)
		}
		b.Run(name, func(b *testing.B) {
			b.ReportAllocs()
			b.SetBytes(int64(len(data)))
			for b.Loop() {
				if _, _, err := spec.Load(name, data); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

type marshaler struct{}

func (marshaler) MarshalYAML() (any, error) { return "custom", nil }

type zeroer struct{ A int }

func (zeroer) IsZero() bool { return true }

// TestMarshalFallsBack: what Marshal does not write itself, yaml.v3 does,
// with the same result.
func TestMarshalFallsBack(t *testing.T) {
	for i, v := range []any{
		time.Date(2001, 2, 3, 4, 5, 6, 0, time.UTC),
		3 * time.Second,
		map[int]string{2: "b", 1: "a"},
		&yaml.Node{Kind: yaml.ScalarNode, Value: "x"},
		marshaler{},
		struct {
			Z zeroer `yaml:"z,omitempty"`
		}{zeroer{1}},
		struct {
			Zeroer `yaml:",inline"`
		}{},
		"\xff",
		"<<",
		"\ufeffa",
		"\na",
		[]any{"  a\nb"},
		map[string]string{strings.Repeat("k", 129): "long key"},
		map[string]string{"a\nb": "multi-line key"},
		map[string]any{"a\u2028b": "a\u2029b"},
	} {
		s := withString("x")
		s.Schemas[1].Schema.Default = v
		name := fmt.Sprintf("%d: %#v", i, v)
		if sameAsYAMLv3(t, name, s) {
			t.Errorf("%s: written directly", name)
		}
	}
}

type Zeroer struct{ A int }
