package bench

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// RecursiveSizes are the numbers of schemas of the synthetic documents of
// BenchmarkRecursiveSchemas, smallest first; the first is the baseline of
// its ratios.
var RecursiveSizes = []int{100, 1000, 10000}

// Guards of the CLI runs of BenchmarkRecursiveSchemas, far above what the
// documents need (10,000 schemas: a few seconds and a few hundred MiB per
// process), so that a generator that loops or grows without bound on them
// fails the benchmark instead of taking the machine down.
const (
	RecursiveMemCap  = 8 << 30 // bytes of address space (ulimit -v)
	RecursiveTimeout = 10 * time.Minute
)

// RecursiveRun is one CLI run of conngen on a synthetic document.
type RecursiveRun struct {
	Import, Generate Run // Wall and MaxRSS of each process
}

// RecursiveCLI runs `conngen import --name PKG DOC > spec.yaml` and
// `conngen generate -o DIR spec.yaml` (bin is the conngen CLI), each under
// RecursiveMemCap and RecursiveTimeout, and returns each process's wall
// time and peak RSS.
func RecursiveCLI(bin, doc, dir, pkg string) (RecursiveRun, error) {
	specFile := filepath.Join(dir, pkg+".conngen.yaml")
	out, err := os.Create(specFile)
	if err != nil {
		return RecursiveRun{}, err
	}
	defer os.Remove(specFile)
	var rr RecursiveRun
	step := func(name string, dst *Run, stdout *os.File, args ...string) error {
		ctx, cancel := context.WithTimeout(context.Background(), RecursiveTimeout)
		defer cancel()
		cmd := cappedCommand(ctx, RecursiveMemCap, bin, args...)
		if stdout != nil {
			cmd.Stdout = stdout
		}
		r, err := run(cmd)
		switch {
		case ctx.Err() != nil:
			return fmt.Errorf("conngen %s %s: did not finish within %v", name, filepath.Base(doc), RecursiveTimeout)
		case err != nil:
			return fmt.Errorf("conngen %s %s (address space capped at %d MiB): %v", name, filepath.Base(doc), RecursiveMemCap>>20, strings.TrimPrefix(err.Error(), "sh: "))
		}
		*dst = r
		return nil
	}
	err = step("import", &rr.Import, out, "import", "--name", pkg, doc)
	out.Close()
	if err != nil {
		return rr, err
	}
	err = step("generate", &rr.Generate, nil, "generate", "-o", dir, specFile)
	return rr, err
}

// RecursiveDoc is a synthetic OpenAPI 3.0 document (JSON) of n (at least 3) schemas
// S0 … S{n-1} with the recursive shapes real documents have, and one GET
// per 10 schemas. Every schema S{i} is an object with
//
//   - id (string, required) and kind (string, the discriminator);
//   - parent: {description, allOf: [{$ref: S{i}}]}, a documentation
//     wrapper around a reference to itself;
//   - children: an array of S{(i+1)%n}, so the schemas form one cycle;
//   - next: {allOf: [{$ref: S{(i+7)%n}}]}, a single-part allOf wrapper;
//
// and, by i mod 10:
//
//   - 1, 6: inheritance, allOf: [{$ref: S{i-1}}, {properties: {level{i}}}]
//     beside its own properties;
//   - 3: variant, a oneOf of S{(i+1)%n} and S{(i+2)%n} with a discriminator
//     on kind (a mapping for the first);
//   - 8: tags, a map of arrays of S{(i+3)%n} (additionalProperties).
//
// Operation getS{i} (i mod 10 = 0) is GET /s{i}/{id}, returning S{i}; on
// every fifth of them (i mod 50 = 0) a ?limit query and an array of
// S{i+1}. The document depends on n only: the same n gives the same bytes.
func RecursiveDoc(n int) []byte {
	if n < 3 {
		n = 3
	}
	var b strings.Builder
	b.Grow(n * 900)
	ref := func(j int) string { return fmt.Sprintf(`{"$ref":"#/components/schemas/S%d"}`, ((j%n)+n)%n) }

	b.WriteString(`{"openapi":"3.0.3",`)
	fmt.Fprintf(&b, `"info":{"title":"Recursive %d","version":"1.0.0","description":"Synthetic document of %d recursive schemas (internal/bench)."},`, n, n)
	b.WriteString(`"servers":[{"url":"https://api.example.com/v1"}],`)
	b.WriteString(`"paths":{`)
	for i := 0; i < n; i += 10 {
		if i > 0 {
			b.WriteByte(',')
		}
		fmt.Fprintf(&b, `"/s%d/{id}":{"get":{"operationId":"getS%d","summary":"Get one S%d.",`, i, i, i)
		b.WriteString(`"parameters":[{"name":"id","in":"path","required":true,"schema":{"type":"string"}}`)
		resp := ref(i)
		if i%50 == 0 {
			b.WriteString(`,{"name":"limit","in":"query","schema":{"type":"integer","minimum":1}}`)
			resp = `{"type":"array","items":` + ref(i+1) + `}`
		}
		fmt.Fprintf(&b, `],"responses":{"200":{"description":"OK","content":{"application/json":{"schema":%s}}}}}}`, resp)
	}
	b.WriteString(`},"components":{"schemas":{`)
	for i := 0; i < n; i++ {
		if i > 0 {
			b.WriteByte(',')
		}
		fmt.Fprintf(&b, `"S%d":{"type":"object","description":"Schema %d of %d.","required":["id"],`, i, i, n)
		if m := i % 10; m == 1 || m == 6 {
			fmt.Fprintf(&b, `"allOf":[%s,{"type":"object","properties":{"level%d":{"type":"integer"}}}],`, ref(i-1), i)
		}
		b.WriteString(`"properties":{"id":{"type":"string"},"kind":{"type":"string"},`)
		fmt.Fprintf(&b, `"parent":{"description":"The parent of this S%d.","allOf":[%s]},`, i, ref(i))
		fmt.Fprintf(&b, `"children":{"type":"array","items":%s},`, ref(i+1))
		fmt.Fprintf(&b, `"next":{"allOf":[%s]}`, ref(i+7))
		switch i % 10 {
		case 3:
			fmt.Fprintf(&b, `,"variant":{"oneOf":[%s,%s],"discriminator":{"propertyName":"kind","mapping":{"first":"#/components/schemas/S%d"}}}`,
				ref(i+1), ref(i+2), (i+1)%n)
		case 8:
			fmt.Fprintf(&b, `,"tags":{"type":"object","additionalProperties":{"type":"array","items":%s}}`, ref(i+3))
		}
		b.WriteString(`}}`)
	}
	b.WriteString("}}}\n")
	return []byte(b.String())
}
