#!/usr/bin/env bash
# Build the sandbox image: from sandbox/Dockerfile where a registry is reachable, otherwise offline
# from Debian packages (debootstrap a root filesystem, then `docker import`). Idempotent: an existing
# image is kept unless FORCE=1.
#   SANDBOX_IMAGE   image name (default code-preference-sandbox:bookworm-1)
#   SANDBOX_BUILD   auto (default) | dockerfile | offline
#   DEBIAN_MIRROR   mirror for debootstrap (default: the first one in this machine's apt sources)
set -euo pipefail
cd "$(dirname "$0")"
image="${SANDBOX_IMAGE:-code-preference-sandbox:bookworm-1}"
mode="${SANDBOX_BUILD:-auto}"

if ! docker info >/dev/null 2>&1; then
  echo "The Docker engine does not answer: start it (dockerd, or 'systemctl start docker') and retry." >&2
  exit 1
fi
if docker image inspect "$image" >/dev/null 2>&1 && [ "${FORCE:-0}" != 1 ]; then
  echo "sandbox image $image is present ($(docker image inspect -f '{{.Id}}' "$image" | cut -c1-19))"
  exit 0
fi

if [ "$mode" = dockerfile ] || { [ "$mode" = auto ] && timeout 20 docker pull -q debian:bookworm-slim >/dev/null 2>&1; }; then
  echo "building $image from sandbox/Dockerfile"
  docker build -t "$image" -f Dockerfile .
  exit 0
fi

apt_mirror() {
  # The Debian mirror this machine's apt already uses, so the build reaches only what apt reaches.
  local uri
  uri=$(grep -hE '^URIs:' /etc/apt/sources.list.d/*.sources 2>/dev/null | awk '{print $2}' | grep -v security | head -1 || true)
  [ -n "$uri" ] || uri=$(grep -hE '^deb ' /etc/apt/sources.list 2>/dev/null | awk '{print $2}' | grep -v security | head -1 || true)
  echo "$uri"
}
mirror="${DEBIAN_MIRROR:-$(apt_mirror)}"
[ -n "$mirror" ] || { echo "No Debian mirror found in apt's sources: set DEBIAN_MIRROR." >&2; exit 1; }
if ! command -v debootstrap >/dev/null; then
  echo "installing debootstrap"
  apt-get install -y -qq debootstrap >/dev/null || { apt-get update -qq && apt-get install -y -qq debootstrap >/dev/null; }
fi

rootfs=$(mktemp -d /tmp/sandbox-rootfs.XXXXXX)
trap 'rm -rf "$rootfs"' EXIT
echo "debootstrap bookworm (python3, pytest, nodejs) into $rootfs"
debootstrap --variant=minbase --include=python3,python3-pytest,nodejs bookworm "$rootfs" "$mirror" >"$rootfs.log" 2>&1 \
  || { tail -30 "$rootfs.log" >&2; exit 1; }
rm -f "$rootfs.log"
chroot "$rootfs" useradd --uid 10001 --user-group --no-create-home --home-dir /work --shell /usr/sbin/nologin sandbox
mkdir -p "$rootfs/work"
# Nothing in the image may gain privileges (no-new-privileges also stops this; belt and braces).
find "$rootfs" -xdev -perm /6000 -type f -exec chmod ug-s {} +
rm -rf "$rootfs"/var/cache/apt/archives/*.deb "$rootfs"/var/lib/apt/lists/* "$rootfs"/usr/share/doc "$rootfs"/usr/share/man
echo "importing $image"
tar -C "$rootfs" -c . | docker import \
  --change 'USER 10001:10001' \
  --change 'WORKDIR /work' \
  --change 'ENV PATH=/usr/local/bin:/usr/bin:/bin LANG=C.UTF-8 PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 HOME=/work' \
  --message "code-preference sandbox (debootstrap bookworm)" - "$image" >/dev/null
echo "sandbox image $image built ($(docker image inspect -f '{{.Id}}' "$image" | cut -c1-19))"
