#!/usr/bin/env bash
# Install the system packages the build and the tests need. HiGHS is built from source by the
# highs-sys crate: it needs cmake, a C++ compiler and libclang.so for bindgen (from libclang-dev;
# libclang-cpp*, which Debian installs by default, is a different library and does not do). The
# report tests need headless Chromium (the workbench browser test also its WebDriver, chromium-driver), LibreOffice (xlsx → pdf) and a CJK font; the model-export
# test needs a second solver (CBC). Safe to run again: it asks dpkg what is installed and installs
# only what is missing. Runs as root (CI) or through sudo.
set -euo pipefail

# Debian package → installed? (dpkg's own answer, not a file glob that another package satisfies)
installed() { dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q "install ok installed"; }

need=()
for pkg in cmake g++ make libclang-dev chromium chromium-driver libreoffice-calc-nogui fonts-noto-cjk coinor-cbc; do
  installed "$pkg" || need+=("$pkg")
done

if [ ${#need[@]} -gt 0 ]; then
  echo "installing system packages: ${need[*]}"
  SUDO=""
  if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get update -qq
  $SUDO apt-get install -y -qq --no-install-recommends "${need[@]}"
fi

# What bindgen loads: a libclang.so that the dynamic linker or LLVM's directory holds.
if ! ldconfig -p | grep -q 'libclang\.so\b' && ! ls /usr/lib/llvm-*/lib/libclang.so >/dev/null 2>&1; then
  echo "setup-system: libclang.so not found after installing libclang-dev (bindgen needs it)" >&2
  exit 1
fi
