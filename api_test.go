package gurulize_test

// The API record: api/gurulize.txt lists every exported feature of the
// public packages, one per line, sorted, as $GOROOT/api/*.txt does for Go.
// TestAPI regenerates the listing with go/types (reading the compiler's
// export data, which "go list -export" gives from the build cache, so it
// takes seconds where type-checking net/http from source takes a minute)
// and fails on any difference; go test -run TestAPI -update . rewrites the
// file.

import (
	"flag"
	"fmt"
	"go/importer"
	"go/parser"
	"go/token"
	"go/types"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"testing"
)

var updateAPI = flag.Bool("update", false, "rewrite api/gurulize.txt from the source")

// apiPackages are the public packages the API file records, as directories
// from the repository root. A new public package is one line here.
var apiPackages = []string{
	".",
	"gurulizetest",
	"gurulizetest/mock",
	"otelgurulize",
}

const (
	apiFile    = "api/gurulize.txt"
	modulePath = "github.com/gurulize/gurulize-go"
)

func TestAPI(t *testing.T) {
	var lines []string
	for _, dir := range apiPackages {
		lines = append(lines, apiLines(t, dir)...)
	}
	sort.Strings(lines)
	got := strings.Join(lines, "\n") + "\n"
	if *updateAPI {
		if err := os.WriteFile(apiFile, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	raw, err := os.ReadFile(apiFile)
	if err != nil {
		t.Fatalf("%v (create it with: go test -run TestAPI -update .)", err)
	}
	added, removed := diffLines(strings.Split(strings.TrimSuffix(string(raw), "\n"), "\n"), lines)
	if len(added)+len(removed) == 0 {
		return
	}
	var b strings.Builder
	if len(removed) > 0 {
		b.WriteString("INCOMPATIBLE CHANGE: features removed or changed (list them in CHANGELOG.md):\n")
		for _, l := range removed {
			b.WriteString("- " + l + "\n")
		}
	}
	if len(added) > 0 {
		b.WriteString("features added:\n")
		for _, l := range added {
			b.WriteString("+ " + l + "\n")
		}
	}
	t.Errorf("the exported API differs from %s:\n%sIf the change is meant, run: go test -run TestAPI -update . and commit %s", apiFile, b.String(), apiFile)
}

// diffLines returns the lines of now missing from before, and of before
// missing from now.
func diffLines(before, now []string) (added, removed []string) {
	in := func(list []string) map[string]bool {
		m := map[string]bool{}
		for _, l := range list {
			m[l] = true
		}
		return m
	}
	was, is := in(before), in(now)
	for _, l := range now {
		if !was[l] {
			added = append(added, l)
		}
	}
	for _, l := range before {
		if !is[l] && l != "" {
			removed = append(removed, l)
		}
	}
	return added, removed
}

// apiLines type-checks the package in dir from source and lists its
// exported features.
func apiLines(t *testing.T, dir string) []string {
	t.Helper()
	abs, err := filepath.Abs(dir)
	if err != nil {
		t.Fatal(err)
	}
	path := modulePath
	if dir != "." {
		path += "/" + filepath.ToSlash(dir)
	}
	// go list runs in the package's directory, so a nested module's
	// packages resolve with that module's go.mod.
	cmd := exec.Command("go", "list", "-export", "-deps", "-f", "{{.ImportPath}}\t{{.Export}}", ".")
	cmd.Dir = abs
	cmd.Stderr = os.Stderr
	listing, err := cmd.Output()
	if err != nil {
		t.Fatalf("go list -export in %s: %v", dir, err)
	}
	exports := map[string]string{}
	for _, line := range strings.Split(strings.TrimSpace(string(listing)), "\n") {
		if p, file, ok := strings.Cut(line, "\t"); ok {
			exports[p] = file
		}
	}
	imp := importer.ForCompiler(token.NewFileSet(), "gc", func(p string) (io.ReadCloser, error) {
		file, ok := exports[p]
		if !ok || file == "" {
			return nil, fmt.Errorf("no export data for %s", p)
		}
		return os.Open(file)
	})
	pkg, err := imp.Import(path)
	if err != nil {
		t.Fatalf("type-checking %s: %v", path, err)
	}
	qual := func(p *types.Package) string {
		if p == pkg {
			return ""
		}
		return p.Name()
	}
	prefix := "pkg " + path + ", "
	var out []string
	add := func(s string) { out = append(out, prefix+s) }
	scope := pkg.Scope()
	for _, name := range scope.Names() {
		obj := scope.Lookup(name)
		if !obj.Exported() {
			continue
		}
		switch obj := obj.(type) {
		case *types.Const:
			add(fmt.Sprintf("const %s %s = %s", name, types.TypeString(obj.Type(), qual), obj.Val().ExactString()))
		case *types.Var:
			add(fmt.Sprintf("var %s %s", name, types.TypeString(obj.Type(), qual)))
		case *types.Func:
			add("func " + name + signature(obj.Type().(*types.Signature), qual))
		case *types.TypeName:
			out = append(out, typeLines(prefix, obj, qual)...)
		}
	}
	return out
}

// typeLines lists a type, its exported fields or interface methods, and
// its exported methods, with the receiver they are declared on.
func typeLines(prefix string, obj *types.TypeName, qual types.Qualifier) []string {
	name := obj.Name()
	var out []string
	if obj.IsAlias() {
		return []string{prefix + "type " + name + " = " + types.TypeString(obj.Type(), qual)}
	}
	switch u := obj.Type().Underlying().(type) {
	case *types.Struct:
		out = append(out, prefix+"type "+name+" struct")
		for i := range u.NumFields() {
			f := u.Field(i)
			switch {
			case f.Embedded() && f.Exported():
				out = append(out, prefix+"type "+name+" struct, embedded "+types.TypeString(f.Type(), qual))
			case f.Exported():
				out = append(out, prefix+"type "+name+" struct, "+f.Name()+" "+types.TypeString(f.Type(), qual))
			}
		}
	case *types.Interface:
		out = append(out, prefix+"type "+name+" interface")
		for i := range u.NumMethods() {
			m := u.Method(i)
			if m.Exported() {
				out = append(out, prefix+"type "+name+" interface, "+m.Name()+signature(m.Type().(*types.Signature), qual))
			}
		}
	default:
		out = append(out, prefix+"type "+name+" "+types.TypeString(u, qual))
	}
	if _, isInterface := obj.Type().Underlying().(*types.Interface); isInterface {
		return out
	}
	// The methods callable on a T and on a *T, promoted ones included.
	values := types.NewMethodSet(obj.Type())
	pointers := types.NewMethodSet(types.NewPointer(obj.Type()))
	for i := range pointers.Len() {
		m := pointers.At(i).Obj()
		if !m.Exported() {
			continue
		}
		recv := "*" + name
		if values.Lookup(m.Pkg(), m.Name()) != nil {
			recv = name
		}
		out = append(out, prefix+"method ("+recv+") "+m.Name()+signature(m.Type().(*types.Signature), qual))
	}
	return out
}

// signature writes sig without parameter names: "(string, ...Option) (*Client, error)".
func signature(sig *types.Signature, qual types.Qualifier) string {
	list := func(tup *types.Tuple, variadic bool) []string {
		var s []string
		for i := range tup.Len() {
			typ := tup.At(i).Type()
			if variadic && i == tup.Len()-1 {
				s = append(s, "..."+types.TypeString(typ.(*types.Slice).Elem(), qual))
				continue
			}
			s = append(s, types.TypeString(typ, qual))
		}
		return s
	}
	out := "(" + strings.Join(list(sig.Params(), sig.Variadic()), ", ") + ")"
	switch res := list(sig.Results(), false); len(res) {
	case 0:
	case 1:
		out += " " + res[0]
	default:
		out += " (" + strings.Join(res, ", ") + ")"
	}
	return out
}

// TestAPIPackagesListed: every public package of the repository (not under
// internal/, cmd/, examples/ or tools/; nested modules included) is in
// apiPackages, so that none escapes the record.
func TestAPIPackagesListed(t *testing.T) {
	listed := map[string]bool{}
	for _, dir := range apiPackages {
		listed[dir] = true
	}
	err := filepath.WalkDir(".", func(path string, d fs.DirEntry, err error) error {
		if err != nil || !d.IsDir() {
			return err
		}
		switch name := d.Name(); {
		case path == ".":
		case name == "internal" || name == "testdata" || strings.HasPrefix(name, ".") || strings.HasPrefix(name, "_"),
			path == "cmd" || path == "examples" || path == "tools" || path == "api" || path == "scripts":
			return filepath.SkipDir
		}
		public, err := hasLibraryCode(path)
		if err != nil {
			return err
		}
		if public && !listed[filepath.ToSlash(path)] {
			t.Errorf("package directory %s is not in apiPackages (api_test.go): add it and run go test -run TestAPI -update .", path)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// hasLibraryCode reports whether dir holds a non-test Go file of a package
// other than main.
func hasLibraryCode(dir string) (bool, error) {
	files, err := filepath.Glob(filepath.Join(dir, "*.go"))
	if err != nil {
		return false, err
	}
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		src, err := os.ReadFile(f)
		if err != nil {
			return false, err
		}
		file, err := parser.ParseFile(token.NewFileSet(), f, src, parser.PackageClauseOnly)
		if err != nil {
			return false, err
		}
		if file.Name.Name != "main" {
			return true, nil
		}
	}
	return false, nil
}
