package search

import (
	"encoding/json"
	"fmt"
	"slices"
	"sync"
	"testing"
)

func TestDocFromSchema(t *testing.T) {
	input := `{
		"type": "object",
		"properties": {
			"owner": {"type": "string"},
			"repo": {"type": "string"},
			"body": {"anyOf": [{"$ref": "#/$defs/IssueCreate"}, {"type": "null"}]}
		},
		"$defs": {
			"IssueCreate": {"allOf": [{"$ref": "#/$defs/Base"}, {"properties": {"labels": {}, "owner": {}}}], "properties": {"title": {}}},
			"Base": {"properties": {"milestone": {}, "body": {}}, "oneOf": [{"$ref": "#/$defs/IssueCreate"}]}
		}
	}`
	d := DocFromSchema(Doc{Name: "x", Params: []string{"repo"}}, json.RawMessage(input))
	want := []string{"repo", "owner", "title", "milestone", "body", "labels"}
	if !slices.Equal(d.Params, want) {
		t.Errorf("params %q, want %q", d.Params, want)
	}
	// the input's own "body" key is not a param; a body property named body is
	if got := DocFromSchema(Doc{}, json.RawMessage(`{"properties":{"body":{"type":"string"}}}`)).Params; len(got) != 0 {
		t.Errorf("raw body: params %q, want none", got)
	}
	for _, bad := range []string{``, `nope`, `[]`, `{"properties": 3}`, `{"properties":{"a":1}}`} {
		if got := DocFromSchema(Doc{Params: []string{"p"}}, json.RawMessage(bad)); !slices.Equal(got.Params, []string{"p"}) {
			t.Errorf("DocFromSchema(%q) params %q, want unchanged", bad, got.Params)
		}
	}
}

func TestDocIntents(t *testing.T) {
	for _, tc := range []struct {
		method, path string
		want         intent
	}{
		{"GET", "/repos/{owner}/{repo}/issues", iList},
		{"GET", "/repos/{owner}/{repo}/issues/{issue_number}", iGet},
		{"GET", "/repos/{owner}/{repo}/readme", iGet},
		{"POST", "/repos/{owner}/{repo}/issues", iCreate},
		{"POST", "/v1/customers/{customer}", iUpdate},
		{"POST", "/v1/payment_intents/{intent}/capture", iAction},
		{"PATCH", "/repos/{owner}/{repo}", iUpdate},
		{"PUT", "/user/starred/{owner}/{repo}", iUpdate},
		{"DELETE", "/repos/{owner}/{repo}", iDelete},
	} {
		x := docIntents(tc.method, tc.path)
		best := intent(0)
		for i := range x {
			if x[i] > x[best] {
				best = intent(i)
			}
		}
		if best != tc.want || x[best] != 1 {
			t.Errorf("%s %s: intents %v, want %d first", tc.method, tc.path, x, tc.want)
		}
	}
	if x := docIntents("POST", "/v1/subscription_schedules/{schedule}/cancel"); x[iDelete] == 0 {
		t.Errorf("POST …/cancel: intents %v, want some delete", x)
	}
	if x := docIntents("PUT", "/user/following/{username}"); x[iCreate] == 0 {
		t.Errorf("PUT: intents %v, want some create (a PUT adds)", x)
	}
}

func TestQueryIntents(t *testing.T) {
	v := vocab()
	for _, tc := range []struct {
		query string
		want  intent
	}{
		{"remove a repo", iDelete},
		{"get rid of a customer", iDelete},
		{"cancel my subscription", iDelete},
		{"open an issue", iCreate},
		{"make a new webhook", iCreate},
		{"change the title", iUpdate},
		{"list my repos", iList},
		{"find repos about machine learning", iList},
		{"fetch the readme", iGet},
		{"show all the refunds I've made", iList}, // the first verb counts, "made" less
		{"every transaction that changed my balance", iList},
		{"merge this PR", iCreate}, // an unknown first verb asks for a change
	} {
		q := v.parseQuery(tc.query, nil)
		for i := range q.intents {
			if q.intents[i] > q.intents[tc.want] {
				t.Errorf("%q: intents %v, want %d strongest", tc.query, q.intents, tc.want)
				break
			}
		}
		if q.intents[tc.want] == 0 {
			t.Errorf("%q: intents %v, want %d", tc.query, q.intents, tc.want)
		}
	}
	if q := v.parseQuery("the invoice", nil); q.intents != (intents{}) {
		t.Errorf("no verb: intents %v, want none", q.intents)
	}
}

