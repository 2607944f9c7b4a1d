package ids

import (
	"regexp"
	"testing"
)

func TestUUIDAndToken(t *testing.T) {
	uuid := regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`)
	token := regexp.MustCompile(`^[0-9a-f]{18}$`)
	seen := map[string]bool{}
	for range 100 {
		u, tok := UUID(), Token()
		if !uuid.MatchString(u) || !token.MatchString(tok) {
			t.Fatalf("UUID() = %q, Token() = %q", u, tok)
		}
		if seen[u] || seen[tok] {
			t.Fatalf("repeated %q or %q", u, tok)
		}
		seen[u], seen[tok] = true, true
	}
}
