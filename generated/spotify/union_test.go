package spotify

import (
	"encoding/json"
	"testing"
)

// A playlist item's track is a oneOf of Track and Episode told apart by
// "type": each decodes into its own field, an unknown type is kept raw,
// and encoding writes back the alternative that is set.
func TestPlaylistTrackUnion(t *testing.T) {
	body := `{"items":[
		{"track":{"type":"track","id":"t1","name":"Song","uri":"spotify:track:t1","duration_ms":1000}},
		{"track":{"type":"episode","id":"e1","name":"Show","uri":"spotify:episode:e1","release_date":"2026-01-02"}},
		{"track":{"type":"audiobook","id":"a1"}},
		{"track":null}
	]}`
	var page PlaylistTrackPage
	if err := json.Unmarshal([]byte(body), &page); err != nil {
		t.Fatal(err)
	}
	if len(page.Items) != 4 {
		t.Fatalf("got %d items", len(page.Items))
	}
	if tr := page.Items[0].Track; tr == nil || tr.Track == nil || tr.Track.Name != "Song" || tr.Episode != nil {
		t.Errorf("item 0 = %+v, want the track", tr)
	}
	if ep := page.Items[1].Track; ep == nil || ep.Episode == nil || ep.Episode.ReleaseDate == nil || *ep.Episode.ReleaseDate != "2026-01-02" || ep.Track != nil {
		t.Errorf("item 1 = %+v, want the episode", ep)
	}
	if u := page.Items[2].Track; u == nil || u.Track != nil || u.Episode != nil || string(u.Unknown) != `{"type":"audiobook","id":"a1"}` {
		t.Errorf("item 2 = %+v, want the raw unknown value", u)
	}
	if page.Items[3].Track != nil {
		t.Errorf("item 3 = %+v, want nil for null", page.Items[3].Track)
	}
	out, err := json.Marshal(page.Items[1])
	if err != nil {
		t.Fatal(err)
	}
	var back map[string]map[string]any
	json.Unmarshal(out, &back)
	if back["track"]["type"] != "episode" || back["track"]["name"] != "Show" {
		t.Errorf("re-encoded %s", out)
	}
	if out, _ := json.Marshal(PlaylistTrackTrack{}); string(out) != "null" {
		t.Errorf("empty union encodes as %s, want null", out)
	}
}
