#!/usr/bin/env bash
# Makes Personio's official v2 OpenAPI files available to the conformance tests when the shared folder
# beside the project (../shared/personio-api/v2/) is absent: they are published, byte for byte the same,
# in the source distribution of Hochfrequenz's `personio-client` on PyPI, which this extracts into
# .build/personio-api/v2/ (git-ignored). Prints where the files are.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ -f ../shared/personio-api/v2/persons-service-api-v2.json ]; then
  echo "Personio's v2 files: ../shared/personio-api/v2"
  exit 0
fi
target=.build/personio-api/v2
if [ ! -f "$target/persons-service-api-v2.json" ]; then
  if [ ! -x .venv-test/bin/pip ]; then
    python3 -m venv .venv-test >&2 || { (apt-get install -y -q python3-venv || sudo apt-get install -y -q python3-venv) >&2; python3 -m venv .venv-test; }
  fi
  work="$(mktemp -d)"
  trap 'rm -rf "$work"' EXIT
  .venv-test/bin/pip download --quiet --disable-pip-version-check --no-deps --no-binary :all: -d "$work" 'personio-client==0.1.0a1' >&2
  tar xzf "$work"/personio_client-0.1.0a1.tar.gz -C "$work"
  mkdir -p "$target"
  cp "$work"/personio_client-0.1.0a1/openapi/v2/*.json "$target/"
fi
echo "Personio's v2 files: $target (from PyPI personio-client 0.1.0a1)"
