package model

// HasRevoke reports whether the connector revokes its connection:
// Client.Revoke, ErrRevoked and templates/revoke.go.
func (c *Connector) HasRevoke() bool { return c.Auth.RevokeURL != "" }
