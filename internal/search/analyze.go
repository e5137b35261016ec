package search

import (
	"slices"
	"strings"
	"sync"
)

// The analyzer turns text into terms: words (splitWords), irregular forms
// and stems, phrases, stop words dropped, synonyms mapped to one term,
// implied words added (decompose, and un- verbs). Documents and queries
// go through the same steps; a query also gets related words (weighted)
// and what it says about the kind of operation (intents).

type token struct {
	raw  string // the lowercase word as written (or the phrase's word)
	stem string
}

type vocabulary struct {
	stop      map[string]bool
	canon     map[string]string     // stem → canonical term
	phrases   map[string][][]string // first stem → phrases starting with it, each [stems..., replacement]
	decompose map[string][]string
	related   map[string][]alt // stem (or raw stop word) → weighted canonical terms
	intents   map[string]map[intent]float64
}

type alt struct {
	term string
	w    float64
}

var (
	vocabOnce sync.Once
	theVocab  *vocabulary
)

func vocab() *vocabulary {
	vocabOnce.Do(func() { theVocab = buildVocabulary() })
	return theVocab
}

// baseStem is a word's stem after its irregular form is resolved.
func baseStem(w string) string {
	if b, ok := irregular[w]; ok {
		w = b
	}
	return stem(w)
}

func buildVocabulary() *vocabulary {
	v := &vocabulary{
		stop:      map[string]bool{},
		canon:     map[string]string{},
		phrases:   map[string][][]string{},
		decompose: map[string][]string{},
		related:   map[string][]alt{},
		intents:   map[string]map[intent]float64{},
	}
	for _, w := range strings.Fields(stopWordList) {
		v.stop[w] = true
	}
	for _, g := range synonymGroups {
		ws := strings.Fields(g)
		head := baseStem(ws[0])
		for _, w := range ws {
			if _, dup := v.canon[baseStem(w)]; !dup {
				v.canon[baseStem(w)] = head
			}
		}
	}
	for p, out := range phrases {
		var seq []string
		for _, w := range splitWords(p) {
			seq = append(seq, baseStem(w))
		}
		seq = append(seq, out)
		v.phrases[seq[0]] = append(v.phrases[seq[0]], seq)
	}
	// Longest phrase first, then in a fixed order, so matching is deterministic.
	for k, list := range v.phrases {
		sortPhrases(list)
		v.phrases[k] = list
	}
	for w, ds := range decompose {
		c := v.term(baseStem(w))
		for _, d := range ds {
			v.decompose[c] = append(v.decompose[c], v.term(baseStem(d)))
		}
	}
	for w, rel := range related {
		key := w
		if !v.stop[w] {
			key = baseStem(w)
		}
		for t, wt := range rel {
			v.related[key] = append(v.related[key], alt{v.term(baseStem(t)), wt})
		}
		sortAlts(v.related[key])
	}
	for w, in := range intentWords {
		key := w
		if !v.stop[w] {
			key = v.term(baseStem(w))
		}
		v.intents[key] = in
	}
	return v
}

// term is a stem's canonical term.
func (v *vocabulary) term(stem string) string {
	if c, ok := v.canon[stem]; ok {
		return c
	}
	return stem
}

// tokens splits text into words, resolves irregular forms, stems, and
// joins phrases into their word.
func (v *vocabulary) tokens(text string) []token {
	words := splitWords(text)
	toks := make([]token, 0, len(words))
	for _, w := range words {
		toks = append(toks, token{raw: w, stem: baseStem(w)})
	}
	out := toks[:0]
	for i := 0; i < len(toks); i++ {
		matched := false
		for _, p := range v.phrases[toks[i].stem] {
			n := len(p) - 1
			if i+n > len(toks) {
				continue
			}
			ok := true
			for j := 1; j < n; j++ {
				if toks[i+j].stem != p[j] {
					ok = false
					break
				}
			}
			if ok {
				out = append(out, token{raw: p[n], stem: baseStem(p[n])})
				i += n - 1
				matched = true
				break
			}
		}
		if !matched {
			out = append(out, toks[i])
		}
	}
	return out
}

// lexicon is the words an index's actions are named with, against which
// the analyzer recognizes a word's parts.
type lexicon interface {
	known(term string) bool
	// split caches compound splits; nil means not split.
	cachedSplit(raw string) ([]string, bool)
	storeSplit(raw string, parts []string)
}

// expand lists a term and the terms it implies: its decomposition; for
// an un- verb whose rest is a known term ("unstar", "unfollow"), that
// term and "delete"; for a compound of two known words ("invoiceitems",
// "autolinks"), the two.
func (v *vocabulary) expand(t token, lex lexicon) (string, []string) {
	c := v.term(t.stem)
	implied := v.decompose[c]
	if lex == nil {
		return c, implied
	}
	if len(t.raw) >= 5 && strings.HasPrefix(t.raw, "un") {
		if rest := v.term(baseStem(t.raw[2:])); len(rest) >= 3 && lex.known(rest) {
			implied = append(implied[:len(implied):len(implied)], rest, v.term(baseStem("delete")))
		}
	}
	if parts := v.split(t.raw, lex); parts != nil {
		implied = append(implied[:len(implied):len(implied)], parts...)
	}
	if d := v.derived(t.stem, lex); d != "" && d != c && !slices.Contains(implied, d) {
		implied = append(implied[:len(implied):len(implied)], d)
	}
	return c, implied
}

