package cli

import (
	"runtime/debug"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/gurulize/gurulize-go"
)

func TestVersionLine(t *testing.T) {
	assert.Equal(t, "gurulize "+gurulize.Version, versionLine(nil))
	assert.Equal(t, "gurulize "+gurulize.Version, versionLine(&debug.BuildInfo{Main: debug.Module{Path: "github.com/gurulize/gurulize-go", Version: "(devel)"}}))
	assert.Equal(t, "gurulize "+gurulize.Version+" (module github.com/gurulize/gurulize-go v0.3.0)",
		versionLine(&debug.BuildInfo{Main: debug.Module{Path: "github.com/gurulize/gurulize-go", Version: "v0.3.0"}}))
}
