package e2e

import (
	"bufio"
	"bytes"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/conngen/conngen/generator"
	"github.com/conngen/conngen/internal/e2e/oauthtest"
	"github.com/conngen/conngen/internal/testsupport"
)

// TestOAuth2 generates the connectors of testdata/oauthcode.yaml
// (authorization code with PKCE) and testdata/oauthclient.yaml (client
// credentials), pointed at a real OAuth2 server on loopback, and runs
// testdata/codeflow.go.txt and clientflow.go.txt against them: authorize,
// exchange, an action call, refresh of an expired token with OnToken, and
// client credentials.
func TestOAuth2(t *testing.T) {
	if testing.Short() {
		t.Skip("-short: builds generated packages")
	}
	srv := oauthtest.Start(t)
	mod := t.TempDir()
	if err := testsupport.WriteModule(mod, "gen.test"); err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"oauthcode", "oauthclient"} {
		s, _, err := generator.LoadFile(srv.WriteSpec(t, name))
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		out, err := generator.Generate(s)
		if err != nil {
			t.Fatal(err)
		}
		if err := generator.Write(mod, out); err != nil {
			t.Fatal(err)
		}
	}
	for _, prog := range []string{"codeflow", "clientflow"} {
		src, err := os.ReadFile(filepath.Join("testdata", prog+".go.txt"))
		if err != nil {
			t.Fatal(err)
		}
		dir := filepath.Join(mod, "flows", prog)
		os.MkdirAll(dir, 0o755)
		os.WriteFile(filepath.Join(dir, "main.go"), src, 0o644)
	}
	goCmd(t, mod, "build", "-o", filepath.Join(mod, "bin")+string(filepath.Separator), "./flows/...")

	t.Run("authorizationCode", func(t *testing.T) {
		steps := runFlow(t, filepath.Join(mod, "bin", "codeflow"), oauthtest.ClientID, oauthtest.ClientSecret, "http://127.0.0.1:1/callback")
		if tok := steps["token"]; tok == "" {
			t.Error("the flow did not report the refreshed token")
		} else if err := srv.Check(tok); err != nil {
			t.Errorf("the refreshed access token is not valid at the server: %v", err)
		}
		if n := srv.PKCEChallenges.Load(); n < 2 {
			t.Errorf("authorize requests with an S256 challenge: %d, want 2", n)
		}
		if n := srv.Refreshes.Load(); n != 1 {
			t.Errorf("refresh grants: %d, want 1", n)
		}
	})
	t.Run("clientCredentials", func(t *testing.T) {
		runFlow(t, filepath.Join(mod, "bin", "clientflow"), oauthtest.ClientID, oauthtest.ClientSecret)
		// One token for the three good calls (cached), one try with the
		// wrong secret for each of the two bad calls.
		if n := srv.ClientGrants.Load(); n < 2 || n > 3 {
			t.Errorf("client-credentials grants: %d, want 2 or 3 (the token is cached)", n)
		}
	})
}

// runFlow runs a flow program and fails the test for each step it reports
// as failed. It returns the details of the steps by name.
func runFlow(t *testing.T, bin string, args ...string) map[string]string {
	t.Helper()
	cmd := exec.Command(bin, args...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, runErr := cmd.Output()
	steps := map[string]string{}
	sc := bufio.NewScanner(bytes.NewReader(out))
	for sc.Scan() {
		var st struct {
			Step   string `json:"step"`
			OK     bool   `json:"ok"`
			Detail string `json:"detail"`
		}
		if err := json.Unmarshal(sc.Bytes(), &st); err != nil {
			t.Fatalf("flow output %q: %v", sc.Text(), err)
		}
		steps[st.Step] = st.Detail
		if st.OK {
			if st.Step != "token" {
				t.Logf("ok: %s", st.Step)
			}
		} else {
			t.Errorf("%s: %s", st.Step, st.Detail)
		}
	}
	if runErr != nil {
		t.Errorf("%s: %v\n%s", filepath.Base(bin), runErr, stderr.String())
	}
	return steps
}
