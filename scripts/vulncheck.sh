#!/usr/bin/env bash
# Vulnerability scan of every module of the repository, offline: govulncheck
# and its database (the golang.org/x/vulndb module, OSV files under
# data/osv, read from the module cache), both pinned in tools/go.mod.
#
#   scripts/vulncheck.sh           print the called vulnerabilities of each module;
#                                  exit 0 unless the scan itself fails (CI)
#   scripts/vulncheck.sh --strict  exit 1 on a called vulnerability in our code or a
#                                  dependency (the release script); those in the
#                                  standard library are printed with the Go release
#                                  that fixes them: build with it
#
# The standard library scanned is the one of the go command that runs the
# script: GOTOOLCHAIN=go1.26.10 scripts/vulncheck.sh scans Go 1.26.10's.
set -euo pipefail
cd "$(dirname "$0")/.."

strict=""
case "${1:-}" in
  --strict) strict=-strict ;;
  "") ;;
  *) echo "usage: $0 [--strict]" >&2; exit 2 ;;
esac

bin=$(mktemp -d)
trap 'rm -rf "$bin"' EXIT
(cd tools && go mod download golang.org/x/vulndb &&
  go build -o "$bin/" golang.org/x/vuln/cmd/govulncheck ./vulnsummary)
db="$(cd tools && go list -m -f '{{.Dir}}' golang.org/x/vulndb)/data/osv"
[ -d "$db" ] || { echo "no vulnerability database at $db" >&2; exit 1; }

echo "govulncheck $(cd tools && go list -m -f '{{.Version}}' golang.org/x/vuln), database golang.org/x/vulndb $(cd tools && go list -m -f '{{.Version}}' golang.org/x/vulndb), $(go env GOVERSION)"
status=0
for mod in $(find . -name go.mod -not -path './tools/*' -not -path '*/testdata/*' | sort); do
  dir=$(dirname "$mod")
  echo "--- $dir"
  # govulncheck exits 3 when it finds something: vulnsummary decides.
  json=$(cd "$dir" && { "$bin/govulncheck" -db "file://$db" -format json ./... || [ $? = 3 ]; })
  printf '%s\n' "$json" | "$bin/vulnsummary" $strict || status=1
done
exit "$status"
