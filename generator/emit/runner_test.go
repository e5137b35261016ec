package emit_test

import (
	"bytes"
	"flag"
	"os"
	"testing"

	"github.com/conngen/conngen/generator/emit"
	"github.com/conngen/conngen/generator/model"
	"github.com/conngen/conngen/generator/spec"
)

var updateStandIn = flag.Bool("update-runner", false, "rewrite templates/runner/config.go")

// TestRunnerStandIn renders the runner for the connector that
// templates/runner/main.go imports and wants the config.go beside it to be
// that rendering, so the runner compiled and tested there is the one
// conngen call builds.
func TestRunnerStandIn(t *testing.T) {
	src, err := os.ReadFile("../../specs/publicholidays.yaml")
	if err != nil {
		t.Fatal(err)
	}
	s, _, err := spec.Load("publicholidays.yaml", src)
	if err != nil {
		t.Fatal(err)
	}
	files, err := emit.Runner(model.Build(s), emit.RunnerStandIn)
	if err != nil {
		t.Fatal(err)
	}
	const path = "../../templates/runner/config.go"
	if *updateStandIn {
		if err := os.WriteFile(path, files["config.go"], 0o644); err != nil {
			t.Fatal(err)
		}
	}
	got, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, files["config.go"]) {
		t.Errorf("%s is not the runner config rendered for %s; go test ./generator/emit -run TestRunnerStandIn -update-runner", path, emit.RunnerStandIn)
	}
	main, err := os.ReadFile("../../templates/runner/main.go")
	if err != nil {
		t.Fatal(err)
	}
	if want := append([]byte(emit.Header+"\n\n"), main...); !bytes.Equal(files["main.go"], want) {
		t.Errorf("main.go is not templates/runner/main.go with the header")
	}
}
