#!/usr/bin/env bash
# A report of the API changes since a tag (the last one by default), by
# golang.org/x/exp/cmd/apidiff, pinned in tools/go.mod: every module of the
# repository that existed at the tag, compared with the working tree. It
# informs and never gates: it exits 0 whatever it finds (api/gurulize.txt
# and TestAPI are the gate).
#
#   scripts/apidiff.sh [tag]
set -uo pipefail
cd "$(dirname "$0")/.."
root=$PWD

tag=${1:-$(git describe --tags --abbrev=0 --match 'v[0-9]*' 2>/dev/null)}
if [ -z "$tag" ]; then
  echo "apidiff: no release tag yet: nothing to compare with"
  exit 0
fi

work=$(mktemp -d)
trap 'git worktree remove --force "$work/old" >/dev/null 2>&1; rm -rf "$work"' EXIT
(cd tools && go build -o "$work/apidiff" golang.org/x/exp/cmd/apidiff) || { echo "apidiff: cannot build apidiff"; exit 0; }
git worktree add --detach "$work/old" "$tag" >/dev/null 2>&1 || { echo "apidiff: cannot check out $tag"; exit 0; }

for mod in $(cd "$work/old" && find . -name go.mod -not -path './tools/*' -not -path './examples/*' -not -path '*/testdata/*' | sort); do
  dir=$(dirname "$mod")
  path=$(cd "$work/old/$dir" && go list -m)
  echo "=== $path: changes since $tag"
  if (cd "$work/old/$dir" && "$work/apidiff" -m -w "$work/old.export" "$path") &&
     (cd "$root/$dir" && "$work/apidiff" -m "$work/old.export" "$path"); then
    :
  else
    echo "(apidiff could not compare $path)"
  fi
done
exit 0
