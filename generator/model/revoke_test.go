package model_test

import "testing"

// A schema called ErrRevoked is renamed whether or not the connector has a
// revokeURL (which declares ErrRevoked itself), so that adding one later
// does not rename the user's type.
func TestRevokeReservesErrRevoked(t *testing.T) {
	const auth = "conngen: 1\nname: t\nbaseURL: https://example.com\nauth:\n  type: oauth2\n  grant: clientCredentials\n  tokenURL: https://a.example.com/token\n"
	const rest = "ping: {path: /me}\nschemas:\n  ErrRevoked: {type: object, properties: {a: {type: string}}}\n"
	for _, tt := range []struct {
		extra, want string
		revoke      bool
	}{
		{"", "ErrRevoked2", false},
		{"  revokeURL: https://a.example.com/revoke\n", "ErrRevoked2", true},
	} {
		c := build(t, auth+tt.extra+rest)
		if typeNamed(c, tt.want) == nil || c.HasRevoke() != tt.revoke {
			t.Errorf("revokeURL %q: want type %s and HasRevoke %v; got types %v", tt.extra, tt.want, tt.revoke, c.Types)
		}
		if tt.revoke && c.Auth.RevokeURL != "https://a.example.com/revoke" {
			t.Errorf("Auth.RevokeURL = %q", c.Auth.RevokeURL)
		}
	}
}
