// Package conngen holds what the whole module shares: its go.mod and
// go.sum, so that the one place a dependency's version is written is
// go.mod. The generator's own packages are below (see README.md).
package conngen

import (
	_ "embed"
	"fmt"
	"strings"
)

//go:embed go.mod
var goMod string

//go:embed go.sum
var goSum string

// OAuth2 is the module path of the one dependency generated connectors
// may have.
const OAuth2 = "golang.org/x/oauth2"

// Requirement returns the version go.mod requires of module path, and its
// go.sum lines (the module's hash and its go.mod's), for modules that
// build generated connectors: conngen call's runner, tests, benchmarks.
func Requirement(path string) (version, sum string, err error) {
	for _, line := range strings.Split(goMod, "\n") {
		f := strings.Fields(strings.TrimPrefix(strings.TrimSpace(line), "require "))
		if len(f) >= 2 && f[0] == path {
			version = f[1]
			break
		}
	}
	if version == "" {
		return "", "", fmt.Errorf("go.mod does not require %s", path)
	}
	var lines []string
	for _, line := range strings.Split(goSum, "\n") {
		if strings.HasPrefix(line, path+" "+version+" ") || strings.HasPrefix(line, path+" "+version+"/go.mod ") {
			lines = append(lines, line)
		}
	}
	if len(lines) != 2 {
		return "", "", fmt.Errorf("go.sum has %d lines for %s %s, want 2", len(lines), path, version)
	}
	return version, strings.Join(lines, "\n") + "\n", nil
}
