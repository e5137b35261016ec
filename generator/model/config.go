package model

import "github.com/conngen/conngen/generator/spec"

// FieldKind is the Go type of a credential field of Config.
type FieldKind int

const (
	FieldString  FieldKind = iota // string
	FieldToken                    // *oauth2.Token
	FieldOnToken                  // func(*oauth2.Token)
)

// AuthField is a credential field of the generated Config: decided here,
// once, for emit's Config and New, and for the command line's Config
// fields (ConfigFields).
type AuthField struct {
	GoName   string
	Doc      string
	Kind     FieldKind
	Secret   bool // redacted by Config.String; refused by --set
	Required bool // New refuses a Config without it
}

// authFields are the credential fields the spec's auth needs.
func authFields(a Auth) []AuthField {
	switch a.Type {
	case spec.AuthBasic:
		return []AuthField{
			{GoName: "Username", Doc: "Username is the HTTP Basic user name.", Required: true},
			{GoName: "Password", Doc: "Password is the HTTP Basic password.", Secret: true},
		}
	case spec.AuthBearer:
		return []AuthField{{GoName: "AccessToken", Doc: "AccessToken is sent as a bearer token.", Secret: true, Required: true}}
	case spec.AuthAPIKey:
		return []AuthField{{GoName: "APIKey", Doc: "APIKey is the service's API key.", Secret: true, Required: true}}
	case spec.AuthOAuth2:
		fs := []AuthField{
			{GoName: "ClientID", Doc: "ClientID identifies the OAuth2 client.", Required: true},
			{GoName: "ClientSecret", Doc: "ClientSecret is the OAuth2 client secret.", Secret: true, Required: a.Grant == "clientCredentials"},
		}
		if a.Grant == "authorizationCode" {
			fs = append(fs,
				AuthField{GoName: "RedirectURL", Doc: "RedirectURL is where the service sends the user back to after the authorize step."},
				AuthField{GoName: "Token", Doc: "Token is the user's token from the authorize step (see OAuth2Config); it is refreshed automatically when it expires.",
					Kind: FieldToken, Secret: true, Required: true},
			)
		}
		return append(fs, AuthField{GoName: "OnToken", Kind: FieldOnToken,
			Doc: "OnToken, when set, is called with every new token the connector obtains, refreshes included, so rotated refresh tokens can be persisted."})
	}
	return nil
}

// configFields lists the Config fields a command line can fill: BaseURL,
// the credentials that are values (not OnToken), and the connection
// parameters, each with its environment variable.
func (b *builder) configFields() []ConfigField {
	c := b.c
	out := []ConfigField{{GoName: "BaseURL", Env: EnvName(c.Name, "BaseURL")}}
	for _, a := range c.AuthFields {
		if a.Kind == FieldOnToken {
			continue
		}
		out = append(out, ConfigField{GoName: a.GoName, Env: EnvName(c.Name, a.GoName), Secret: a.Secret, Token: a.Kind == FieldToken})
	}
	for _, p := range c.Conn {
		out = append(out, ConfigField{GoName: p.GoName, Env: EnvName(c.Name, p.GoName), Secret: p.Secret})
	}
	return out
}
