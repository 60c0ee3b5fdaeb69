#!/usr/bin/env bash
# Installs the Debian packages wormwatch needs to build and test. Idempotent and
# non-interactive: packages already present are skipped, and apt runs only when
# something is missing.
set -euo pipefail

BUILD_PKGS=(
  build-essential cmake pkg-config ninja-build clang
  libpcap-dev libndpi-dev libdpdk-dev libclamav-dev libboost-test-dev libssl-dev
  libyaml-cpp-dev nlohmann-json3-dev libfmt-dev libspdlog-dev libcli11-dev
  libmagic-dev librdkafka-dev libgmime-3.0-dev bc time ccache
)
TEST_PKGS=(
  tshark tcpdump tcpreplay iproute2 clamav-testfiles python3-scapy tcpflow ethtool
  swaks postfix python3-aiosmtpd rsyslog clamav-daemon chromium
)

want=("${BUILD_PKGS[@]}")
if [[ "${1:-}" != "--build-only" ]]; then
  want+=("${TEST_PKGS[@]}")
fi

missing=()
for p in "${want[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed"; then
    missing+=("$p")
  fi
done

if ((${#missing[@]} == 0)); then
  echo "install-deps: all ${#want[@]} packages present"
  exit 0
fi

echo "install-deps: installing ${missing[*]}"
SUDO=""
if [[ $(id -u) -ne 0 ]]; then SUDO="sudo"; fi
export DEBIAN_FRONTEND=noninteractive
# tshark asks whether non-root users may capture; answer no without a prompt.
echo "wireshark-common wireshark-common/install-setuid boolean false" | $SUDO debconf-set-selections
# postfix: install without configuring a mail system; tests write their own main.cf.
echo "postfix postfix/main_mailer_type select No configuration" | $SUDO debconf-set-selections
$SUDO apt-get update -o DPkg::Lock::Timeout=300 -qq
$SUDO apt-get install -y -qq -o DPkg::Lock::Timeout=300 --no-install-recommends "${missing[@]}"