// testDocs is a small API, GitHub-like and Stripe-like.
var testDocs = []Doc{
	{Name: "t_reposGet", Action: "reposGet", Title: "Get a repository", Method: "GET", Path: "/repos/{owner}/{repo}"},
	{Name: "t_reposDelete", Action: "reposDelete", Title: "Delete a repository", Description: "Deleting a repository requires admin access.", Method: "DELETE", Path: "/repos/{owner}/{repo}"},
	{Name: "t_reposUpdate", Action: "reposUpdate", Title: "Update a repository", Method: "PATCH", Path: "/repos/{owner}/{repo}", Params: []string{"name", "description", "private"}},
	{Name: "t_issuesListForRepo", Action: "issuesListForRepo", Title: "List repository issues", Method: "GET", Path: "/repos/{owner}/{repo}/issues", Params: []string{"state", "labels"}},
	{Name: "t_issuesCreate", Action: "issuesCreate", Title: "Create an issue", Method: "POST", Path: "/repos/{owner}/{repo}/issues", Params: []string{"title", "body", "labels"}},
	{Name: "t_issuesGet", Action: "issuesGet", Title: "Get an issue", Method: "GET", Path: "/repos/{owner}/{repo}/issues/{issue_number}"},
	{Name: "t_issuesAddLabels", Action: "issuesAddLabels", Title: "Add labels to an issue", Method: "POST", Path: "/repos/{owner}/{repo}/issues/{issue_number}/labels"},
	{Name: "t_activityListStargazersForRepo", Action: "activityListStargazersForRepo", Title: "List stargazers", Description: "Lists the people that have starred the repository.", Method: "GET", Path: "/repos/{owner}/{repo}/stargazers"},
	{Name: "t_orgsListMembers", Action: "orgsListMembers", Title: "List organization members", Method: "GET", Path: "/orgs/{org}/members"},
	{Name: "t_postRefunds", Action: "postRefunds", Description: "<p>Create a refund.</p>", Method: "POST", Path: "/v1/refunds", Params: []string{"charge", "amount"}},
	{Name: "t_getRefunds", Action: "getRefunds", Description: "<p>Returns a list of all refunds you’ve previously created.</p>", Method: "GET", Path: "/v1/refunds"},
	{Name: "t_deleteSubscription", Action: "deleteSubscriptionsSubscriptionExposedId", Description: "<p>Cancels a customer’s subscription immediately.</p>", Method: "DELETE", Path: "/v1/subscriptions/{subscription_exposed_id}"},
}

func TestSearch(t *testing.T) {
	ix := New(testDocs)
	for _, tc := range []struct{ query, want string }{
		{"remove a repo", "reposDelete"},
		{"rename my repository", "reposUpdate"},
		{"open a bug report", "issuesCreate"},
		{"which issues does this repo have", "issuesListForRepo"},
		{"tag an issue with a label", "issuesAddLabels"},
		{"who starred my repo", "activityListStargazersForRepo"},
		{"who belongs to the org", "orgsListMembers"},
		{"give the customer their money back", "postRefunds"},
		{"show all refunds", "getRefunds"},
		{"cancel a subscription", "deleteSubscriptionsSubscriptionExposedId"},
	} {
		hits := ix.Search(tc.query, 3)
		if len(hits) == 0 || hits[0].Doc.Action != tc.want {
			var got []string
			for _, h := range hits {
				got = append(got, fmt.Sprintf("%s %.2f", h.Doc.Action, h.Score))
			}
			t.Errorf("%q: got %v, want %s first", tc.query, got, tc.want)
		}
		for i := 1; i < len(hits); i++ {
			if hits[i].Score > hits[i-1].Score {
				t.Errorf("%q: hits out of order: %v", tc.query, hits)
			}
		}
	}
	for _, q := range []string{"", "   ", "the a of", "zzzz qqqq"} {
		if hits := ix.Search(q, 5); len(hits) != 0 {
			t.Errorf("%q: %d hits, want none", q, len(hits))
		}
	}
	if hits := ix.Search("repository", 2); len(hits) != 2 {
		t.Errorf("limit 2: %d hits", len(hits))
	}
	if hits := ix.Search("repository", 0); len(hits) != 0 {
		t.Errorf("limit 0: %d hits", len(hits))
	}
	if hits := New(nil).Search("repository", 5); len(hits) != 0 {
		t.Errorf("empty index: %d hits", len(hits))
	}
}

// TestSearchDeterministic: equal scores are ordered by Name, whatever the
// order of the docs; the same query always gives the same hits.
func TestSearchDeterministic(t *testing.T) {
	twin := func(name string) Doc {
		return Doc{Name: name, Action: "gistsGet", Title: "Get a gist", Method: "GET", Path: "/gists/{gist_id}"}
	}
	docs := append(slices.Clone(testDocs), twin("z_gist"), twin("a_gist"), twin("m_gist"))
	rev := slices.Clone(docs)
	slices.Reverse(rev)
	a, b := New(docs).Search("get a gist", 3), New(rev).Search("get a gist", 3)
	var names []string
	for i := range a {
		names = append(names, a[i].Doc.Name)
		if a[i].Doc.Name != b[i].Doc.Name || a[i].Score != b[i].Score {
			t.Errorf("hit %d: %s %v vs %s %v", i, a[i].Doc.Name, a[i].Score, b[i].Doc.Name, b[i].Score)
		}
	}
	if !slices.Equal(names, []string{"a_gist", "m_gist", "z_gist"}) {
		t.Errorf("ties: %v, want by name", names)
	}
	ix := New(testDocs)
	first := ix.Search("list repository issues", 10)
	var wg sync.WaitGroup
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range 20 {
				if got := ix.Search("list repository issues", 10); !slices.EqualFunc(got, first, func(x, y Hit) bool { return x.Doc.Name == y.Doc.Name && x.Score == y.Score }) {
					t.Error("concurrent searches differ")
					return
				}
			}
		}()
	}
	wg.Wait()
}
