package gurulize_test

import (
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// readmeSection returns the README's section that starts with heading (a
// whole line such as "## Receiving callbacks"), up to the next heading of
// the same level or higher.
func readmeSection(t *testing.T, heading string) string {
	t.Helper()
	readme, err := os.ReadFile("README.md")
	require.NoError(t, err)
	s := string(readme)
	start := strings.Index(s, "\n"+heading+"\n")
	require.GreaterOrEqual(t, start, 0, "README has %q", heading)
	s = s[start+1+len(heading):]
	level := strings.Fields(heading)[0]
	for _, next := range regexp.MustCompile(`(?m)^#+ `).FindAllStringIndex(s, -1) {
		if hashes := strings.TrimSpace(s[next[0]:next[1]]); len(hashes) <= len(level) {
			return s[:next[0]]
		}
	}
	return s
}

// TestReadmeRecordingTestRunsOnAFreshCheckout: the README's
// TestRecordedCallbacks, copied into a module of its own with nothing else,
// passes: its first run records the file it replays, and the second run
// replays that file.
func TestReadmeRecordingTestRunsOnAFreshCheckout(t *testing.T) {
	t.Parallel() // mostly waiting for the go command
	section := readmeSection(t, "## Developing your callback endpoint")
	var snippet string
	for _, m := range regexp.MustCompile("(?s)```go\n(.*?)```").FindAllStringSubmatch(section, -1) {
		if strings.Contains(m[1], "func TestRecordedCallbacks(") {
			snippet = m[1]
		}
	}
	require.NotEmpty(t, snippet, "the section shows TestRecordedCallbacks")

	dir := userModule(t, "recording")
	require.NoError(t, os.WriteFile(filepath.Join(dir, "recording_test.go"), []byte(snippetFile("recording", snippet)), 0o644))

	for run := 1; run <= 2; run++ {
		cmd := exec.Command("go", "test", "-count=1", "-run", "^TestRecordedCallbacks$", ".")
		cmd.Dir = dir
		cmd.Env = append(os.Environ(), "GOFLAGS=-mod=mod", "GOWORK=off")
		out, err := cmd.CombinedOutput()
		require.NoError(t, err, "run %d:\n%s", run, out)
		assert.Contains(t, string(out), "ok", "run %d", run)
		recorded, err := os.ReadFile(filepath.Join(dir, "testdata", "meeting.jsonl"))
		require.NoError(t, err, "run %d: the first run records testdata/meeting.jsonl", run)
		assert.Equal(t, 7, strings.Count(string(recorded), "\n"), "a meeting's 7 events")
	}
}

// sqlTables returns the columns of each table a DDL block creates, and the
// columns declared PRIMARY KEY or UNIQUE on their own line.
func sqlTables(ddl string) (tables map[string]map[string]bool, unique map[string]map[string]bool) {
	tables, unique = map[string]map[string]bool{}, map[string]map[string]bool{}
	for _, m := range regexp.MustCompile(`(?s)CREATE TABLE (\w+) \((.*?)\n\);`).FindAllStringSubmatch(ddl, -1) {
		tables[m[1]], unique[m[1]] = map[string]bool{}, map[string]bool{}
		for _, line := range strings.Split(m[2], "\n") {
			fields := strings.Fields(line)
			if len(fields) < 2 || fields[0] == "PRIMARY" || fields[0] == "UNIQUE" || strings.HasPrefix(fields[0], "--") {
				continue
			}
			tables[m[1]][fields[0]] = true
			if strings.Contains(line, "PRIMARY KEY") || strings.Contains(line, "UNIQUE") {
				unique[m[1]][fields[0]] = true
			}
		}
	}
	return tables, unique
}

// TestReadmeSchemaHasWhatTheSnippetUses: the "Several servers" snippet
// comes with the tables it uses: every table and column its SQL names is in
// the DDL the README gives, and the ON CONFLICT column is a key.
func TestReadmeSchemaHasWhatTheSnippetUses(t *testing.T) {
	section := readmeSection(t, "### Several servers: keep the state in your database")
	ddl := regexp.MustCompile("(?s)```sql\n(.*?)```").FindStringSubmatch(section)
	require.NotNil(t, ddl, "the section gives the tables' DDL")
	tables, unique := sqlTables(ddl[1])
	code := regexp.MustCompile("(?s)```go\n(.*?)```").FindStringSubmatch(section)
	require.NotNil(t, code)

	type use struct{ table, column string }
	var uses []use
	split := func(table, list string) {
		for _, part := range strings.Split(list, ",") {
			col := strings.Fields(strings.TrimSpace(part))[0]
			uses = append(uses, use{table, col})
		}
	}
	for _, m := range regexp.MustCompile(`INSERT INTO (\w+) \(([^)]*)\)`).FindAllStringSubmatch(code[1], -1) {
		split(m[1], m[2])
	}
	for _, m := range regexp.MustCompile(`SELECT (.*?) FROM (\w+) WHERE (\w+)`).FindAllStringSubmatch(code[1], -1) {
		split(m[2], m[1]+","+m[3])
	}
	for _, m := range regexp.MustCompile(`UPDATE (\w+) SET (.*?) WHERE (\w+)`).FindAllStringSubmatch(code[1], -1) {
		split(m[1], m[2]+","+m[3])
	}
	require.GreaterOrEqual(t, len(uses), 10, "the snippet's SQL was found")
	for _, u := range uses {
		assert.True(t, tables[u.table][u.column], "the DDL declares %s.%s", u.table, u.column)
	}
	conflicts := regexp.MustCompile(`INSERT INTO (\w+) .*?ON CONFLICT \((\w+)\)`).FindAllStringSubmatch(code[1], -1)
	require.NotEmpty(t, conflicts)
	for _, m := range conflicts {
		assert.True(t, unique[m[1]][m[2]], "ON CONFLICT (%s) needs %s.%s to be a key", m[2], m[1], m[2])
	}
	assert.Contains(t, section, "examples/postgres/store.go", "the section points at the complete schema")
}

// TestReadmeSaysHowAddressesReachTheProvider: the README says the callback
// addresses are given to the provider out of band, and what to send.
func TestReadmeSaysHowAddressesReachTheProvider(t *testing.T) {
	section := readmeSection(t, "## Receiving callbacks")
	assert.Contains(t, section, "out of band")
	assert.Contains(t, section, "Neither API request carries a\ncallback address")
	for _, what := range []string{"the account (username) they are for", "the video events address", "the call status address"} {
		assert.Contains(t, section, what)
	}
}

// TestReadmeSaysAnUnusedRoomsCostIsUnknown: the README answers whether a
// room nobody enters costs anything, which the provider does not document.
func TestReadmeSaysAnUnusedRoomsCostIsUnknown(t *testing.T) {
	section := readmeSection(t, "## Create a video room")
	assert.Contains(t, section, "**Does a room nobody enters cost anything?** Unknown")
}

// TestGoDocWorkaround: inside this repository "go doc gurulize.Client"
// finds the command (package main in cmd/gurulize, kept there so that
// "go install ./cmd/gurulize" installs a command named gurulize); the
// README's workaround, the full import path, shows the SDK's Client.
func TestGoDocWorkaround(t *testing.T) {
	out, err := exec.Command("go", "doc", "github.com/gurulize/gurulize-go.Client").CombinedOutput()
	require.NoError(t, err, "%s", out)
	assert.Contains(t, string(out), "type Client struct")
	readme, err := os.ReadFile("README.md")
	require.NoError(t, err)
	assert.Contains(t, string(readme), "`go doc github.com/gurulize/gurulize-go.Client`")
}

// TestPostgresExampleRunsOutsideTheRepository: examples/postgres, copied
// out of the repository and given the replace its README says, builds; and
// its tests, given no DATABASE_URL, fail saying so instead of skipping.
func TestPostgresExampleRunsOutsideTheRepository(t *testing.T) {
	t.Parallel() // mostly waiting for the go command
	readme, err := os.ReadFile("examples/postgres/README.md")
	require.NoError(t, err)
	const edit = "go mod edit -replace github.com/gurulize/gurulize-go="
	require.Contains(t, string(readme), edit, "the README says which replace to use")
	require.Contains(t, string(readme), "DATABASE_URL")

	root, err := os.Getwd()
	require.NoError(t, err)
	dir := filepath.Join(t.TempDir(), "my-callbacks")
	require.NoError(t, os.CopyFS(dir, os.DirFS("examples/postgres")))
	var env []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "DATABASE_URL=") {
			env = append(env, kv)
		}
	}
	env = append(env, "GOWORK=off", "GOFLAGS=-mod=mod")
	goCmd := func(args ...string) (string, error) {
		cmd := exec.Command("go", args...)
		cmd.Dir, cmd.Env = dir, env
		out, err := cmd.CombinedOutput()
		return string(out), err
	}
	// Every replace the README gives, pointed at this clone.
	replaces := 0
	for _, line := range strings.Split(string(readme), "\n") {
		if arg, ok := strings.CutPrefix(line, "go mod edit -replace "); ok {
			out, err := goCmd("mod", "edit", "-replace", strings.ReplaceAll(arg, "$HOME/src/gurulize-go", root))
			require.NoError(t, err, out)
			replaces++
		}
	}
	require.NotZero(t, replaces, "the README gives its replace lines as go mod edit -replace …=$HOME/src/gurulize-go…")
	out, err := goCmd("build", "./...")
	require.NoError(t, err, out)

	out, err = goCmd("test", "-count=1", "-run", "^TestRoutes$", ".")
	require.Error(t, err, "without a database the tests fail:\n%s", out)
	assert.Contains(t, out, "DATABASE_URL is not set: these tests need a real PostgreSQL")
	assert.Contains(t, out, "--- FAIL: TestRoutes")
	assert.NotContains(t, out, "SKIP")
}
