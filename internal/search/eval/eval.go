// Package eval measures internal/search on real API documents: it imports
// the shared OpenAPI corpus in process (never copying it into the
// repository), reads sets of task phrasings and counts how often the
// expected action ranks first and in the top five. It serves the tests of
// internal/search and internal/bench's BenchmarkSearch.
package eval

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"sync"

	"github.com/conngen/conngen/generator/model"
	"github.com/conngen/conngen/generator/openapi"
	"github.com/conngen/conngen/internal/search"
	"github.com/conngen/conngen/internal/testsupport"
)

// APIs maps each evaluated API to its document in the shared corpus.
var APIs = map[string]string{
	"github": "github-api.ogen-testdata.json",
	"stripe": "stripe.libopenapi-stripe-old.yaml",
}

// Names lists the evaluated APIs, sorted.
func Names() []string {
	var out []string
	for k := range APIs {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

// CorpusDir is the shared OpenAPI corpus, "" when it is absent.
func CorpusDir() string { return testsupport.OpenAPIDir() }

var (
	mu    sync.Mutex
	cache = map[string]*loaded{}
)

type loaded struct {
	once sync.Once
	docs []search.Doc
	err  error
}

// Docs imports api's document from dir (once per process) and returns its
// actions as search reads them, named as conngen mcp names its tools.
func Docs(dir, api string) ([]search.Doc, error) {
	file, ok := APIs[api]
	if !ok {
		return nil, fmt.Errorf("eval: unknown API %q", api)
	}
	path := filepath.Join(dir, file)
	mu.Lock()
	l := cache[path]
	if l == nil {
		l = &loaded{}
		cache[path] = l
	}
	mu.Unlock()
	l.once.Do(func() { l.docs, l.err = importDocs(path, api) })
	return l.docs, l.err
}

func importDocs(path, api string) ([]search.Doc, error) {
	s, _, err := openapi.Import(path, openapi.Options{Name: api})
	if err != nil {
		return nil, err
	}
	c := model.Build(s)
	docs := make([]search.Doc, 0, len(c.Registry))
	for _, e := range c.Registry {
		a := e.Action
		d := search.Doc{
			Name:   api + "_" + a.Name,
			Action: a.Name, Title: a.Title, Description: a.Description,
			Method: a.Method, Path: a.Path,
		}
		docs = append(docs, search.DocFromSchema(d, json.RawMessage(e.InputSchema())))
	}
	return docs, nil
}

// Phrasing is a task as a person would word it, and the actions (spec
// names) that would do it; any of them counts as found.
type Phrasing struct {
	API   string   `json:"api"`
	Query string   `json:"query"`
	Want  []string `json:"want"`
}

// LoadPhrasings reads a JSON array of phrasings.
func LoadPhrasings(path string) ([]Phrasing, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var ps []Phrasing
	if err := json.Unmarshal(data, &ps); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	for i, p := range ps {
		if APIs[p.API] == "" || p.Query == "" || len(p.Want) == 0 {
			return nil, fmt.Errorf("%s: phrasing %d: needs a known api, a query and a want", path, i)
		}
	}
	return ps, nil
}

// Miss is a phrasing whose action was not ranked first.
type Miss struct {
	Phrasing
	Rank  int    // 1-based rank of the best expected action; 0: not in the first Depth
	First string // the action ranked first
}

// Result counts one API's phrasings.
type Result struct {
	API           string
	N, Top1, Top5 int
	Misses        []Miss // in the order of the phrasings
}

// Depth is how deep Evaluate looks for the expected action.
const Depth = 50

// Ratio1 and Ratio5 are the shares found first and in the top five.
func (r *Result) Ratio1() float64 { return ratio(r.Top1, r.N) }
func (r *Result) Ratio5() float64 { return ratio(r.Top5, r.N) }

func ratio(a, n int) float64 {
	if n == 0 {
		return 0
	}
	return float64(a) / float64(n)
}

// Evaluate runs every phrasing against its API's index. It fails when a
// phrasing names an action its API does not have.
func Evaluate(ix map[string]*search.Index, docs map[string][]search.Doc, ps []Phrasing) (map[string]*Result, error) {
	out := map[string]*Result{}
	for _, p := range ps {
		idx := ix[p.API]
		if idx == nil {
			continue
		}
		for _, w := range p.Want {
			if !slices.ContainsFunc(docs[p.API], func(d search.Doc) bool { return d.Action == w }) {
				return nil, fmt.Errorf("phrasing %q: %s has no action %q", p.Query, p.API, w)
			}
		}
		r := out[p.API]
		if r == nil {
			r = &Result{API: p.API}
			out[p.API] = r
		}
		r.N++
		hits := idx.Search(p.Query, Depth)
		rank := 0
		for i, h := range hits {
			if slices.Contains(p.Want, h.Doc.Action) {
				rank = i + 1
				break
			}
		}
		if rank == 1 {
			r.Top1++
		}
		if rank >= 1 && rank <= 5 {
			r.Top5++
		}
		if rank != 1 {
			m := Miss{Phrasing: p, Rank: rank}
			if len(hits) > 0 {
				m.First = hits[0].Doc.Action
			}
			r.Misses = append(r.Misses, m)
		}
	}
	return out, nil
}
