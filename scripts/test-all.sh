#!/usr/bin/env bash
# Installs what the tests need (Debian packages, then the locked npm packages)
# and runs every test: the README's second line, and what CI runs (.ci/run).
set -euo pipefail
cd "$(dirname "$0")/.."

as_root() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi; }

# The Debian packages the tests use, each for its reason:
#   tshark            Wireshark's dissectors, the third opinion in the cross-checks
#   wabt              wasm2c for the firmware board; wasm-objdump to inspect the core
#   socat             the PTYs the virtual board is served on (sixlab board up)
#   chromium          report.html opened in a real browser (playwright-core)
#   gcc-arm-none-eabi libnewlib-arm-none-eabi qemu-system-arm
#                     the core as Cortex-M4 firmware, booted in QEMU (docs/qemu-board.md)
#   gcc libc6-dev     the core's native speed (the same wasm2c output on the host)
#   mosquitto         an external MQTT broker for the scenario tests
packages=(tshark wabt socat chromium gcc-arm-none-eabi libnewlib-arm-none-eabi qemu-system-arm gcc libc6-dev mosquitto)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ "${#missing[@]}" -gt 0 ]; then
  echo "wireshark-common wireshark-common/install-setuid boolean false" | as_root debconf-set-selections
  as_root apt-get update
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "${missing[@]}"
fi

# mosquitto as installed by Debian may start a service holding port 1883: stop it.
bash scripts/install-scenario-deps.sh >/dev/null

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
