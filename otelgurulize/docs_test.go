package otelgurulize_test

import (
	"os"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestReadmeQuotesTheExample checks that the README's quotations of
// examples/otel (blocks fenced as "```go examples/otel/main.go") are the
// example's code, which its own tests build and run, and that the README
// names the OpenTelemetry version this module requires.
func TestReadmeQuotesTheExample(t *testing.T) {
	readme, err := os.ReadFile("../README.md")
	require.NoError(t, err)
	example, err := os.ReadFile("../examples/otel/main.go")
	require.NoError(t, err)
	trimmed := func(s string) string {
		var lines []string
		for _, l := range strings.Split(s, "\n") {
			lines = append(lines, strings.TrimSpace(l))
		}
		return strings.Join(lines, "\n")
	}
	quotes := regexp.MustCompile("(?s)```go examples/otel/main.go\n(.*?)```").FindAllStringSubmatch(string(readme), -1)
	require.Len(t, quotes, 2)
	for _, q := range quotes {
		assert.Contains(t, trimmed(string(example)), trimmed(strings.TrimSpace(q[1])), "README quotes examples/otel/main.go")
	}

	mod, err := os.ReadFile("go.mod")
	require.NoError(t, err)
	version := regexp.MustCompile(`(?m)^\s*go\.opentelemetry\.io/otel (v\S+)$`).FindStringSubmatch(string(mod))
	require.NotNil(t, version)
	assert.Contains(t, string(readme), "OpenTelemetry Go "+version[1], "README names the version go.mod requires")
	goVersion := regexp.MustCompile(`(?m)^go (1\.\d+)`).FindStringSubmatch(string(mod))
	require.NotNil(t, goVersion)
	assert.Contains(t, string(readme), "Go "+goVersion[1]+"**", "README names the Go version go.mod requires")
}
