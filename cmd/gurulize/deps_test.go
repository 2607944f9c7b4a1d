package main

import (
	"os/exec"
	"strings"
	"testing"
)

// TestNoTestLibrariesInTheBinary: the command links neither testing nor a
// test library (httpmock, testify, goleak).
func TestNoTestLibrariesInTheBinary(t *testing.T) {
	out, err := exec.Command("go", "list", "-deps", ".").Output()
	if err != nil {
		t.Fatalf("go list -deps: %v", err)
	}
	deps := strings.Fields(string(out))
	if len(deps) < 10 {
		t.Fatalf("go list -deps listed only %v", deps)
	}
	for _, dep := range deps {
		if dep == "testing" || strings.HasPrefix(dep, "testing/") ||
			strings.Contains(dep, "httpmock") || strings.Contains(dep, "testify") || strings.Contains(dep, "goleak") {
			t.Errorf("the gurulize command depends on %s", dep)
		}
	}
}
