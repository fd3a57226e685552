#!/usr/bin/env bash
# Re-fetch the vendored htmx from the npm registry and check it against the recorded sha256.
# Usage: bash scripts/fetch_htmx.sh [--write]   (--write replaces the vendored copy when it matches)
set -euo pipefail
VERSION=2.0.11
EXPECTED=d6fdc75f204e6bdefa99b69bf1e6d4ac69b8a364f77929f45c13476b4000f717
here=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
(cd "$work" && npm pack --silent "htmx.org@$VERSION" >/dev/null && tar xzf "htmx.org-$VERSION.tgz")
actual=$(sha256sum "$work/package/dist/htmx.min.js" | cut -d' ' -f1)
vendored=$(sha256sum "$here/static/vendor/htmx-$VERSION/htmx.min.js" | cut -d' ' -f1)
echo "registry: $actual"
echo "vendored: $vendored"
echo "expected: $EXPECTED"
[ "$actual" = "$EXPECTED" ] || { echo "registry copy does not match the recorded sha256" >&2; exit 1; }
if [ "${1:-}" = "--write" ]; then
  cp "$work/package/dist/htmx.min.js" "$work/package/LICENSE" "$here/static/vendor/htmx-$VERSION/"
  echo "vendored copy replaced"
fi
[ "$vendored" = "$EXPECTED" ] || { echo "vendored copy differs from the recorded sha256" >&2; exit 1; }
echo "ok"
