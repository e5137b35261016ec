// Package search ranks a connector's actions against a task worded the
// way a person would put it, for conngen mcp's search_actions.
//
// The ranking reads each action's name, title, description, path and
// parameter names. It is BM25F (field-weighted BM25, document frequency
// from the actions themselves, so a word every action has counts for
// little) over terms that a small analyzer makes from the text: words
// split at camelCase, snake_case and path separators, markup stripped,
// light stemming, and hand-made tables of API vocabulary (synonyms,
// phrases, implied words, looser related words for the query). The
// score then favors actions that cover more of the query and whose HTTP
// method and path do what the query asks (create ⇒ POST on a
// collection, remove ⇒ DELETE, list ⇒ GET on a collection). Everything
// is in this package: no network, no model; results are deterministic,
// ties broken by Doc.Name.
package search

import (
	"maps"
	"math"
	"slices"
	"strings"
)

// Index ranks a fixed set of actions. It is safe for concurrent Search.
type Index struct {
	docs     []Doc
	intents  []intents
	terms    map[string]int // term → index into postings and idf
	postings [][]posting
	idf      []float64
	lex      *lex
	headMass []float64 // per doc: the idf of its name and title terms, summed
}

type posting struct {
	doc  int32
	s    float32 // the term's saturated, field-weighted frequency in doc
	head bool    // the term is in doc's name or title
}

// Hit is a ranked action.
type Hit struct {
	Doc   Doc
	Score float64
}

// The fields of an action, their weights and BM25 length normalization.
const (
	fName     = iota // the action name, split
	fTitle           // the title
	fSummary         // the description's first sentence
	fResource        // the path's last literal segment: what the action acts on
	fPath            // the path's other literal segments
	fParams          // input field names
	fDesc            // the description
	nFields
)

var (
	fieldWeight = [nFields]float64{fName: 2.5, fTitle: 3, fSummary: 1.2, fResource: 2.5, fPath: 1.2, fParams: 0.5, fDesc: 0.5}
	fieldB      = [nFields]float64{fName: 0.5, fTitle: 0.5, fSummary: 0.5, fResource: 0.2, fPath: 0.3, fParams: 0.5, fDesc: 0.75}
)

// Ranking parameters.
const (
	k1 = 1.2
	// coverExp: the score is multiplied by the share of the query's
	// concepts (weighted by idf) that the action matches, to this power.
	coverExp = 0.5
	// intentGain: how much a fitting (or unfitting) method and path
	// raise (or lower) the score, at full query intent.
	intentGain = 0.6
	// coverFull: the saturated frequency at which a term counts as fully
	// covering its concept (about a title match).
	coverFull = 0.6
	// precFloor: an action none of whose name and title the query
	// explains keeps this share of its score; one the query explains
	// wholly keeps all of it (so "cancel a subscription" prefers the
	// action about subscriptions to the one about subscription schedules).
	precFloor = 0.5
)

