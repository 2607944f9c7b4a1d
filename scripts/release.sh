#!/usr/bin/env bash
# Prepares a release: every step that can be done locally, all but pushing
# (see RELEASING.md). It refuses a dirty tree, and stops at the first step
# that fails, leaving the commit and the tags undone.
#
#   scripts/release.sh            suggest the next version from the API changes
#   scripts/release.sh v0.2.0     prepare v0.2.0
#
# Steps: check the tree and the version; set the Version constant; move
# CHANGELOG.md's "Unreleased" section under the version; regenerate
# api/gurulize.txt (and report apidiff against the last tag); run CI
# (.ci/run); scan for vulnerabilities (strict on our code and dependencies);
# build the command with a Go release that fixes the standard library's
# known vulnerabilities; commit; tag vX.Y.Z and each nested module
# (<dir>/vX.Y.Z).
#
# RELEASE_SKIP_CI=1 skips .ci/run (only to try the script itself).
set -euo pipefail
cd "$(dirname "$0")/.."

# The Go release the command is built with: the first with no known
# vulnerability the code calls (scripts/vulncheck.sh names it).
RELEASE_GO=${RELEASE_GO:-go1.26.10}

die() { echo "release: $*" >&2; exit 1; }
step() { printf '\n=== %s\n' "$*"; }

last=$(git describe --tags --abbrev=0 --match 'v[0-9]*' 2>/dev/null || true)

if [ $# -eq 0 ]; then
  # v0.x: a breaking change bumps the minor version, as an addition does; a
  # release with no API change bumps the patch version.
  if [ -z "$last" ]; then
    echo "no release yet: the first is v0.1.0"
  else
    changed=$(git diff --numstat "$last" -- api/ | awk '{ s += $1 + $2 } END { print s + 0 }')
    IFS=. read -r major minor patch <<<"${last#v}"
    if [ "$changed" -gt 0 ]; then
      echo "the API changed since $last (git diff $last -- api/): next is v$major.$((minor + 1)).0"
    else
      echo "no API change since $last: next is v$major.$minor.$((patch + 1))"
    fi
  fi
  echo "run: $0 vX.Y.Z"
  exit 0
fi

version=$1
[[ $version =~ ^v(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)$ ]] || die "version must look like v0.2.0, got $version"
plain=${version#v}

step "the tree"
[ -z "$(git status --porcelain)" ] || die "the working tree is not clean: commit or stash first"
git rev-parse -q --verify "refs/tags/$version" >/dev/null && die "tag $version exists"
if [ -n "$last" ]; then
  newest=$(printf '%s\n%s\n' "$last" "$version" | sort -V | tail -n 1)
  [ "$newest" = "$version" ] && [ "$last" != "$version" ] || die "$version is not after the last release $last"
fi
grep -q '^## \[Unreleased\]' CHANGELOG.md || die 'CHANGELOG.md has no "## [Unreleased]" section'
unreleased=$(awk '/^## \[Unreleased\]/ { on = 1; next } /^## / { on = 0 } on && NF' CHANGELOG.md | wc -l)
[ "$unreleased" -gt 0 ] || die 'the "Unreleased" section of CHANGELOG.md is empty: nothing to release'

step "Version constant: $plain"
grep -q '^const Version = "' client.go || die "no Version constant in client.go"
sed -i.bak "s/^const Version = \".*\"/const Version = \"$plain\"/" client.go && rm -f client.go.bak

step "CHANGELOG.md: Unreleased becomes $plain"
today=$(date -u +%Y-%m-%d)
awk -v v="$plain" -v d="$today" '
  /^## \[Unreleased\]/ && !done { print; print ""; print "## [" v "] - " d; done = 1; next }
  { print }' CHANGELOG.md >CHANGELOG.md.new && mv CHANGELOG.md.new CHANGELOG.md

step "nested modules require the root module at $version"
nested=$(find . -name go.mod -not -path './go.mod' -not -path './tools/*' -not -path '*/testdata/*' | sort)
for mod in $nested; do
  if grep -q '^\s*github.com/gurulize/gurulize-go ' "$mod"; then
    (cd "$(dirname "$mod")" && go mod edit -require="github.com/gurulize/gurulize-go@$version")
  fi
done

step "API file: api/gurulize.txt"
go test -count=1 -run '^TestAPI$' -update .
git --no-pager diff --stat -- api/
scripts/apidiff.sh "$last"

if [ "${RELEASE_SKIP_CI:-}" = 1 ]; then
  step "CI: skipped (RELEASE_SKIP_CI=1)"
else
  step "CI (.ci/run)"
  bash .ci/run
fi

step "vulnerabilities, with $RELEASE_GO (strict on our code and dependencies)"
GOTOOLCHAIN=$RELEASE_GO scripts/vulncheck.sh --strict

step "the command, built with $RELEASE_GO"
mkdir -p dist
GOTOOLCHAIN=$RELEASE_GO go build -trimpath -o dist/gurulize ./cmd/gurulize
dist/gurulize version
dist/gurulize --help >/dev/null

step "commit and tags"
git add client.go CHANGELOG.md api/ $(for m in $nested; do echo "$m"; done)
git commit -q -m "Release $version"
git tag -a "$version" -m "gurulize-go $version"
tags=$version
for mod in $nested; do
  dir=$(dirname "${mod#./}")
  git tag -a "$dir/$version" -m "$dir $version"
  tags="$tags $dir/$version"
done

cat <<EOT

Release $version prepared: commit $(git rev-parse --short HEAD), tags: $tags
The command built with $RELEASE_GO is dist/gurulize (not committed).
Left to do (RELEASING.md, "After the script"):
  git push origin HEAD $tags
  then check pkg.go.dev and: go install github.com/gurulize/gurulize-go/cmd/gurulize@$version && gurulize version
EOT
