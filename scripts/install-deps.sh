#!/bin/sh
# Installs every Debian package scaleml needs. Idempotent; works as root or through sudo.
set -eu
PACKAGES="
  cmake ninja-build g++ ccache pkg-config
  libcli11-dev libfast-float-dev nlohmann-json3-dev libxxhash-dev
  libgtest-dev libgmock-dev libbenchmark-dev
  libnanoflann-dev libxgboost-dev
  gnuplot-nox
  python3 python3-sklearn python3-pandas python3-xgboost
  libtorch-dev libgloo-dev python3-torch iproute2
"
SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
missing=""
for p in $PACKAGES; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing="$missing $p"
  fi
done
if [ -n "$missing" ]; then
  echo "install-deps: installing$missing" >&2
  $SUDO env DEBIAN_FRONTEND=noninteractive apt-get update -qq
  # shellcheck disable=SC2086
  $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $missing
fi
