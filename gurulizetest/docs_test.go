// docs_test.go: the functions quoted by the package documentation and by
// the README's "Testing your integration", run as tests, and
// TestDocsQuoteThem, which checks that the documents quote them exactly: the
// snippets there compile and do what they claim.

package gurulizetest_test

import (
	"context"
	"go/ast"
	"go/doc/comment"
	"go/parser"
	"go/token"
	"net/http"
	"net/http/httptest"
	"os"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/jarcoal/httpmock"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/gurulize/gurulize-go"
	"github.com/gurulize/gurulize-go/gurulizetest"
	"github.com/gurulize/gurulize-go/gurulizetest/mock"
)

func TestRoomIsBilled(t *testing.T) {
	ctx := context.Background()
	rooms := gurulize.NewRoomTracker()
	endpoint := httptest.NewServer(gurulize.NewVideoEventHandler(
		func(_ context.Context, ev gurulize.VideoEvent) error { rooms.Apply(ev); return nil },
		gurulize.WithCallbackToken("test-token-0123456789")))
	defer endpoint.Close()

	srv := gurulizetest.NewTestServer(t, gurulizetest.WithVideoCallbackURL(endpoint.URL+"/gurulize/video/test-token-0123456789"))
	room, err := srv.Client().CreateVideoRoom(ctx, gurulize.VideoRoomRequest{
		Duration: time.Hour, StartAt: time.Now(),
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := srv.WaitIdle(ctx); err != nil { // every callback has been delivered
		t.Fatal(err)
	}
	if sum, _ := rooms.Room(room.UUID); sum.Billed != 40*time.Minute {
		t.Errorf("billed %v, want 40m0s: the default script is Meet(40 * time.Minute)", sum.Billed)
	}
}

func TestBooking(t *testing.T) {
	ctx := context.Background()
	rooms := gurulize.NewRoomTracker()
	mux := http.NewServeMux()
	mux.Handle("POST /gurulize/video/{token}", gurulize.NewVideoEventHandler(
		func(_ context.Context, ev gurulize.VideoEvent) error { rooms.Apply(ev); return nil },
		gurulize.WithCallbackToken("t0ken-for-tests-only")))
	app := httptest.NewServer(mux)
	defer app.Close()

	fake := gurulizetest.NewTestServer(t,
		gurulizetest.WithVideoCallbackURL(app.URL+"/gurulize/video/t0ken-for-tests-only"),
		gurulizetest.WithRoomScript(gurulizetest.TwoBreaks()),
		gurulizetest.WithFaults(gurulizetest.Faults{Duplicate: true, Reorder: true}),
	)
	// Your code, pointed at fake.VideoURL() (or use fake.Client()):
	room, err := fake.Client().CreateVideoRoom(ctx, gurulize.VideoRoomRequest{
		Duration: time.Hour, StartAt: time.Now(), EndHow: gurulize.EndAutomatic,
	})
	require.NoError(t, err)
	require.NoError(t, fake.WaitIdle(ctx)) // every callback has been delivered

	sum, _ := rooms.Room(room.UUID)
	assert.Equal(t, 30*time.Minute, sum.Billed) // three meetings, despite duplicates and disorder
}

func TestWithoutASocket(t *testing.T) {
	ctx := context.Background()
	mt := httpmock.NewMockTransport()
	client, err := gurulize.NewClient("acme", "pw",
		gurulize.WithHTTPClient(&http.Client{Transport: mt}),
		gurulize.WithVoiceURL(mock.VoiceURL))
	require.NoError(t, err)

	m, err := mock.RegisterResponders(mt, gurulizetest.WithAccount("acme", "pw"))
	require.NoError(t, err)
	_, err = client.RegisterCall(ctx, gurulize.CallRequest{
		Caller: "5321234567", Callee: "5427654321", MaxDuration: 10 * time.Minute,
	})
	require.NoError(t, err)
	assert.Len(t, m.Calls(), 1) // validated and recorded

	mt.RegisterResponder(http.MethodGet, gurulize.DefaultVideoURL, mock.FailureResponder("User Information Is Invalid"))
	_, err = client.CreateVideoRoom(ctx, gurulize.VideoRoomRequest{Duration: time.Hour, StartAt: time.Now()})
	assert.ErrorIs(t, err, gurulize.ErrInvalidCredentials)
}

// TestDocsQuoteThem: every Go snippet in the package documentation and in
// the README's "Testing your integration" is a whole function of this file,
// quoted exactly.
func TestDocsQuoteThem(t *testing.T) {
	src, err := os.ReadFile("docs_test.go")
	require.NoError(t, err)
	fset := token.NewFileSet()
	file, err := parser.ParseFile(fset, "docs_test.go", src, 0)
	require.NoError(t, err)
	funcs := map[string]string{}
	for _, d := range file.Decls {
		if fn, ok := d.(*ast.FuncDecl); ok {
			funcs[fn.Name.Name] = string(src[fset.Position(fn.Pos()).Offset:fset.Position(fn.End()).Offset]) + "\n"
		}
	}

	var snippets []string
	pkg, err := parser.ParseFile(token.NewFileSet(), "doc.go", nil, parser.ParseComments|parser.PackageClauseOnly)
	require.NoError(t, err)
	var p comment.Parser
	for _, block := range p.Parse(pkg.Doc.Text()).Content {
		if code, ok := block.(*comment.Code); ok && isGo(code.Text) {
			snippets = append(snippets, code.Text)
		}
	}
	require.Len(t, snippets, 1, "the package documentation's Go snippets")

	readme, err := os.ReadFile("../README.md")
	require.NoError(t, err)
	section := string(readme)
	section = section[strings.Index(section, "\n## Testing your integration"):]
	section = section[:strings.Index(section[1:], "\n## ")+1]
	for _, m := range regexp.MustCompile("(?s)```go\n(.*?)```").FindAllStringSubmatch(section, -1) {
		snippets = append(snippets, m[1])
	}
	require.Len(t, snippets, 3, "with the README's")

	for _, s := range snippets {
		name := regexp.MustCompile(`^func (\w+)\(`).FindStringSubmatch(s)
		require.NotNil(t, name, "a snippet is a whole function:\n%s", s)
		assert.Equal(t, funcs[name[1]], s, "the snippet %s, as docs_test.go has it", name[1])
	}
}

// isGo reports whether a code block of the documentation is Go: a
// declaration or statements, rather than a table or a wire example.
func isGo(text string) bool {
	if _, err := parser.ParseFile(token.NewFileSet(), "", "package p\n"+text, 0); err == nil {
		return true
	}
	_, err := parser.ParseFile(token.NewFileSet(), "", "package p\nfunc _() {\n"+text+"\n}", 0)
	return err == nil
}
