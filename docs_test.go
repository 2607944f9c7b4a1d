package gurulize_test

import (
	"fmt"
	"go/ast"
	"go/doc/comment"
	"go/parser"
	"go/token"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// TestDocSnippetsCompile builds every Go snippet of README.md, of the
// package documentation (doc.go) and of gurulizetest's, so none can drift
// from the API. A snippet that declares functions is built as it is; any
// other is a fragment of a function: it is built as the body of one whose
// parameters are the names fragments use without declaring (ctx, client,
// err, ev, st, …), and the variables it declares are taken as used by the
// code that would follow it. A function may use the application's database
// as db. Each snippet is a package of its own, in a
// module that uses this one.
func TestDocSnippetsCompile(t *testing.T) {
	var snippets []string
	readme, err := os.ReadFile("README.md")
	require.NoError(t, err)
	for _, m := range regexp.MustCompile("(?s)```go\n(.*?)```").FindAllStringSubmatch(string(readme), -1) {
		snippets = append(snippets, m[1])
	}
	for _, file := range []string{"doc.go", "gurulizetest/doc.go"} {
		f, err := parser.ParseFile(token.NewFileSet(), file, nil, parser.ParseComments|parser.PackageClauseOnly)
		require.NoError(t, err)
		var p comment.Parser
		for _, block := range p.Parse(f.Doc.Text()).Content {
			if code, ok := block.(*comment.Code); ok && looksLikeGo(code.Text) {
				snippets = append(snippets, code.Text)
			}
		}
	}
	require.GreaterOrEqual(t, len(snippets), 14, "snippets found")

	dir := userModule(t, "snippets")
	for i, s := range snippets {
		pkg := fmt.Sprintf("s%02d", i)
		require.NoError(t, os.MkdirAll(filepath.Join(dir, pkg), 0o755))
		require.NoError(t, os.WriteFile(filepath.Join(dir, pkg, "snippet.go"), []byte(snippetFile(pkg, s)), 0o644))
	}
	cmd := exec.Command("go", "build", "./...")
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "GOFLAGS=-mod=mod", "GOWORK=off")
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Errorf("a snippet does not compile:\n%s", out)
		for i, s := range snippets {
			if strings.Contains(string(out), fmt.Sprintf("s%02d/", i)) {
				t.Logf("s%02d:\n%s", i, snippetFile(fmt.Sprintf("s%02d", i), s))
			}
		}
	}
}

// snippetPackages are the packages snippets may use, by the name they use.
var snippetPackages = map[string]string{
	"context": "context", "errors": "errors", "fmt": "fmt", "log": "log", "slog": "log/slog",
	"http": "net/http", "httptest": "net/http/httptest", "os": "os", "time": "time", "json": "encoding/json",
	"sql": "database/sql", "testing": "testing", "gurulize": "github.com/gurulize/gurulize-go",
	"gurulizetest": "github.com/gurulize/gurulize-go/gurulizetest", "httpmock": "github.com/jarcoal/httpmock", "mock": "github.com/gurulize/gurulize-go/gurulizetest/mock",
	"assert": "github.com/stretchr/testify/assert", "require": "github.com/stretchr/testify/require",
}

// fragmentParams are the names fragments use without declaring them.
const fragmentParams = `ctx context.Context, username, password, voiceURL, certFile, keyFile string, start time.Time,
	client *gurulize.Client, err error, logger *slog.Logger, mux *http.ServeMux, db *sql.DB,
	ev gurulize.VideoEvent, st gurulize.VoiceStatus, t *testing.T`

// snippetFile returns the source of a package holding the snippet.
func snippetFile(pkg, s string) string {
	body := s
	if isDeclarations(s) && regexp.MustCompile(`\bdb\.`).MatchString(s) && !regexp.MustCompile(`\bdb\b[^.]`).MatchString(s) {
		body += "\n// db is the application's database, opened elsewhere.\nvar db *sql.DB\n"
	}
	if !isDeclarations(s) {
		var uses strings.Builder
		for _, name := range declaredNames(s) {
			uses.WriteString("\t_ = " + name + "\n")
		}
		body = "func _(" + fragmentParams + ") error {\n{\n" + s + "\n" + uses.String() + "}\nreturn nil\n}\n"
	}
	var b strings.Builder
	b.WriteString("package " + pkg + "\n\nimport (\n")
	for name, path := range snippetPackages {
		if regexp.MustCompile(`\b` + name + `\.`).MatchString(body) {
			b.WriteString("\t" + name + " " + fmt.Sprintf("%q", path) + "\n")
		}
	}
	b.WriteString(")\n\n" + body)
	return b.String()
}

// looksLikeGo reports whether a code block of a package's documentation is
// Go, rather than a table or a wire example; it need not parse, since a
// snippet that does not is the first thing this test is for.
func looksLikeGo(text string) bool {
	return regexp.MustCompile(`(?m)^func |:=|\bgurulize(test)?\.[A-Z]`).MatchString(text)
}

// isDeclarations reports whether a snippet is declarations, such as a whole
// function, rather than statements.
func isDeclarations(text string) bool {
	_, err := parser.ParseFile(token.NewFileSet(), "", "package p\n"+text, 0)
	return err == nil
}

// declaredNames returns the variables a fragment declares at its top level.
func declaredNames(fragment string) []string {
	f, err := parser.ParseFile(token.NewFileSet(), "", "package p\nfunc _() {\n"+fragment+"\n}", 0)
	if err != nil {
		return nil
	}
	var names []string
	for _, stmt := range f.Decls[0].(*ast.FuncDecl).Body.List {
		switch s := stmt.(type) {
		case *ast.AssignStmt:
			if s.Tok == token.DEFINE {
				for _, lhs := range s.Lhs {
					if id, ok := lhs.(*ast.Ident); ok && id.Name != "_" {
						names = append(names, id.Name)
					}
				}
			}
		case *ast.DeclStmt:
			for _, spec := range s.Decl.(*ast.GenDecl).Specs {
				if vs, ok := spec.(*ast.ValueSpec); ok {
					for _, id := range vs.Names {
						names = append(names, id.Name)
					}
				}
			}
		}
	}
	return names
}

// userModule makes a module of a user's in a temporary directory, named
// name, that requires this SDK from this checkout (a replace), with this
// module's go.sum, and returns its directory.
func userModule(t *testing.T, name string) string {
	t.Helper()
	root, err := os.Getwd()
	require.NoError(t, err)
	dir := t.TempDir()
	goMod := "module " + name + "\n\ngo 1.23\n\nrequire github.com/gurulize/gurulize-go v0.0.0\n\nreplace github.com/gurulize/gurulize-go => " + root + "\n"
	require.NoError(t, os.WriteFile(filepath.Join(dir, "go.mod"), []byte(goMod), 0o644))
	sum, err := os.ReadFile("go.sum")
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(filepath.Join(dir, "go.sum"), sum, 0o644))
	return dir
}
