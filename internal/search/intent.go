package search

import "strings"

// intent is a kind of operation: what a query asks for and what an
// action's method and path do.
type intent int

const (
	iList   intent = iota // GET on a collection
	iGet                  // GET of one thing
	iCreate               // POST on a collection
	iUpdate               // PATCH, PUT, or POST on one thing
	iDelete               // DELETE
	iAction               // POST on a verb (…/cancel, …/merge)
	nIntents
)

type intents [nIntents]float64

// add raises each intent to at least w times its weight in in.
func (x *intents) add(in map[intent]float64, w float64) {
	for i, v := range in {
		x[i] = max(x[i], v*w)
	}
}

// docIntents says what an action does from its method and path: a GET on
// a path ending in a plural word lists, a GET ending in {param} (or a
// singular word: /readme) gets one thing, a POST on a plural word creates,
// a POST ending in {param} updates (Stripe), a POST on a singular word is
// a verb (…/cancel), PUT and PATCH update (a PUT also adds), DELETE
// deletes.
func docIntents(method, path string) intents {
	var x intents
	segs := strings.Split(strings.Trim(path, "/"), "/")
	last := segs[len(segs)-1]
	param := strings.HasPrefix(last, "{") || last == ""
	plural := false
	var lastWord string
	if !param {
		if ws := splitWords(last); len(ws) > 0 {
			lastWord = ws[len(ws)-1]
			plural = isPlural(lastWord, stem(lastWord))
		}
	}
	switch strings.ToUpper(method) {
	case "GET", "HEAD":
		switch {
		case param:
			x[iGet], x[iList] = 1, 0.3
		case plural:
			x[iList], x[iGet] = 1, 0.3
		default:
			x[iGet], x[iList] = 1, 0.5
		}
	case "POST":
		switch {
		case param:
			x[iUpdate], x[iCreate] = 1, 0.3
		case plural:
			x[iCreate], x[iUpdate] = 1, 0.2
		default:
			x[iAction], x[iCreate], x[iUpdate] = 1, 0.5, 0.5
			if in := vocab().intents[vocab().term(baseStem(lastWord))]; in[iDelete] > 0 {
				x[iDelete] = 0.8 // …/cancel, …/void
			}
		}
	case "PUT":
		x[iUpdate], x[iCreate], x[iAction] = 1, 0.6, 0.3
	case "PATCH":
		x[iUpdate] = 1
	case "DELETE":
		x[iDelete] = 1
	}
	return x
}

// leadWords is how far into a title leadIntent looks for its verb.
const leadWords = 3

// leadIntent is the intent of the first verb among a title's first terms
// ("List public gists", "Returns a list of coupons", "Cancels a
// subscription"), nil when there is none.
func (v *vocabulary) leadIntent(terms []string) map[intent]float64 {
	for _, t := range terms[:min(leadWords, len(terms))] {
		if in := v.intents[t]; in != nil {
			return in
		}
	}
	return nil
}

// match is how well an action's intents fit a query's, 0 to 1 (the best
// single fit), and how strongly the query states one (0 when it says
// nothing).
func match(q, d intents) (fit, strength float64) {
	var best float64
	for i := range q {
		best = max(best, q[i]*d[i])
		strength = max(strength, q[i])
	}
	if strength == 0 {
		return 0, 0
	}
	return best / strength, strength
}
