package gurulizetest_test

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/gurulize/gurulize-go/gurulizetest"
)

// FuzzReadRecording: any input reads without panicking, an error names a
// line, and what was read writes and reads back the same.
func FuzzReadRecording(f *testing.F) {
	sample, err := os.ReadFile(filepath.Join("testdata", "recording-v1.jsonl"))
	require.NoError(f, err)
	f.Add(sample)
	f.Add(sample[:len(sample)/2])
	for _, line := range bytes.SplitAfter(sample, []byte("\n")) {
		f.Add(line)
	}
	for _, s := range []string{
		"", "\n\n", "{", "[]", `{"version":1}`,
		`{"version":1,"time":"9999-12-31T23:59:59-23:59","method":"GET","path":"/v"}`,
		`{"version":1,"time":"2026-12-01T12:00:00Z","method":"POST","path":"/v?","query":"a=%","bodyBase64":"/wBh"}`,
		`{"version":1,"time":"2026-12-01T12:00:00Z","method":"GET","path":"/v","body":"\ud800"}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		recs, err := gurulizetest.ReadRecording(bytes.NewReader(data))
		if err != nil {
			var re *gurulizetest.RecordingError
			require.ErrorAs(t, err, &re)
			assert.Positive(t, re.Line)
		}
		var b bytes.Buffer
		require.NoError(t, gurulizetest.WriteRecording(&b, recs...))
		again, err := gurulizetest.ReadRecording(&b)
		require.NoError(t, err, "%s", b.String())
		assert.Equal(t, recs, again)
	})
}