// New indexes docs. Their order does not matter: ties are broken by Name.
func New(docs []Doc) *Index {
	v := vocab()
	ix := &Index{docs: slices.Clone(docs), terms: map[string]int{}}
	n := len(ix.docs)

	// First pass: the words of names, titles and paths, against which
	// un- verbs and compounds are recognized ("unstar" when "star" is an
	// action's word, "invoiceitems" when "invoice" and "item" are).
	ix.lex = &lex{words: map[string]bool{}, splits: map[string][]string{}}
	toks := make([][nFields][]token, n)
	for i, d := range ix.docs {
		texts := fieldTexts(d)
		for f := range nFields {
			toks[i][f] = v.tokens(texts[f])
		}
		for _, f := range []int{fName, fTitle, fResource, fPath} {
			for _, t := range v.terms(toks[i][f], nil) {
				ix.lex.words[t] = true
			}
		}
	}

	fields := make([][nFields][]string, n)
	var avg [nFields]float64
	for i := range ix.docs {
		for f := range nFields {
			fields[i][f] = v.terms(toks[i][f], ix.lex)
		}
		for f := range nFields {
			avg[f] += float64(len(fields[i][f]))
		}
	}
	for f := range avg {
		avg[f] = max(avg[f]/float64(max(n, 1)), 1)
	}

	ix.intents = make([]intents, n)
	headTerms := make([][]int, n) // each doc's name and title terms
	tf := map[string]float64{}
	head := map[string]bool{}
	seen := map[string]bool{}
	var order []string
	for i, d := range ix.docs {
		ix.intents[i] = docIntents(d.Method, d.Path)
		// What the title (else the summary) says the action does counts
		// too: "List public gists" lists, whatever GET /gists/public seems.
		lead := fields[i][fTitle]
		if len(lead) == 0 {
			lead = fields[i][fSummary]
		}
		ix.intents[i].add(v.leadIntent(lead), 1)
		clear(tf)
		clear(head)
		order = order[:0]
		for f := range nFields {
			norm := 1 - fieldB[f] + fieldB[f]*float64(len(fields[i][f]))/avg[f]
			clear(seen)
			for _, t := range fields[i][f] {
				if _, ok := tf[t]; !ok {
					order = append(order, t)
				}
				// Short fields count a term once: a path that says
				// "customers/{customer}" is not twice about customers.
				if f != fDesc && seen[t] {
					continue
				}
				seen[t] = true
				tf[t] += fieldWeight[f] / norm
				if f == fName || f == fTitle {
					head[t] = true
				}
			}
		}
		for _, t := range order {
			id, ok := ix.terms[t]
			if !ok {
				id = len(ix.postings)
				ix.terms[t] = id
				ix.postings = append(ix.postings, nil)
			}
			x := tf[t]
			ix.postings[id] = append(ix.postings[id], posting{doc: int32(i), s: float32(x / (k1 + x)), head: head[t]})
			if head[t] {
				headTerms[i] = append(headTerms[i], id)
			}
		}
	}
	ix.idf = make([]float64, len(ix.postings))
	for id, p := range ix.postings {
		df := float64(len(p))
		ix.idf[id] = math.Log(1 + (float64(n)-df+0.5)/(df+0.5))
	}
	ix.headMass = make([]float64, n)
	for i, ids := range headTerms {
		for _, id := range ids {
			ix.headMass[i] += ix.idf[id]
		}
	}
	return ix
}

// fieldTexts is the text of each field of d.
func fieldTexts(d Doc) [nFields]string {
	var t [nFields]string
	t[fName] = nameWithoutParams(d.Action, d.Path)
	desc := stripMarkup(d.Description)
	first := firstSentence(desc)
	rest := strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(desc), first))
	t[fTitle] = stripMarkup(d.Title)
	t[fSummary] = first
	t[fDesc] = rest
	var lits []string
	for _, s := range strings.Split(d.Path, "/") {
		if s != "" && !strings.HasPrefix(s, "{") {
			lits = append(lits, s)
		}
	}
	if len(lits) > 0 {
		t[fResource] = lits[len(lits)-1]
		t[fPath] = strings.Join(lits[:len(lits)-1], " ")
	}
	t[fParams] = strings.Join(d.Params, " ")
	return t
}

