#!/usr/bin/env bash
# Installs everything MLLab needs on a fresh Debian bookworm machine: compilers, Emscripten,
# libraries, Chromium, fonts, Dear ImGui's sources (Debian source package, into third_party/,
# never committed) and the npm packages of the browser tests. Safe to run again.
set -euo pipefail
cd "$(dirname "$0")/.."

SUDO=""
if [ "$(id -u)" != 0 ]; then SUDO="sudo"; fi

PACKAGES=(emscripten cmake make g++ xz-utils dpkg-dev ca-certificates
  libeigen3-dev nlohmann-json3-dev googletest libgtest-dev libcli11-dev libglfw3-dev
  libboost-dev libcpp-httplib-dev pkgconf clang-14 libclang-rt-14-dev
  chromium fonts-jetbrains-mono fonts-dejavu-core python3 python3-sklearn)
# Node.js: use the machine's if it has one (it may not be Debian's); else Debian's.
command -v npm >/dev/null 2>&1 || PACKAGES+=(nodejs npm)

missing=()
for p in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done

# Dear ImGui's .cpp files come only in Debian's source package: enable deb-src once.
if [ ! -f /etc/apt/sources.list.d/debsrc.sources ] && ! grep -rqs '^deb-src' /etc/apt/sources.list /etc/apt/sources.list.d/; then
  $SUDO tee /etc/apt/sources.list.d/debsrc.sources >/dev/null <<'SRC'
Types: deb-src
URIs: http://deb.debian.org/debian
Suites: bookworm
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
SRC
  NEED_UPDATE=1
fi

if [ "${#missing[@]}" -gt 0 ] || [ "${NEED_UPDATE:-0}" = 1 ] || [ ! -d third_party/imgui ]; then
  echo "setup: apt-get update"
  $SUDO apt-get update -qq
fi
if [ "${#missing[@]}" -gt 0 ]; then
  echo "setup: installing ${missing[*]}"
  $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

if [ ! -f third_party/imgui/imgui.cpp ]; then
  echo "setup: fetching Dear ImGui sources (apt-get source imgui)"
  rm -rf third_party/src third_party/imgui
  mkdir -p third_party/src
  (cd third_party/src && apt-get source --download-only imgui >/dev/null 2>&1)
  tarball=$(ls third_party/src/imgui_*.orig.tar.* | head -n1)
  tar -xf "$tarball" -C third_party
  mv third_party/imgui-* third_party/imgui
fi

if [ ! -d node_modules/playwright-core ]; then
  echo "setup: npm install (playwright-core for the browser tests)"
  npm install --no-audit --no-fund --loglevel=error
fi
echo "setup: done"
