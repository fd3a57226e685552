#!/usr/bin/env bash
# Install everything the tests need and run the whole suite (unit, integration, browser, and
# the real engines: PostgreSQL and SeaweedFS's S3). Used as it is by README.md and by .ci/run.
set -euo pipefail
cd "$(dirname "$0")/.."

# Debian packages the tests use, installed only where missing: the browser tests' Chromium,
# the CJK font their Chinese screenshots need, and PostgreSQL for the database tests.
missing=()
[ -x /usr/bin/chromium ] || missing+=(chromium)
[ -e /usr/share/fonts/truetype/wqy/wqy-microhei.ttc ] || missing+=(fonts-wqy-microhei)
compgen -G "/usr/lib/postgresql/*/bin/initdb" >/dev/null || missing+=(postgresql)
if [ "${#missing[@]}" -gt 0 ]; then
  if command -v apt-get >/dev/null 2>&1 && [ "$(id -u)" = 0 ]; then
    apt-get update -qq && apt-get install -y -qq "${missing[@]}" >/dev/null
  elif command -v sudo >/dev/null 2>&1; then
    sudo apt-get update -qq && sudo apt-get install -y -qq "${missing[@]}" >/dev/null
  else
    echo "Missing Debian packages (${missing[*]}) cannot be installed here; the tests that" \
         "need them will ${CI:+fail}${CI:-be skipped}." >&2
  fi
fi

python3 -m venv .venv
.venv/bin/python -m pip install --quiet --upgrade pip
.venv/bin/python -m pip install --quiet ".[test,team]"
# Three workers, each taking whole test files (`--dist loadfile`), so a file's fixtures and
# servers stay in one process: the suite waits on servers, browsers and tasks far more than it
# computes, and three workers on two cores took it from about 45 minutes to under 20.
exec .venv/bin/python -m pytest -q -n 3 --dist loadfile "$@"
