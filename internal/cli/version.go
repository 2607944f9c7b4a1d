// version.go: what "gurulize version" prints: the SDK's Version constant,
// and the module version the binary was built from when Go recorded one
// (go install …/cmd/gurulize@vX.Y.Z).

package cli

import (
	"runtime/debug"

	"github.com/gurulize/gurulize-go"
)

// versionLine returns "gurulize <Version>", followed by
// " (module <path> <version>)" when info records the main module's version.
// info may be nil (no build information).
func versionLine(info *debug.BuildInfo) string {
	line := "gurulize " + gurulize.Version
	if info != nil && info.Main.Version != "" && info.Main.Version != "(devel)" {
		line += " (module " + info.Main.Path + " " + info.Main.Version + ")"
	}
	return line
}

// buildInfo reads the binary's build information, or nil.
func buildInfo() *debug.BuildInfo {
	info, ok := debug.ReadBuildInfo()
	if !ok {
		return nil
	}
	return info
}
