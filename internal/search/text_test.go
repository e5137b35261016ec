package search

import (
	"slices"
	"strings"
	"testing"
)

func TestSplitWords(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"issuesCreate", "issues create"},
		{"postCustomersCustomerBalanceTransactions", "post customers customer balance transactions"},
		{"HTTPServer", "http server"},
		{"getURLForID", "get url for id"},
		{"/repos/{owner}/{repo}/issues/{issue_number}", "repos owner repo issues issue number"},
		{"per_page", "per page"},
		{"code-scanning", "code scanning"},
		{"oauth2Token", "oauth 2 token"},
		{"post3dSecure", "post 3d secure"},
		{"get3DSecure", "get 3d secure"},
		{"the customer's card", "the customer card"},
		{"I've starred what’s new", "i starred what new"},
		{"Café Straße", "café straße"},
		{"", ""},
	} {
		if got := strings.Join(splitWords(tc.in), " "); got != tc.want {
			t.Errorf("splitWords(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func TestStem(t *testing.T) {
	same := [][]string{
		{"issue", "issues", "issued"},
		{"star", "stars", "starred", "starring"},
		{"branch", "branches"},
		{"repository", "repositories"},
		{"address", "addresses"},
		{"create", "creates", "created", "creating"},
		{"bill", "bills", "billed", "billing"},
		{"run", "runs", "running"},
		{"merge", "merged", "merging", "merges"},
		{"reply", "replies", "replied"},
		{"box", "boxes"},
	}
	for _, group := range same {
		for _, w := range group[1:] {
			if stem(w) != stem(group[0]) {
				t.Errorf("stem(%q) = %q, stem(%q) = %q: want equal", w, stem(w), group[0], stem(group[0]))
			}
		}
	}
	different := [][2]string{{"status", "statu"}, {"user", "use"}, {"string", "str"}, {"member", "memb"}, {"analysis", "analysi"}}
	for _, p := range different {
		if stem(p[0]) == stem(p[1]) {
			t.Errorf("stem(%q) = stem(%q) = %q: want different", p[0], p[1], stem(p[0]))
		}
	}
	for _, w := range []string{"pr", "prs", "get", "v1", "3d", "oauth2"} {
		if stem(w) != w {
			t.Errorf("stem(%q) = %q: short words and words with digits are kept", w, stem(w))
		}
	}
}

func TestStripMarkup(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{`<p>Creates a <a href="/docs/api">Charge</a> object.</p>`, "Creates a Charge object."},
		{`Use the [List issues](https://docs.github.com/rest#list) endpoint`, "Use the List issues endpoint"},
		{`Tom &amp; Jerry&rsquo;s &lt;b&gt;`, "Tom & Jerry’s <b>"},
		{`see https://example.com/a?b=c for more`, "see for more"},
		{"`code` and **bold**", "code and bold"},
	} {
		got := strings.Join(strings.Fields(strings.Join(splitWordsKeepCase(stripMarkup(tc.in)), " ")), " ")
		want := strings.Join(splitWordsKeepCase(tc.want), " ")
		if got != want {
			t.Errorf("stripMarkup(%q) has words %q, want %q", tc.in, got, want)
		}
	}
	if got := stripMarkup(`<p>a</p><br/>b`); strings.Contains(got, "<") || strings.Contains(got, "p>") {
		t.Errorf("tags left: %q", got)
	}
}

// splitWordsKeepCase is the words of s as splitWords sees them.
func splitWordsKeepCase(s string) []string { return splitWords(s) }

func TestFirstSentence(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"Creates a customer. Then more.", "Creates a customer."},
		{"Lists things\nand more", "Lists things"},
		{"Version 1.2 is out. Yes.", "Version 1.2 is out."},
		{"no period", "no period"},
	} {
		if got := firstSentence(tc.in); got != tc.want {
			t.Errorf("firstSentence(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func TestSynonyms(t *testing.T) {
	v := vocab()
	for _, p := range [][2]string{
		{"remove a repo", "delete the repositories"},
		{"destroy an org", "delete organizations"},
		{"fetch a PR", "retrieve pull requests"},
		{"edit the hook", "update a webhook"},
		{"give the money back", "give the refund"},
		{"get rid of a customer", "delete customers"},
		{"every invoice", "list all invoices"},
	} {
		a, b := v.analyze(p[0], nil), v.analyze(p[1], nil)
		slices.Sort(a)
		slices.Sort(b)
		if !slices.Equal(slices.Compact(a), slices.Compact(b)) {
			t.Errorf("%q → %q, %q → %q: want the same terms", p[0], a, p[1], b)
		}
	}
	for _, p := range [][2]string{{"delete", "list"}, {"create", "update"}, {"issue", "pull"}, {"star", "watch"}} {
		if slices.Equal(v.analyze(p[0], nil), v.analyze(p[1], nil)) {
			t.Errorf("%q and %q analyze alike", p[0], p[1])
		}
	}
	// a person noun implies a user; rename implies update and name
	if got := v.analyze("stargazers", nil); !slices.Contains(got, "star") || !slices.Contains(got, "user") {
		t.Errorf("stargazers → %q, want star and user", got)
	}
	if got, want := v.analyze("rename", nil), v.analyze("update name", nil); !slices.Contains(got, want[0]) || !slices.Contains(got, want[1]) {
		t.Errorf("rename → %q, want update and name", got)
	}
	// stop words go
	if got := v.analyze("the a of my", nil); len(got) != 0 {
		t.Errorf("stop words → %q", got)
	}
}

// testLex is a lexicon of given words.
type testLex map[string]bool

func (l testLex) known(t string) bool                 { return l[t] }
func (l testLex) cachedSplit(string) ([]string, bool) { return nil, false }
func (l testLex) storeSplit(string, []string)         {}

func TestUnVerbsAndCompounds(t *testing.T) {
	v := vocab()
	lex := testLex{"star": true, "invoic": true, "item": true, "link": true}
	if got := v.analyze("Unstar a gist", lex); !slices.Contains(got, "star") || !slices.Contains(got, v.term("delet")) {
		t.Errorf("unstar → %q, want star and delete", got)
	}
	if got := v.analyze("unique", lex); slices.Contains(got, v.term("delet")) {
		t.Errorf("unique → %q: not an un- verb", got)
	}
	if got := v.analyze("invoiceitems", lex); !slices.Contains(got, "invoic") || !slices.Contains(got, "item") {
		t.Errorf("invoiceitems → %q, want invoice and item", got)
	}
	if got := v.analyze("invoiceitems", nil); len(got) != 1 {
		t.Errorf("without a lexicon invoiceitems → %q, want one term", got)
	}
	if got := v.analyze("linkage", lex); len(got) != 1 {
		t.Errorf("linkage → %q: \"age\" is no known word", got)
	}
	// a verb and its noun in -ion, when the API has the other
	lex = testLex{"reaction": true, "invit": true}
	if got := v.analyze("reacted", lex); !slices.Contains(got, "reaction") {
		t.Errorf("reacted → %q, want reaction", got)
	}
	if got := v.analyze("invitations", lex); !slices.Contains(got, "invit") {
		t.Errorf("invitations → %q, want invite", got)
	}
	if got := v.analyze("reacted", testLex{}); len(got) != 1 {
		t.Errorf("reacted with no reaction in the API → %q", got)
	}
}

// TestVocabulary checks the tables against each other: a word in one
// synonym group only, every table word analyzable, intent and related
// keys that do not collide once canonicalized.
func TestVocabulary(t *testing.T) {
	v := vocab()
	group := map[string]string{}
	for _, g := range synonymGroups {
		for _, w := range strings.Fields(g) {
			s := baseStem(w)
			if prev, ok := group[s]; ok && prev != g {
				t.Errorf("%q (stem %q) is in two groups: %q and %q", w, s, prev, g)
			}
			group[s] = g
		}
	}
	keys := map[string]string{}
	for w := range intentWords {
		k := w
		if !v.stop[w] {
			k = v.term(baseStem(w))
		}
		if prev, ok := keys[k]; ok {
			t.Errorf("intent words %q and %q are both %q", prev, w, k)
		}
		keys[k] = w
	}
	keys = map[string]string{}
	for w := range related {
		k := w
		if !v.stop[w] {
			k = baseStem(w)
		}
		if prev, ok := keys[k]; ok {
			t.Errorf("related words %q and %q are both %q", prev, w, k)
		}
		keys[k] = w
		for r, wt := range related[w] {
			if wt <= 0 || wt > 1 {
				t.Errorf("related %q → %q: weight %v outside (0, 1]", w, r, wt)
			}
		}
	}
	keys = map[string]string{}
	for w := range decompose {
		k := v.term(baseStem(w))
		if prev, ok := keys[k]; ok {
			t.Errorf("decomposed words %q and %q are both %q", prev, w, k)
		}
		keys[k] = w
	}
	for p, out := range phrases {
		if len(splitWords(p)) < 2 || len(splitWords(out)) != 1 {
			t.Errorf("phrase %q → %q: want two words or more, replaced by one", p, out)
		}
	}
}