// derived is the known noun in -ion of a verb, or the known verb of such
// a noun ("react" and "reaction", "invite" and "invitation", "delete" and
// "deletion"), "" when the API has no such word.
func (v *vocabulary) derived(stem string, lex lexicon) string {
	var cands []string
	if base, ok := strings.CutSuffix(stem, "ion"); ok {
		cands = append(cands, base)
		if b, ok := strings.CutSuffix(stem, "ation"); ok {
			cands = append(cands, b)
		}
	} else {
		cands = append(cands, stem+"ion", stem+"ation")
	}
	for _, c := range cands {
		if len(c) < minPart || !isASCIIAlpha(c) {
			continue
		}
		if t := v.term(c); lex.known(t) {
			return t
		}
	}
	return ""
}

// minCompound and minPart bound the words split into two known words,
// and their parts.
const (
	minCompound = 7
	minPart     = 4
)

// split is a compound word's two known parts, the most even split when
// there are several; nil when it is not such a compound.
func (v *vocabulary) split(raw string, lex lexicon) []string {
	if len(raw) < minCompound || !isASCIIAlpha(raw) {
		return nil
	}
	if parts, ok := lex.cachedSplit(raw); ok {
		return parts
	}
	var best []string
	bestMin := 0
	for i := minPart; i <= len(raw)-minPart; i++ {
		l, r := raw[:i], raw[i:]
		if v.stop[l] || v.stop[r] {
			continue
		}
		lt, rt := v.term(baseStem(l)), v.term(baseStem(r))
		if m := min(len(l), len(r)); m > bestMin && lex.known(lt) && lex.known(rt) {
			best, bestMin = []string{lt, rt}, m
		}
	}
	lex.storeSplit(raw, best)
	return best
}

// analyze is the terms of a document field, in order, with repeats.
func (v *vocabulary) analyze(text string, lex lexicon) []string {
	return v.terms(v.tokens(text), lex)
}

// terms is the terms of a field's tokens.
func (v *vocabulary) terms(toks []token, lex lexicon) []string {
	var out []string
	for _, t := range toks {
		if v.stop[t.raw] {
			continue
		}
		c, implied := v.expand(t, lex)
		out = append(out, c)
		out = append(out, implied...)
	}
	return out
}

// slot is one concept of a query: alternatives, the best of which counts.
type slot struct {
	alts []alt
}

// query is an analyzed query.
type query struct {
	slots   []slot
	intents intents
}

// Weights of a query's implied words (decompose) and of the hint a
// plural noun gives (a list is wanted).
const (
	impliedWeight = 0.7
	pluralHint    = 0.3
	laterVerb     = 0.5 // intent weight of a verb after the first, or of a past form
	imperative    = 0.4 // intent weight of an unknown first word: a change
)

func (v *vocabulary) parseQuery(text string, lex lexicon) query {
	var q query
	// The first word that says what to do is the task's verb; later ones
	// ("the refunds I've made", "transactions that changed") say less, as
	// do past forms.
	verbWeight := 1.0
	addIntent := func(in map[intent]float64, w float64, t token) bool {
		if in == nil {
			return false
		}
		if quantifiers[t.raw] {
			q.intents.add(in, w) // "all", "every": a list, wherever they are
			return false
		}
		if strings.HasSuffix(t.raw, "ed") || irregular[t.raw] != "" {
			w *= laterVerb
		}
		q.intents.add(in, w*verbWeight)
		return true
	}
	for n, t := range v.tokens(text) {
		said := false
		if v.stop[t.raw] {
			said = addIntent(v.intents[t.raw], 1, t)
		}
		if v.stop[t.raw] {
			if said {
				verbWeight = laterVerb
			}
			if rel := v.related[t.raw]; len(rel) > 0 {
				q.slots = append(q.slots, slot{alts: rel})
			}
			continue
		}
		c, implied := v.expand(t, lex)
		s := slot{alts: []alt{{c, 1}}}
		rel := v.related[t.stem]
		if c != t.stem {
			rel = append(rel[:len(rel):len(rel)], v.related[c]...)
		}
		for _, r := range rel {
			if r.term == c {
				s.alts[0].w = r.w // a weak word: related gives its own weight
			} else {
				s.alts = append(s.alts, r)
			}
		}
		if !slices.ContainsFunc(q.slots, func(o slot) bool { return o.alts[0].term == c }) {
			q.slots = append(q.slots, s)
		}
		for _, d := range implied {
			q.slots = append(q.slots, slot{alts: []alt{{d, impliedWeight}}})
		}
		for _, a := range s.alts {
			said = addIntent(v.intents[a.term], a.w, t) || said
		}
		for _, d := range implied {
			said = addIntent(v.intents[d], impliedWeight, t) || said
		}
		if isPlural(t.raw, t.stem) && v.intents[c] == nil {
			q.intents.add(map[intent]float64{iList: 1}, pluralHint)
		} else if n == 0 && !said {
			// A task that starts with a verb the tables do not know
			// ("assign", "merge", "protect") asks to change something.
			q.intents.add(map[intent]float64{iCreate: 1, iUpdate: 1, iAction: 1, iDelete: 0.5}, imperative)
			said = true
		}
		if said {
			verbWeight = laterVerb
		}
	}
	return q
}

// quantifiers ask for a list wherever they stand in a query.
var quantifiers = map[string]bool{"all": true, "every": true, "everything": true, "each": true}

// isPlural: the word is a plural noun (its stem dropped an s).
func isPlural(raw, stem string) bool {
	return strings.HasSuffix(raw, "s") && !strings.HasSuffix(raw, "ss") && stem != raw && !strings.HasSuffix(stem, "s")
}

func sortPhrases(list [][]string) {
	slices.SortFunc(list, func(a, b []string) int {
		if len(a) != len(b) {
			return len(b) - len(a)
		}
		return slices.Compare(a, b)
	})
}

func sortAlts(list []alt) {
	slices.SortFunc(list, func(a, b alt) int { return strings.Compare(a.term, b.term) })
}
