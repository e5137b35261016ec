package cli

import (
	"os"
	"path/filepath"
	"strconv"
	"testing"
	"time"
)

// The runner cache does not grow with every edit of a spec: beyond the
// runners used last, those unused for a day go, as do abandoned builds
// and index entries unused for a month; what was used recently stays,
// however many there are, since another conngen may be starting it.
func TestPruneRunners(t *testing.T) {
	run := t.TempDir()
	now := time.Now()
	mk := func(name string, age time.Duration, dir bool) string {
		p := filepath.Join(run, name)
		if dir {
			os.MkdirAll(p, 0o755)
			os.WriteFile(filepath.Join(p, "runner"), []byte("bin"), 0o755)
		} else {
			os.MkdirAll(filepath.Dir(p), 0o755)
			os.WriteFile(p, []byte("{}"), 0o644)
		}
		at := now.Add(-age)
		if err := os.Chtimes(p, at, at); err != nil {
			t.Fatal(err)
		}
		return p
	}
	exists := func(p string) bool { _, err := os.Stat(p); return err == nil }

	var old []string
	for i := range keepRunners + 5 {
		old = append(old, mk("old"+strconv.Itoa(i), time.Duration(48+i)*time.Hour, true))
	}
	var fresh []string
	for i := range 3 {
		fresh = append(fresh, mk("fresh"+strconv.Itoa(i), time.Duration(i+1)*time.Minute, true))
	}
	staleBuild := mk("build-123", 48*time.Hour, true)
	liveBuild := mk("build-456", time.Minute, true)
	staleIndex := mk(filepath.Join("index", "a.json"), 40*24*time.Hour, false)
	liveIndex := mk(filepath.Join("index", "b.json"), 24*time.Hour, false)

	pruneRunners(run, now)

	for _, p := range fresh {
		if !exists(p) {
			t.Errorf("%s, used minutes ago, was removed", filepath.Base(p))
		}
	}
	// The 20 used last are the 3 fresh ones and the 17 newest old ones.
	for i, p := range old {
		if want := i < keepRunners-len(fresh); exists(p) != want {
			t.Errorf("%s (%d h unused): kept %v, want %v", filepath.Base(p), 48+i, exists(p), want)
		}
	}
	if exists(staleBuild) || !exists(liveBuild) {
		t.Errorf("builds: abandoned kept %v, running kept %v; want false, true", exists(staleBuild), exists(liveBuild))
	}
	if exists(staleIndex) || !exists(liveIndex) {
		t.Errorf("index: month-old kept %v, day-old kept %v; want false, true", exists(staleIndex), exists(liveIndex))
	}

	// Many runners all used within the day: none goes.
	run = t.TempDir()
	var recent []string
	for i := range keepRunners + 5 {
		recent = append(recent, mk("r"+strconv.Itoa(i), time.Duration(i+1)*time.Minute, true))
	}
	pruneRunners(run, now)
	for _, p := range recent {
		if !exists(p) {
			t.Errorf("%s, used within the day, was removed", filepath.Base(p))
		}
	}
}
