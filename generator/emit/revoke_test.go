package emit

import (
	"strings"
	"testing"

	"github.com/conngen/conngen/generator/model"
	"github.com/conngen/conngen/generator/spec"
)

func revokeFiles(t *testing.T, auth string) map[string][]byte {
	t.Helper()
	src := "conngen: 1\nname: rev\nbaseURL: https://api.example.com\nauth:\n" + auth + "ping: {path: /me}\n"
	s, _, err := spec.Load("rev.yaml", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	files, err := Files(model.Build(s))
	if err != nil {
		t.Fatal(err)
	}
	return files
}

// TestRevokeEmitted: Revoke (templates/revoke.go), ErrRevoked and the
// token tracking exist only with a revokeURL, with the spec's clientAuth.
func TestRevokeEmitted(t *testing.T) {
	const code = "  type: oauth2\n  grant: authorizationCode\n  authorizeURL: https://a.example.com/auth\n  tokenURL: https://a.example.com/token\n"
	const cc = "  type: oauth2\n  grant: clientCredentials\n  tokenURL: https://a.example.com/token\n"
	tests := []struct {
		name, auth string
		revoke     bool
		inBody     bool
	}{
		{"code without revokeURL", code, false, false},
		{"code", code + "  revokeURL: https://a.example.com/revoke\n", true, false},
		{"client credentials, body", cc + "  clientAuth: body\n  revokeURL: https://a.example.com/revoke\n", true, true},
		{"bearer", "  type: bearer\n", false, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			files := revokeFiles(t, tt.auth)
			client := string(files["client.go"])
			_, hasTemplate := files["revoke.go"]
			if hasTemplate != tt.revoke || strings.Contains(client, "ErrRevoked") != tt.revoke || strings.Contains(client, "trackTokens") != tt.revoke {
				t.Fatalf("revoke.go %v, ErrRevoked and trackTokens in client.go %v %v; want %v",
					hasTemplate, strings.Contains(client, "ErrRevoked"), strings.Contains(client, "trackTokens"), tt.revoke)
			}
			if !tt.revoke {
				return
			}
			for _, want := range []string{
				`var ErrRevoked = errors.New("rev: connection revoked")`,
				`url:          "https://a.example.com/revoke",`,
				"c.authorize = bearerAuth(tokens)",
			} {
				if !strings.Contains(client, want) {
					t.Errorf("client.go lacks %q:\n%s", want, client)
				}
			}
			if strings.Contains(client, "inBody:       true") != tt.inBody {
				t.Errorf("inBody: want %v:\n%s", tt.inBody, client)
			}
			if !strings.Contains(string(files["revoke.go"]), "func (c *Client) Revoke(ctx context.Context) error") {
				t.Error("revoke.go has no Revoke method")
			}
		})
	}
}
