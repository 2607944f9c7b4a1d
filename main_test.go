package gurulize_test

import (
	"testing"

	"go.uber.org/goleak"
)

// TestMain fails the run when a test leaves a goroutine behind: a response
// body nobody closed, a keep-alive connection that never went back to a pool
// or away, a retry timer still waiting. Every test closes its servers and the
// idle connections of the transports it made, so nothing is expected to
// survive it.
func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}
