#!/usr/bin/env bash
# Installs the Debian packages chipsim needs to build and test, or says exactly
# what to install when it may not. Called by `make run`, `make test`, `make bench`.
#
#   scripts/deps.sh [extra-package...]
#
# Exit 0 when everything is there (or was installed), 1 when something is missing
# and we are not root, 2 when apt-get failed.
set -u

# Each package earns its place in README.md ("Dependencies").
pkgs=(cmake make pkg-config gcc libgsl-dev libcsv-dev libcmocka-dev libfyaml-dev
      librandom123-dev openmpi-bin libopenmpi-dev gnuplot-nox parallel time python3-simpy
      "$@")

if ! command -v dpkg-query >/dev/null 2>&1; then
  echo "deps: not a Debian system (no dpkg-query); make sure these are installed: ${pkgs[*]}" >&2
  exit 0
fi

missing=()
for p in "${pkgs[@]}"; do
  status=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)
  [ "$status" = "install ok installed" ] || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0

if [ "$(id -u)" -ne 0 ]; then
  echo "deps: missing packages: ${missing[*]}" >&2
  echo "deps: install them as root, then run make again:" >&2
  echo "  sudo apt-get update && sudo apt-get install -y ${missing[*]}" >&2
  exit 1
fi

echo "deps: installing ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
if ! apt-get update -q >&2; then
  echo "deps: apt-get update failed" >&2
  exit 2
fi
if ! apt-get install -y -q --no-install-recommends "${missing[@]}" >&2; then
  echo "deps: apt-get install ${missing[*]} failed" >&2
  exit 2
fi
