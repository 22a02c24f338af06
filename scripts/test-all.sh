#!/usr/bin/env bash
# Installs what the tests need (Debian packages, then the locked npm packages)
# and runs every test: the README's second line, and what CI runs (.ci/run).
set -euo pipefail
cd "$(dirname "$0")/.."

as_root() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi; }

# tshark: Wireshark's dissectors, the third opinion in the cross-checks.
# wabt: wasm-objdump, to inspect the core module by hand.
# socat: makes the PTYs the virtual board is served on (sixlab board up).
if ! command -v tshark >/dev/null 2>&1 || ! command -v wasm-objdump >/dev/null 2>&1 || ! command -v socat >/dev/null 2>&1; then
  echo "wireshark-common wireshark-common/install-setuid boolean false" | as_root debconf-set-selections
  as_root apt-get update
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends tshark wabt socat
fi

npm ci --no-audit --no-fund

# CI logs are files, not terminals: no colour codes (vitest, our progress
# output and anything else that honours NO_COLOR / FORCE_COLOR=0), in CI
# (CI=true) or whenever the output is not a terminal.
if [ "${CI:-}" = true ] || [ -n "${NO_COLOR:-}" ] || [ ! -t 1 ]; then
  export NO_COLOR=1 FORCE_COLOR=0
fi

# Every test; then the plain closing line CI reads ("N passed, N failed").
report_dir="$(mktemp -d)"
trap 'rm -rf "$report_dir"' EXIT
report="$report_dir/vitest.json"
status=0
npm test -- --reporter=default --reporter=json --outputFile.json="$report" || status=$?
node -e '
  const r = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"));
  console.log(`${r.numPassedTests} passed, ${r.numFailedTests} failed` + (r.numPendingTests ? `, ${r.numPendingTests} skipped` : ""));
' "$report" || true
exit "$status"
