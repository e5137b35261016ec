package emit

import (
	"bytes"
	"compress/flate"
	"encoding/base64"
	"strings"

	"github.com/dave/jennifer/jen"

	"github.com/conngen/conngen/generator/model"
)

// genRegistry renders the actions as data: ErrUnknownAction, the schema
// constants, the registry (which invoke.go's Actions and Invoke read) and
// one decoding function per action.
func genRegistry(f *jen.File, c *model.Connector) {
	f.Comment("ErrUnknownAction is wrapped by the error of Invoke for a name that is no action of the connector.")
	f.Var().Id("ErrUnknownAction").Op("=").Qual("errors", "New").Call(jen.Lit(c.Name + ": unknown action"))

	if len(c.Registry) > 0 {
		genSchemas(f, c)
	}

	f.Comment("registry is every action, in spec order.")
	f.Var().Id("registry").Op("=").Index().Id("registered").ValuesFunc(func(g *jen.Group) {
		for _, e := range c.Registry {
			a := e.Action
			info := jen.DictFunc(func(d jen.Dict) {
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
			})
			g.Line().Values(jen.Id("ActionInfo").Values(info), jen.Id(e.InvokeFunc), jen.Lit(e.InputPiece), jen.Lit(e.OutputPiece))
		}
		if len(c.Registry) > 0 {
			g.Line()
		}
	})

	for _, e := range c.Registry {
		genInvoke(f, c, e)
	}
	genInputChecks(f, c)
}

func genInvoke(f *jen.File, c *model.Connector, e *model.Entry) {
	a := e.Action
	f.Comment(e.InvokeFunc + " decodes input strictly and calls " + a.GoName + ".")
	f.Func().Id(e.InvokeFunc).Params(
		jen.Id("ctx").Qual("context", "Context"), jen.Id("c").Op("*").Id("Client"), jen.Id("input").Qual("encoding/json", "RawMessage"),
	).Params(jen.Op("*").Id("Response").Types(jen.Qual("encoding/json", "RawMessage")), jen.Error()).BlockFunc(func(g *jen.Group) {
		prefix := jen.Lit(c.Name + ": " + a.Name + ": ")
		targets := jen.Id("inputTargets").ValuesFunc(func(g *jen.Group) {
			for _, fl := range e.Fields {
				g.Line().Values(jen.Lit(fl.Key), jen.Op("&").Id("p").Dot(fl.GoName))
			}
			g.Line()
		})
		if a.ParamsType != "" {
			g.Var().Id("p").Id(a.ParamsType)
		} else {
			targets = jen.Nil()
		}
		check := jen.Id("schemaCheck").Call(jen.Id("actionSchema").Call(jen.Lit(e.InputPiece)))
		if e.CheckFunc != "" {
			check = jen.Id(e.CheckFunc)
		}
		g.If(jen.Err().Op(":=").Id("decodeInput").Call(prefix, check, jen.Id("input"), targets), jen.Err().Op("!=").Nil()).Block(
			jen.Return(jen.Nil(), jen.Err()),
		)
		g.List(jen.Id("ctx"), jen.Id("raw")).Op(":=").Id("captureBody").Call(jen.Id("ctx"))
		if a.ParamsType != "" {
			g.List(jen.Id("resp"), jen.Err()).Op(":=").Id("c").Dot(a.GoName).Call(jen.Id("ctx"), jen.Id("p"))
		} else {
			g.List(jen.Id("resp"), jen.Err()).Op(":=").Id("c").Dot(a.GoName).Call(jen.Id("ctx"))
		}
		g.If(jen.Err().Op("!=").Nil()).Block(jen.Return(jen.Nil(), jen.Err()))
		g.Return(jen.Id("invokeResult").Call(jen.Op("*").Id("raw"), jen.Id("resp").Dot("StatusCode"), jen.Id("resp").Dot("Header"), jen.Op("&").Id("resp").Dot("Body")))
	})
}

