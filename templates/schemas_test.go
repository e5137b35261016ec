package templates

import (
	"bytes"
	"compress/flate"
	"encoding/base64"
	"strings"
	"testing"
)

// The pieces as the generator writes them: two named schemas, the second
// referring to the first, and an action schema referring to the second.
var testPieces = []string{
	`"A":{"type":"string"}`,
	`"B":{"properties":{"a":{"$ref":"#/$defs/A"}},"type":"object"}`,
	`{"$ref":"#/$defs/B","type":"object"`,
	`{"type":"object"`,
}

var testRefs = [][]uint16{nil, {0}, {1}, nil}

func TestBuiltSchema(t *testing.T) {
	text := func(i int) string { return testPieces[i] }
	var built [4]builtSchema
	if got, want := built[2].get(2, text, testRefs), `{"$ref":"#/$defs/B","type":"object","$defs":{"A":{"type":"string"},"B":{"properties":{"a":{"$ref":"#/$defs/A"}},"type":"object"}}}`; got != want {
		t.Errorf("with $defs:\n got %s\nwant %s", got, want)
	}
	if got := built[3].get(3, text, testRefs); got != `{"type":"object"}` {
		t.Errorf("without $defs: %s", got)
	}
	// Recursion: a piece that refers to itself ends.
	if got := new(builtSchema).get(0, text, [][]uint16{{0}}); got != `"A":{"type":"string"},"$defs":{"A":{"type":"string"}}}` {
		t.Errorf("self reference: %s", got)
	}
}

func TestUnpackSchemas(t *testing.T) {
	var buf bytes.Buffer
	w, _ := flate.NewWriter(&buf, flate.BestCompression)
	w.Write([]byte(strings.Join(testPieces, "\x00")))
	w.Close()
	got := unpackSchemas(base64.StdEncoding.EncodeToString(buf.Bytes()), len(testPieces))
	if strings.Join(got, "|") != strings.Join(testPieces, "|") {
		t.Errorf("unpacked %q", got)
	}
	for _, bad := range []string{"not base64!", base64.StdEncoding.EncodeToString([]byte("not deflate"))} {
		func() {
			defer func() {
				if r := recover(); r == nil || !strings.Contains(r.(string), "regenerate") {
					t.Errorf("%q: recovered %v", bad, r)
				}
			}()
			unpackSchemas(bad, 4)
		}()
	}
}
