package gurulize_test

import (
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"path/filepath"
	"strings"
	"testing"
)

// testKitBudget bounds the exported identifiers of gurulizetest and the
// packages under it: top-level functions, types, variables and constants,
// plus the exported methods of exported types.
const testKitBudget = 100

// TestTestKitSurface keeps the test kit small: what users learn first.
func TestTestKitSurface(t *testing.T) {
	var names []string
	fset := token.NewFileSet()
	err := filepath.WalkDir("gurulizetest", func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && (d.Name() == "testdata" || d.Name() == "internal") {
			return filepath.SkipDir
		}
		if d.IsDir() || !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return nil
		}
		f, err := parser.ParseFile(fset, path, nil, 0)
		if err != nil {
			return err
		}
		pkg := filepath.Dir(path)
		for _, decl := range f.Decls {
			switch decl := decl.(type) {
			case *ast.FuncDecl:
				if !decl.Name.IsExported() {
					continue
				}
				if decl.Recv != nil {
					recv := decl.Recv.List[0].Type
					if star, ok := recv.(*ast.StarExpr); ok {
						recv = star.X
					}
					if id, ok := recv.(*ast.Ident); !ok || !id.IsExported() {
						continue
					}
				}
				names = append(names, pkg+"."+decl.Name.Name)
			case *ast.GenDecl:
				for _, spec := range decl.Specs {
					switch spec := spec.(type) {
					case *ast.TypeSpec:
						if spec.Name.IsExported() {
							names = append(names, pkg+"."+spec.Name.Name)
						}
					case *ast.ValueSpec:
						for _, n := range spec.Names {
							if n.IsExported() {
								names = append(names, pkg+"."+n.Name)
							}
						}
					}
				}
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("gurulizetest and the packages under it export %d identifiers (budget %d)", len(names), testKitBudget)
	if len(names) < 50 {
		t.Fatalf("counted only %d identifiers: %v", len(names), names)
	}
	if len(names) > testKitBudget {
		t.Errorf("gurulizetest and the packages under it export %d identifiers, over the budget of %d:\n%s",
			len(names), testKitBudget, strings.Join(names, "\n"))
	}
}
