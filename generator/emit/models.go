package emit

import (
	"strings"

	"github.com/dave/jennifer/jen"

	"github.com/conngen/conngen/generator/model"
)

func genModels(f *jen.File, c *model.Connector) {
	for _, t := range c.Types {
		f.Comment("// " + strings.Join(docLines(t.Name, t.Doc, c.Title), "\n// "))
		switch t.Kind {
		case model.Struct:
			f.Type().Id(t.Name).StructFunc(func(g *jen.Group) {
				for _, fl := range t.Fields {
					if fl.Doc != "" {
						g.Comment("// " + strings.Join(comment(fl.Doc), "\n// "))
					}
					tag := fl.JSONName
					if fl.OmitEmpty {
						tag += ",omitempty"
					} else if fl.OmitZero {
						tag += ",omitzero"
					} else if tag == "-" {
						tag += ","
					}
					g.Id(fl.GoName).Add(goType(fl.Type)).Tag(map[string]string{"json": tag})
				}
			})
		case model.Enum:
			f.Type().Id(t.Name).String()
			f.Const().DefsFunc(func(g *jen.Group) {
				for _, v := range t.Values {
					g.Id(v.GoName).Id(t.Name).Op("=").Lit(v.Value)
				}
			})
		case model.Union:
			genUnion(f, t)
		case model.Alias:
			f.Type().Id(t.Name).Op("=").Add(goType(t.Underlying))
		case model.DeclDefined:
			f.Type().Id(t.Name).Add(goType(t.Underlying))
		}
	}
}

// docLines is a type's doc comment: "Name is the ..." when the spec's
// description reads on from the name, else a line of its own above it.
func docLines(name, text, title string) []string {
	lines := comment(text)
	if len(lines) == 0 {
		return []string{name + " is a " + title + " model."}
	}
	if strings.HasPrefix(lines[0], name+" ") {
		return lines
	}
	first := lowerFirst(lines[0])
	for _, article := range []string{"the ", "a ", "an "} {
		if strings.HasPrefix(first, article) {
			lines[0] = name + " is " + first
			return lines
		}
	}
	return append([]string{name + " is a " + title + " model.", ""}, lines...)
}

// genUnion writes a oneOf/anyOf as a struct with one field per alternative
// (exactly one set after decoding) and the JSON methods that pick it.
func genUnion(f *jen.File, t *model.Type) {
	f.Type().Id(t.Name).StructFunc(func(g *jen.Group) {
		for _, v := range t.Variants {
			g.Id(v.GoName).Add(goType(v.Type))
		}
		g.Comment("Unknown holds a value that matches no alternative, as received.")
		g.Id("Unknown").Qual("encoding/json", "RawMessage")
	})

	f.Comment("MarshalJSON writes the alternative that is set, or null.")
	f.Func().Params(jen.Id("u").Id(t.Name)).Id("MarshalJSON").Params().Params(jen.Index().Byte(), jen.Error()).Block(
		jen.Switch().BlockFunc(func(g *jen.Group) {
			for _, v := range t.Variants {
				g.Case(jen.Id("u").Dot(v.GoName).Op("!=").Nil()).Block(
					jen.Return(jen.Qual("encoding/json", "Marshal").Call(jen.Id("u").Dot(v.GoName))))
			}
			g.Case(jen.Id("u").Dot("Unknown").Op("!=").Nil()).Block(jen.Return(jen.Id("u").Dot("Unknown"), jen.Nil()))
		}),
		jen.Return(jen.Index().Byte().Call(jen.Lit("null")), jen.Nil()),
	)

	how := "by the JSON kind of the value"
	if t.Discriminator != "" {
		how = "by its " + quote(t.Discriminator) + " property"
	}
	f.Comment("UnmarshalJSON picks the alternative " + how + ".")
	f.Func().Params(jen.Id("u").Op("*").Id(t.Name)).Id("UnmarshalJSON").Params(jen.Id("data").Index().Byte()).Error().BlockFunc(func(g *jen.Group) {
		g.Op("*").Id("u").Op("=").Id(t.Name).Values()
		g.If(jen.Id("jsonKind").Call(jen.Id("data")).Op("==").Op("'n'")).Block(jen.Return(jen.Nil()))
		sel := jen.Id("jsonKind").Call(jen.Id("data"))
		if t.Discriminator != "" {
			sel = jen.Id("jsonTag").Call(jen.Id("data"), jen.Lit(t.Discriminator))
		}
		g.Switch(sel).BlockFunc(func(sw *jen.Group) {
			for _, v := range t.Variants {
				label := jen.Op("'" + string(v.Kind) + "'")
				if t.Discriminator != "" {
					label = jen.Lit(v.Tag)
				}
				sw.Case(label).Block(jen.Return(jen.Qual("encoding/json", "Unmarshal").Call(jen.Id("data"), jen.Op("&").Id("u").Dot(v.GoName))))
			}
		})
		g.Id("u").Dot("Unknown").Op("=").Append(jen.Qual("encoding/json", "RawMessage").Call(jen.Nil()), jen.Id("data").Op("..."))
		g.Return(jen.Nil())
	})
}
