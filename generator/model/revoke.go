package model

import "github.com/conngen/conngen/generator/spec"

// revokeNames are the package-level identifiers that a connector with
// auth.revokeURL declares besides Client.Revoke (templates/revoke.go and
// the emitter); spec types never take them there.
var revokeNames = []string{"ErrRevoked"}

// HasRevoke reports whether the connector revokes its connection:
// Client.Revoke, ErrRevoked and templates/revoke.go.
func (c *Connector) HasRevoke() bool { return c.Auth.RevokeURL != "" }

// reserveRevoke takes revokeNames when s has a revokeURL.
func (b *builder) reserveRevoke(s *spec.Spec) {
	if s.Auth.Type == spec.AuthOAuth2 && s.Auth.RevokeURL != "" {
		for _, n := range revokeNames {
			b.ids.Unique(n)
		}
	}
}
