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
  redis-server libhiredis-dev
  zlib1g-dev libzstd-dev libssl-dev
  clang-14 libclang-rt-14-dev
  pybind11-dev python3-pybind11 python3-pytest
  openmpi-bin slurm-wlm munge
  libcpp-httplib-dev chromium fonts-dejavu-core
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
  # The tasks engine starts its own redis-server processes (own config, port and password), and
  # the Slurm test its own munged, slurmctld and slurmd: keep apt from starting the packages'
  # system services, which would hold their ports.
  policy_added=""
  case "$missing" in
    *redis-server* | *slurm-wlm* | *munge*)
      if [ ! -e /usr/sbin/policy-rc.d ]; then
        printf '#!/bin/sh\nexit 101\n' | $SUDO tee /usr/sbin/policy-rc.d >/dev/null
        $SUDO chmod 755 /usr/sbin/policy-rc.d
        policy_added=1
      fi
      ;;
  esac
  # shellcheck disable=SC2086
  $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $missing
  if [ -n "$policy_added" ]; then $SUDO rm -f /usr/sbin/policy-rc.d; fi
fi
