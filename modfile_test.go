package conngen

import (
	"strings"
	"testing"
)

func TestRequirement(t *testing.T) {
	v, sum, err := Requirement(OAuth2)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(v, "v0.") || strings.Count(sum, "\n") != 2 || !strings.Contains(sum, OAuth2+" "+v+"/go.mod h1:") {
		t.Errorf("version %q sum %q", v, sum)
	}
	if _, _, err := Requirement("example.com/none"); err == nil {
		t.Error("a module go.mod does not require was found")
	}
}
