package emit

import (
	"strings"

	"github.com/dave/jennifer/jen"

	"github.com/conngen/conngen/generator/model"
)

// genRegistry renders the actions as data: ErrUnknownAction, the schema
// constants, Actions, Invoke and one decoding function per action.
func genRegistry(f *jen.File, c *model.Connector) {
	f.Comment("ErrUnknownAction is wrapped by the error of Invoke for a name that is no action of the connector.")
	f.Var().Id("ErrUnknownAction").Op("=").Qual("errors", "New").Call(jen.Lit(c.Name + ": unknown action"))

	if len(c.Defs) > 0 {
		f.Comment("The named schemas the actions' Input and Output schemas carry under $defs.")
		f.Const().DefsFunc(func(g *jen.Group) {
			for _, d := range c.Defs {
				g.Id(d.Const).Op("=").Add(strLit(d.JSON))
			}
		})
	}
	f.Comment("The JSON Schemas of each action's input and output (ActionInfo.Input, ActionInfo.Output).")
	f.Const().DefsFunc(func(g *jen.Group) {
		for _, e := range c.Registry {
			g.Id(e.InputConst).Op("=").Add(schemaExpr(e.Input, e.InputDefs))
			g.Id(e.OutputConst).Op("=").Add(schemaExpr(e.Output, e.OutputDefs))
		}
	})

	f.Comment("Actions describes every action of the connector, in spec order.")
	f.Func().Id("Actions").Params().Index().Id("ActionInfo").Block(
		jen.Return(jen.Index().Id("ActionInfo").ValuesFunc(func(g *jen.Group) {
			for _, e := range c.Registry {
				a := e.Action
				g.Values(jen.DictFunc(func(d jen.Dict) {
					d[jen.Id("Name")] = jen.Lit(a.Name)
					if a.Title != "" {
						d[jen.Id("Title")] = jen.Lit(a.Title)
					}
					if a.Description != "" {
						d[jen.Id("Description")] = jen.Lit(a.Description)
					}
					d[jen.Id("Method")] = jen.Lit(a.Method)
					d[jen.Id("Path")] = jen.Lit(a.Path)
					if len(a.Scopes) > 0 {
						d[jen.Id("Scopes")] = stringList(a.Scopes)
					}
					if e.ReadOnly {
						d[jen.Id("ReadOnly")] = jen.True()
					}
					d[jen.Id("Input")] = jen.Qual("encoding/json", "RawMessage").Call(jen.Id(e.InputConst))
					d[jen.Id("Output")] = jen.Qual("encoding/json", "RawMessage").Call(jen.Id(e.OutputConst))
				}))
			}
		})),
	)

	f.Comment("// " + strings.Join([]string{
		"Invoke runs the action named name (the spec's name) with input, a JSON object",
		"holding each param under its spec name and the body under \"body\". Input that",
		"does not fit is refused before anything is sent, with an error naming every bad",
		"or missing field; an unknown name wraps ErrUnknownAction. Otherwise it behaves",
		"exactly as the typed method does (auth, retries, errors). Body: the JSON",
		"response; a non-JSON body as a JSON string (base64 when binary).",
	}, "\n// "))
	f.Func().Params(jen.Id("c").Op("*").Id("Client")).Id("Invoke").Params(
		jen.Id("ctx").Qual("context", "Context"), jen.Id("name").String(), jen.Id("input").Qual("encoding/json", "RawMessage"),
	).Params(jen.Op("*").Id("Response").Types(jen.Qual("encoding/json", "RawMessage")), jen.Error()).Block(
		jen.Switch(jen.Id("name")).BlockFunc(func(g *jen.Group) {
			for _, e := range c.Registry {
				g.Case(jen.Lit(e.Action.Name)).Block(jen.Return(jen.Id(e.InvokeFunc).Call(jen.Id("ctx"), jen.Id("c"), jen.Id("input"))))
			}
		}),
		jen.Return(jen.Nil(), jen.Qual("fmt", "Errorf").Call(jen.Lit("%w %q"), jen.Id("ErrUnknownAction"), jen.Id("name"))),
	)

	for _, e := range c.Registry {
		genInvoke(f, c, e)
	}
}

func genInvoke(f *jen.File, c *model.Connector, e *model.Entry) {
	a := e.Action
	f.Comment(e.InvokeFunc + " decodes input strictly and calls " + a.GoName + ".")
	f.Func().Id(e.InvokeFunc).Params(
		jen.Id("ctx").Qual("context", "Context"), jen.Id("c").Op("*").Id("Client"), jen.Id("input").Qual("encoding/json", "RawMessage"),
	).Params(jen.Op("*").Id("Response").Types(jen.Qual("encoding/json", "RawMessage")), jen.Error()).BlockFunc(func(g *jen.Group) {
		prefix := jen.Lit(c.Name + ": " + a.Name + ": ")
		targets := jen.Id("inputTargets").Values(jen.DictFunc(func(d jen.Dict) {
			for _, fl := range e.Fields {
				d[jen.Lit(fl.Key)] = jen.Op("&").Id("p").Dot(fl.GoName)
			}
		}))
		if a.ParamsType != "" {
			g.Var().Id("p").Id(a.ParamsType)
		} else {
			targets = jen.Nil()
		}
		g.If(jen.Err().Op(":=").Id("decodeInput").Call(prefix, jen.Id(e.InputConst), jen.Id("input"), targets), jen.Err().Op("!=").Nil()).Block(
			jen.Return(jen.Nil(), jen.Err()),
		)
		g.List(jen.Id("ctx"), jen.Id("raw")).Op(":=").Id("captureBody").Call(jen.Id("ctx"))
		if a.ParamsType != "" {
			g.List(jen.Id("resp"), jen.Err()).Op(":=").Id("c").Dot(a.GoName).Call(jen.Id("ctx"), jen.Id("p"))
		} else {
			g.List(jen.Id("resp"), jen.Err()).Op(":=").Id("c").Dot(a.GoName).Call(jen.Id("ctx"))
		}
		g.Return(jen.Id("resultOfInvoke").Call(jen.Id("raw"), jen.Id("resp"), jen.Err()))
	})
}

// schemaExpr is a schema constant: its own keywords, then its $defs.
func schemaExpr(open string, defs []*model.Def) jen.Code {
	if len(defs) == 0 {
		return strLit(open + "}")
	}
	e := strLit(open + `,"$defs":{`)
	for i, d := range defs {
		e = e.Op("+")
		if i > 0 {
			e = e.Lit(",").Op("+")
		}
		e = e.Id(d.Const)
	}
	return e.Op("+").Lit("}}")
}

// strLit is a string literal, raw when that needs no escaping.
func strLit(s string) *jen.Statement {
	if !strings.ContainsAny(s, "`\r") && !strings.ContainsFunc(s, func(r rune) bool { return r < 0x20 && r != '\t' && r != '\n' || r == 0x7f || r == '\ufeff' }) {
		return jen.Op("`" + s + "`")
	}
	return jen.Lit(s)
}
