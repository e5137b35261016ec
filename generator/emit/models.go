package emit

import (
	"github.com/dave/jennifer/jen"

	"github.com/conngen/conngen/generator/model"
)

func genModels(f *jen.File, c *model.Connector) {
	for _, t := range c.Types {
		text := t.Doc
		if text == "" {
			text = "is a " + c.Title + " model."
		}
		f.Comment("// " + joinLines(docLines(t.Name, text)))
		switch t.Kind {
		case model.Struct:
			f.Type().Id(t.Name).StructFunc(func(g *jen.Group) {
				for _, fl := range t.Fields {
					if fl.Doc != "" {
						g.Comment("// " + joinLines(comment(fl.Doc)))
					}
					tag := fl.JSONName
					if fl.OmitEmpty {
						tag += ",omitempty"
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
		case model.Alias:
			f.Type().Id(t.Name).Op("=").Add(goType(t.Underlying))
		case model.DeclDefined:
			f.Type().Id(t.Name).Add(goType(t.Underlying))
		}
	}
}

func docLines(name, text string) []string {
	lines := comment(text)
	if len(lines) == 0 {
		return []string{name}
	}
	if len(lines[0]) < len(name)+1 || lines[0][:len(name)+1] != name+" " {
		lines[0] = name + " " + lowerFirst(lines[0])
	}
	return lines
}

func joinLines(lines []string) string {
	out := ""
	for i, l := range lines {
		if i > 0 {
			out += "\n// "
		}
		out += l
	}
	return out
}
