#!/usr/bin/env bash
# Installs the Debian packages fathom builds and tests with, only those missing.
# Idempotent: a machine that has them all is left untouched (no apt-get update).
set -euo pipefail

packages=(
  build-essential cmake
  libcli11-dev nlohmann-json3-dev
  libgtest-dev libgmock-dev libbenchmark-dev
  python3 python3-numpy
  pkg-config libpcre2-dev libicu-dev
  libreadline-dev
  libcpp-httplib-dev
  chromium
  clang
)
# The web page is built with npm (ui/); the tokenizer and server tests use npm packages.
{ command -v node && command -v npm; } >/dev/null 2>&1 || packages+=(nodejs npm)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0

echo "installing: ${missing[*]}"
sudo=""
[ "$(id -u)" -ne 0 ] && sudo="sudo"
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
$sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
