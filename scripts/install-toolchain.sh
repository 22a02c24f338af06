#!/bin/sh
# The toolchain for the qemu-mps2-an386 firmware board and the native-speed
# benchmark (docs/qemu-board.md), from Debian: wasm2c (wabt), the Arm GNU
# toolchain with newlib, QEMU for Arm, and a host C compiler.
set -eu
SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
$SUDO apt-get update
$SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
  gcc-arm-none-eabi libnewlib-arm-none-eabi qemu-system-arm wabt gcc libc6-dev
