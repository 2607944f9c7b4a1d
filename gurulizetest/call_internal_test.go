package gurulizetest

import (
	"testing"
	"time"
)

func TestScriptForCallee(t *testing.T) {
	t.Parallel()
	for _, n := range []string{"5005550000", "5005550011", "500555100", "50055510950", "5005553010", "5005551x95", "5427654321"} {
		if _, ok := scriptForCallee(n); ok {
			t.Errorf("scriptForCallee(%q) found a script; it is not a magic number", n)
		}
	}
	for n, want := range map[string]string{
		NumberCalleeBusy:                          "callee busy",
		NumberOutOfCredits:                        "out of credits",
		NumberAnsweredFor(95 * time.Second):       "answered 1m35s, callee hangs up",
		NumberCallerHangsUpAfter(5 * time.Second): "answered 5s, caller hangs up",
	} {
		if got, ok := scriptForCallee(n); !ok || got.Name != want {
			t.Errorf("scriptForCallee(%q) = %q, %v; want %q", n, got.Name, ok, want)
		}
	}
}
