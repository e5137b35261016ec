package openapi

import "testing"

func TestBad(t *testing.T) {
	for _, doc := range []string{
		head + "paths:\n  /x:\n    get:\n      responses:\n        '200': ok\n",
		head + "paths:\n  /x: hello\n",
		head + "paths:\n  /x:\n    get:\n      parameters: {a: b}\n      responses: {}\n",
		head + "paths:\n  /x:\n    get:\n      parameters: [{name: a, in: query, schema: {type: string, minLength: -1}}]\n      responses: {}\n",
		head + "paths:\n  /x:\n    get:\n      tags: x\n      responses: {}\n",
		head + "paths:\n  /x:\n    get:\n      security: [{a: []}]\n      responses: {}\n",
		head + "components:\n  schemas:\n    A: {type: object, properties: {a: {type: string, required: true}}}\npaths: {}\n",
	} {
		_, w, err := ImportData([]byte(doc), "", Options{})
		t.Logf("err=%v warns=%v", err, w)
	}
}
