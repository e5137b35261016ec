package templates

import "testing"

func TestJSONKind(t *testing.T) {
	for in, want := range map[string]byte{
		`{"a":1}`: '{', ` [1]`: '[', `"s"`: '"', `-1.5`: '0', `42`: '0',
		`true`: 't', `false`: 't', `null`: 'n', ``: 0, `  `: 0, `x`: 0,
	} {
		if got := jsonKind([]byte(in)); got != want {
			t.Errorf("jsonKind(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestJSONTag(t *testing.T) {
	for in, want := range map[string]string{
		`{"type":"track","id":1}`: "track",
		`{"type":3}`:              "3",
		`{"id":1}`:                "",
		`[1]`:                     "",
		`not json`:                "",
	} {
		if got := jsonTag([]byte(in), "type"); got != want {
			t.Errorf("jsonTag(%q) = %q, want %q", in, got, want)
		}
	}
}
