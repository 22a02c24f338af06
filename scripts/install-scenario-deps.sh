#!/usr/bin/env bash
# Installs what the scenario tests need beyond npm: mosquitto (Debian package),
# the real MQTT broker the scenarios and the bridge are tested against
# besides the embedded aedes. The tests start it themselves, on a free port of
# [::1] with a temporary configuration; a system service is not wanted (it
# would hold port 1883, the embedded broker's default), so one that the
# package started is stopped and disabled.
set -euo pipefail

as_root() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi; }

if ! command -v mosquitto >/dev/null 2>&1 && [ ! -x /usr/sbin/mosquitto ]; then
  as_root apt-get update
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends mosquitto
fi

if command -v systemctl >/dev/null 2>&1 && systemctl is-active --quiet mosquitto 2>/dev/null; then
  as_root systemctl disable --now mosquitto || true
fi

/usr/sbin/mosquitto -h 2>&1 | head -n 1 || true  # mosquitto -h exits 3 after printing its version
