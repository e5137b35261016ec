package emit

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/dave/jennifer/jen"

	"github.com/conngen/conngen/generator/model"
	"github.com/conngen/conngen/templates"
)

// Runner renders the small program conngen call and conngen mcp run over a
// generated package's Invoke (package main, importing the connector at
// pkgPath): file name → source. It reads requests as JSON lines on stdin
// and answers each with one JSON line on stdout.
func Runner(c *model.Connector, pkgPath string) (map[string][]byte, error) {
	f := jen.NewFile("main")
	f.HeaderComment(Header)
	f.ImportAlias(pkgPath, "conn")
	f.ImportName(oauth2Path, "oauth2")
	f.Comment("connector is the connector's name.")
	f.Const().Id("connector").Op("=").Lit(c.Name)
	f.Comment("fields are the Config fields read from the environment or --set.")
	f.Var().Id("fields").Op("=").Index().Id("field").ValuesFunc(func(g *jen.Group) {
		for _, fl := range c.ConfigFields {
			g.Values(jen.Lit(fl.GoName), jen.Lit(fl.Env), jen.Lit(fl.Secret))
		}
	})
	f.Comment("apply sets the Config field name; Token is token JSON.")
	f.Func().Id("apply").Params(jen.Id("cfg").Op("*").Qual(pkgPath, "Config"), jen.List(jen.Id("name"), jen.Id("value")).String()).Error().Block(
		jen.Switch(jen.Id("name")).BlockFunc(func(g *jen.Group) {
			for _, fl := range c.ConfigFields {
				if fl.Token {
					g.Case(jen.Lit(fl.GoName)).Block(
						jen.Id("tok").Op(":=").New(jen.Qual(oauth2Path, "Token")),
						jen.If(jen.Err().Op(":=").Qual("encoding/json", "Unmarshal").Call(jen.Index().Byte().Parens(jen.Id("value")), jen.Id("tok")), jen.Err().Op("!=").Nil()).Block(
							jen.Return(jen.Qual("errors", "New").Call(jen.Lit(fl.Env+": not token JSON")))),
						jen.Id("cfg").Dot(fl.GoName).Op("=").Id("tok"),
					)
					continue
				}
				g.Case(jen.Lit(fl.GoName)).Block(jen.Id("cfg").Dot(fl.GoName).Op("=").Id("value"))
			}
		}),
		jen.Return(jen.Nil()),
	)
	hasToken, hasAccess, hasOnToken := false, false, c.Auth.Type == "oauth2"
	for _, fl := range c.ConfigFields {
		hasToken = hasToken || fl.Token
		hasAccess = hasAccess || fl.GoName == "AccessToken"
	}
	f.Comment("setToken puts a token from a token file into cfg; save, when set, keeps rotated tokens.")
	f.Func().Id("setToken").Params(jen.Id("cfg").Op("*").Qual(pkgPath, "Config"), jen.Id("tok").Op("*").Qual(oauth2Path, "Token"), jen.Id("save").Func().Params(jen.Op("*").Qual(oauth2Path, "Token"))).Bool().BlockFunc(func(g *jen.Group) {
		if hasOnToken {
			g.Id("cfg").Dot("OnToken").Op("=").Id("save")
		}
		switch {
		case hasToken:
			g.Id("cfg").Dot("Token").Op("=").Id("tok")
			g.Return(jen.True())
		case hasAccess:
			g.Id("cfg").Dot("AccessToken").Op("=").Id("tok").Dot("AccessToken")
			g.Return(jen.True())
		default:
			g.Return(jen.False())
		}
	})
	config, err := render(c.Name+"-runner", "config.go", f)
	if err != nil {
		return nil, err
	}
	main, err := runnerMain(pkgPath)
	if err != nil {
		return nil, err
	}
	return map[string][]byte{"config.go": config, "main.go": main}, nil
}

// RunnerStandIn is the connector that templates/runner/main.go imports so
// that it compiles where it is written; runnerMain puts the real one in its
// place.
const RunnerStandIn = "github.com/conngen/conngen/generated/publicholidays"

// runnerMain is templates/runner/main.go importing pkgPath.
func runnerMain(pkgPath string) ([]byte, error) {
	old := strconv.Quote(RunnerStandIn)
	src := string(templates.RunnerMain)
	if strings.Count(src, old) != 1 {
		return nil, fmt.Errorf("templates/runner/main.go: want one import of %s", old)
	}
	return []byte(Header + "\n\n" + strings.Replace(src, old, strconv.Quote(pkgPath), 1)), nil
}