// genSchemas renders the schema pieces of the registry: every named
// schema once, then each distinct Input and Output without $defs (the
// model lists and numbers them: Connector.SchemaPieces), the
// pieces each refers to, and actionSchema, which assembles a whole schema
// at first use. A large registry carries the texts compressed.
func genSchemas(f *jen.File, c *model.Connector) {
	var texts []string
	var refs [][]*model.Def
	for _, p := range c.SchemaPieces {
		texts = append(texts, p.Text)
		refs = append(refs, p.Refs)
	}
	if c.SchemasWhole {
		f.Comment("schemaTexts are the actions' Input and Output schemas, whole, each distinct one once.")
		f.Var().Id("schemaTexts").Op("=").Add(stringSlice(texts))
		f.Comment("actionSchema is schema i.")
		f.Func().Id("actionSchema").Params(jen.Id("i").Int()).String().Block(jen.Return(jen.Id("schemaTexts").Index(jen.Id("i"))))
		return
	}
	f.Comment("The schema pieces: each named schema (`\"Name\":{...}`) once, then each action's Input and Output")
	f.Comment("without their $defs and closing brace; actionSchema(i) is piece i whole.")
	if c.PackSchemas {
		f.Comment("schemaPack holds the texts, joined by NUL, DEFLATE-compressed, in base64 (see unpackSchemas).")
		f.Const().Id("schemaPack").Op("=").Lit(packSchemas(texts))
		f.Var().Id("schemaTexts").Op("=").Qual("sync", "OnceValue").Call(jen.Func().Params().Index().String().Block(
			jen.Return(jen.Id("unpackSchemas").Call(jen.Id("schemaPack"), jen.Lit(len(texts)))),
		))
		f.Comment("schemaText is the text of schema piece i.")
		f.Func().Id("schemaText").Params(jen.Id("i").Int()).String().Block(jen.Return(jen.Id("schemaTexts").Call().Index(jen.Id("i"))))
	} else {
		f.Var().Id("schemaTexts").Op("=").Add(stringSlice(texts))
		f.Comment("schemaText is the text of schema piece i.")
		f.Func().Id("schemaText").Params(jen.Id("i").Int()).String().Block(jen.Return(jen.Id("schemaTexts").Index(jen.Id("i"))))
	}
	f.Comment("schemaRefs lists, for each piece, the named schemas it refers to itself.")
	f.Var().Id("schemaRefs").Op("=").Index(jen.Op("...")).Index().Uint16().ValuesFunc(func(g *jen.Group) {
		for _, rs := range refs {
			g.Line().ValuesFunc(func(g *jen.Group) {
				for _, d := range rs {
					g.Lit(d.Index)
				}
			})
		}
		g.Line()
	})
	f.Var().Id("schemasBuilt").Index(jen.Len(jen.Id("schemaRefs"))).Id("builtSchema")
	f.Comment("actionSchema is schema piece i with its $defs, built at first use.")
	f.Comment("(Not inlined: every action's invoke function calls it.)")
	f.Comment("")
	f.Comment("//go:noinline")
	f.Func().Id("actionSchema").Params(jen.Id("i").Int()).String().Block(
		jen.Return(jen.Id("schemasBuilt").Index(jen.Id("i")).Dot("get").Call(jen.Id("i"), jen.Id("schemaText"), jen.Id("schemaRefs").Index(jen.Op(":")))),
	)
}

// stringSlice is a []string literal of texts, one a line. (Not an array:
// the compiler writes an equality function for a [N]string in every
// package that has one.)
func stringSlice(texts []string) *jen.Statement {
	return jen.Index().String().ValuesFunc(func(g *jen.Group) {
		for _, t := range texts {
			g.Line().Add(strLit(t))
		}
		g.Line()
	})
}

// packSchemas is texts joined by NUL, DEFLATE-compressed (best
// compression), in base64: what unpackSchemas reads.
func packSchemas(texts []string) string {
	var buf bytes.Buffer
	w, _ := flate.NewWriter(&buf, flate.BestCompression)
	w.Write([]byte(strings.Join(texts, "\x00")))
	w.Close()
	return base64.StdEncoding.EncodeToString(buf.Bytes())
}

// strLit is a string literal, raw when that needs no escaping.
func strLit(s string) *jen.Statement {
	if !strings.ContainsAny(s, "`\r") && !strings.ContainsFunc(s, func(r rune) bool { return r < 0x20 && r != '\t' && r != '\n' || r == 0x7f || r == '\ufeff' }) {
		return jen.Op("`" + s + "`")
	}
	return jen.Lit(s)
}