// Search returns at most limit hits, best first; an empty query (or one
// with no word any action has) returns none.
func (ix *Index) Search(query string, limit int) []Hit {
	if limit <= 0 || len(ix.docs) == 0 {
		return nil
	}
	q := vocab().parseQuery(query, ix.lex.forQuery())
	n := len(ix.docs)
	score := make([]float64, n)
	cover := make([]float64, n)     // the query's idf mass the doc matches
	explained := make([]float64, n) // the doc's name and title idf mass the query matches
	best := make([]float64, n)
	bestCover := make([]float64, n)
	var touched []int32
	var total float64
	headWeight := map[int]float64{} // query term → its greatest weight, for explained
	for _, s := range q.slots {
		// importance: the most the slot can give, by idf and weight.
		importance := 0.0
		for _, a := range s.alts {
			if id, ok := ix.terms[a.term]; ok {
				importance = max(importance, a.w*ix.idf[id])
			}
		}
		if importance == 0 {
			continue
		}
		total += importance
		touched = touched[:0]
		for _, a := range s.alts {
			id, ok := ix.terms[a.term]
			if !ok {
				continue
			}
			wi := a.w * ix.idf[id]
			for _, p := range ix.postings[id] {
				v := wi * float64(p.s)
				if best[p.doc] == 0 && bestCover[p.doc] == 0 {
					touched = append(touched, p.doc)
				}
				best[p.doc] = max(best[p.doc], v)
				// A weak match (a word deep in a description) covers
				// the concept only in part.
				bestCover[p.doc] = max(bestCover[p.doc], wi*min(1, float64(p.s)/coverFull))
			}
			headWeight[id] = max(headWeight[id], a.w)
		}
		for _, d := range touched {
			score[d] += best[d]
			cover[d] += bestCover[d]
			best[d], bestCover[d] = 0, 0
		}
	}
	for _, id := range slices.Sorted(maps.Keys(headWeight)) { // in order: sums are exact alike
		w := headWeight[id]
		for _, p := range ix.postings[id] {
			if p.head {
				explained[p.doc] += w * ix.idf[id]
			}
		}
	}
	type ranked struct {
		doc   int
		score float64
	}
	var rs []ranked
	for i := range n {
		if score[i] == 0 {
			continue
		}
		f := ix.factors(i, q, cover[i]/total, explained[i])
		rs = append(rs, ranked{i, score[i] * f.cover * f.prec * f.intent})
	}
	slices.SortFunc(rs, func(a, b ranked) int {
		if a.score != b.score {
			if a.score > b.score {
				return -1
			}
			return 1
		}
		return strings.Compare(ix.docs[a.doc].Name, ix.docs[b.doc].Name)
	})
	hits := make([]Hit, 0, min(limit, len(rs)))
	for _, r := range rs[:min(limit, len(rs))] {
		hits = append(hits, Hit{Doc: ix.docs[r.doc], Score: r.score})
	}
	return hits
}

// factors multiply an action's score: how much of the query it covers,
// how much of its name and title the query explains, how well its method
// and path fit what the query asks.
type factors struct{ cover, prec, intent float64 }

func (ix *Index) factors(i int, q query, cover, explained float64) factors {
	f := factors{cover: math.Pow(cover, coverExp), prec: 1, intent: 1}
	if ix.headMass[i] > 0 {
		f.prec = precFloor + (1-precFloor)*min(1, explained/ix.headMass[i])
	}
	if fit, strength := match(q.intents, ix.intents[i]); strength > 0 {
		f.intent = 1 + intentGain*strength*(fit-0.5)
	}
	return f
}

// nameWithoutParams is an action name without the words that come only
// from its path's {params}: "getSubscriptionsSubscriptionExposedId" is
// about subscriptions, not about "exposed" or "id".
func nameWithoutParams(name, path string) string {
	lit, par := map[string]bool{}, map[string]bool{}
	for _, seg := range strings.Split(path, "/") {
		m := lit
		if strings.HasPrefix(seg, "{") {
			m = par
		}
		for _, w := range splitWords(seg) {
			m[stem(w)] = true
		}
	}
	var keep []string
	for _, w := range splitWords(name) {
		if s := stem(w); !par[s] || lit[s] {
			keep = append(keep, w)
		}
	}
	return strings.Join(keep, " ")
}

// lex is an Index's lexicon. Its split cache is filled by New; a query
// reads it and caches its own words in a copy of its own.
type lex struct {
	words  map[string]bool
	splits map[string][]string
	local  map[string][]string // a query's own cache, over splits
}

func (l *lex) known(t string) bool { return l.words[t] }

func (l *lex) cachedSplit(raw string) ([]string, bool) {
	if p, ok := l.splits[raw]; ok {
		return p, true
	}
	p, ok := l.local[raw]
	return p, ok
}

func (l *lex) storeSplit(raw string, parts []string) {
	if l.local != nil {
		l.local[raw] = parts
		return
	}
	l.splits[raw] = parts
}

// forQuery is the lexicon a Search reads: the index's, never written to
// (Search is safe for concurrent use).
func (l *lex) forQuery() *lex {
	return &lex{words: l.words, splits: l.splits, local: map[string][]string{}}
}
