package emit

import (
	"github.com/dave/jennifer/jen"

	"github.com/conngen/conngen/generator/model"
)

// genRevokeError declares ErrRevoked, the spec's half of templates/revoke.go
// (which holds Client.Revoke): the sentinel carries the connector's name.
func genRevokeError(f *jen.File, c *model.Connector) {
	f.Comment("ErrRevoked is the error of every call of a Client after Revoke has succeeded;")
	f.Comment("nothing is sent. Test for it with errors.Is(err, ErrRevoked).")
	f.Var().Id("ErrRevoked").Op("=").Add(errorsNew(c, "connection revoked"))
}

// setBearerAuth renders New's c.authorize for the OAuth2 token source ts.
// With a revokeURL the source is tracked, so that Client.Revoke can revoke
// the current token, and c.revoke is set; initial is the caller's token
// (nil for client credentials).
func setBearerAuth(g *jen.Group, c *model.Connector, ts, initial jen.Code) {
	if !c.HasRevoke() {
		g.Id("c").Dot("authorize").Op("=").Id("bearerAuth").Call(ts)
		return
	}
	g.Comment("tokens remembers the token last used, which Revoke revokes.")
	g.Id("tokens").Op(":=").Id("trackTokens").Call(ts, initial)
	g.Id("c").Dot("authorize").Op("=").Id("bearerAuth").Call(jen.Id("tokens"))
	g.Id("c").Dot("revoke").Op("=").Id("c").Dot("revoker").Call(jen.Id("revokeSpec").Values(jen.Dict{
		jen.Id("url"):          jen.Lit(c.Auth.RevokeURL),
		jen.Id("clientID"):     jen.Id("cfg").Dot("ClientID"),
		jen.Id("clientSecret"): jen.Id("cfg").Dot("ClientSecret"),
		jen.Id("inBody"):       jen.Lit(c.Auth.ClientAuth == "body"),
		jen.Id("ended"):        jen.Id("ErrRevoked"),
	}), jen.Id("tokens"))
}
