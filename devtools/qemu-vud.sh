#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
#
# Build QEMU 10.0.2 (x86_64 system emulator, TCG only) with the generic vhost-user device
# (vhost-user-device / vhost-user-device-pci) made user-creatable, so that a guest's own
# virtio_net driver can be bound to a vhost-user backend that serves every virtqueue, the CVQ
# included. Recipe and reasons: doc reference "qemu-generic-vhost-user-device".
#
# The result is cached in <repo>/.cache/qemu-vud/ (git-ignored) and rebuilt only when the
# binary is missing. On success the binary's path is the only line printed on stdout (progress
# goes to stderr). Without network or packages it prints why and exits 77 (meson's "skipped").
#
# Source: Debian's bookworm-backports source package (the orig tarball is upstream 10.0.2
# without firmware blobs; the Debian patches are not needed). Apt is always pinned by suite
# (-t bookworm / -t bookworm-backports): never trixie.
#
# Usage: devtools/qemu-vud.sh [--check]   (--check: print the path if built, else exit 77)
# Environment: QEMU_VUD_DIR overrides the cache folder.
set -euo pipefail

top=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
QEMU_DIR=${QEMU_VUD_DIR:-$top/.cache/qemu-vud}
QEMU_VER=10.0.2
QEMU_DEB_VER=1:10.0.2+ds-2+deb13u1~bpo12+1
ORIG=qemu_${QEMU_VER}+ds.orig.tar.xz
BIN=$QEMU_DIR/build/qemu-system-x86_64
BPO_LIST=/etc/apt/sources.list.d/ctlpath-bookworm-backports.sources
PY=/usr/bin/python3

say() { printf 'qemu-vud: %s\n' "$*" >&2; }
skip() { printf 'qemu-vud: SKIP: %s\n' "$*" >&2; exit 77; }

built() {
	[ -x "$BIN" ] && "$BIN" --version 2>/dev/null | grep -q "version $QEMU_VER" &&
		"$BIN" -device help 2>/dev/null | grep -q '"vhost-user-device-pci"'
}

if built; then
	echo "$BIN"
	exit 0
fi
[ "${1:-}" = --check ] && skip "QEMU $QEMU_VER with vhost-user-device-pci not built yet ($BIN)"

as_root() {
	if [ "$(id -u)" -eq 0 ]; then "$@"; return; fi
	command -v sudo >/dev/null 2>&1 || skip "'$*' needs root (run as root or install sudo)"
	sudo -n "$@"
}

mkdir -p "$QEMU_DIR"
# One builder at a time (several test runs may start together).
exec 9>"$QEMU_DIR/.lock"
flock 9
if built; then
	echo "$BIN"
	exit 0
fi
[ -x "$PY" ] || skip "$PY not found"
command -v apt-get >/dev/null 2>&1 || skip "apt-get not found (Debian 12 host expected)"
grep -qs 'bookworm' /etc/os-release || skip "not a Debian bookworm host"
export DEBIAN_FRONTEND=noninteractive
log=$QEMU_DIR/setup.log
: >"$log"

# 1. bookworm-backports apt sources (binary and source), pinned by suite at every use.
if ! grep -rqs 'bookworm-backports' /etc/apt/sources.list /etc/apt/sources.list.d/; then
	say "adding bookworm-backports (deb, deb-src) in $BPO_LIST"
	as_root tee "$BPO_LIST" >/dev/null <<SRC || skip "cannot write $BPO_LIST"
Types: deb deb-src
URIs: http://deb.debian.org/debian
Suites: bookworm-backports
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
SRC
	as_root apt-get update -q >>"$log" 2>&1 ||
		skip "apt-get update failed (no network?), see $log"
elif ! apt-cache showsrc -q qemu 2>/dev/null | grep -q "$QEMU_VER"; then
	as_root apt-get update -q >>"$log" 2>&1 ||
		skip "apt-get update failed (no network?), see $log"
fi

# 2. Source: only the orig tarball is needed (the .dsc/.debian.tar.xz may be gone: 404).
cd "$QEMU_DIR"
if [ ! -f "$ORIG" ]; then
	say "downloading the QEMU $QEMU_VER source (about 39 MB)"
	apt-get source -q --download-only -t bookworm-backports "qemu=$QEMU_DEB_VER" \
		>>"$log" 2>&1 || true
	[ -f "$ORIG" ] || skip "could not download $ORIG from bookworm-backports, see $log"
fi
if [ ! -d qemu-$QEMU_VER ]; then
	rm -rf qemu-$QEMU_VER.tmp && mkdir qemu-$QEMU_VER.tmp
	tar xJf "$ORIG" -C qemu-$QEMU_VER.tmp || skip "cannot unpack $ORIG"
	mv qemu-$QEMU_VER.tmp/qemu-$QEMU_VER . && rmdir qemu-$QEMU_VER.tmp
fi
# The one change: the generic vhost-user device becomes user-creatable.
for f in hw/virtio/vhost-user-device.c hw/virtio/vhost-user-device-pci.c; do
	sed -i 's/^    dc->user_creatable = false;$/    dc->user_creatable = true;/' "qemu-$QEMU_VER/$f"
	grep -q '^    dc->user_creatable = true;$' "qemu-$QEMU_VER/$f" ||
		{ say "error: the user_creatable line was not found in $f"; exit 1; }
done

# 3. Build dependencies from bookworm; meson >= 1.5 and pycotap from backports, unpacked
#    locally only (the system meson 1.0.1 stays: the project's builds use it).
need=()
for p in libglib2.0-dev libpixman-1-dev ninja-build; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' ||
		need+=("$p")
done
if [ ${#need[@]} -gt 0 ]; then
	say "installing from bookworm: ${need[*]}"
	as_root apt-get install -y -q --no-install-recommends -t bookworm "${need[@]}" \
		>>"$log" 2>&1 || skip "apt-get install ${need[*]} failed, see $log"
fi
pydeps=$QEMU_DIR/pydeps/usr/lib/python3/dist-packages
if [ ! -d "$pydeps/mesonbuild" ] || [ ! -f "$pydeps/pycotap/__init__.py" ]; then
	say "fetching meson and pycotap from bookworm-backports (unpacked in $QEMU_DIR/pydeps)"
	rm -rf debs && mkdir debs
	(cd debs && apt-get download -q -t bookworm-backports meson python3-pycotap) \
		>>"$log" 2>&1 || skip "apt-get download meson python3-pycotap failed, see $log"
	for f in debs/*.deb; do dpkg -x "$f" pydeps; done
	[ -d "$pydeps/mesonbuild" ] || skip "no mesonbuild in the meson package"
fi
export PYTHONPATH=$pydeps

# 4. Configure (twice: the +ds tarball has no edk2 blobs, and a present bzip2 makes
#    pc-bios/meson.build want them; the second meson run hides bzip2 with a native file).
printf "[binaries]\nbzip2 = 'no-such-bzip2-program'\n" >"$QEMU_DIR/no-edk2.ini"
if [ ! -f build/build.ninja ]; then
	say "configuring (about 30 s)"
	rm -rf build && mkdir build && cd build
	nice ../qemu-$QEMU_VER/configure --python=$PY --prefix="$QEMU_DIR/prefix" \
		--target-list=x86_64-softmmu --without-default-features \
		--enable-tcg --enable-vhost-user --enable-vhost-net --enable-vhost-kernel \
		--disable-docs --disable-werror --disable-download --disable-debug-info \
		--disable-qom-cast-debug --disable-install-blobs --disable-pixman \
		--firmwarepath=/usr/share/qemu:/usr/share/seabios >>"$log" 2>&1 || true
	if [ ! -f build.ninja ]; then
		[ -f meson-logs/meson-log.txt ] && [ -x pyvenv/bin/meson ] ||
			{ say "error: QEMU configure failed, see $log"; exit 1; }
		opts=$(sed -n 's/^Build Options: //p' meson-logs/meson-log.txt | tail -1)
		rm -rf meson-private meson-info meson-logs
		eval NINJA=ninja nice pyvenv/bin/meson setup "$opts" \
			--native-file="$QEMU_DIR/no-edk2.ini" "$QEMU_DIR/build" \
			"$QEMU_DIR/qemu-$QEMU_VER" >>"$log" 2>&1 ||
			{ say "error: QEMU meson setup failed, see $log"; exit 1; }
	fi
	cd "$QEMU_DIR"
fi

# 5. Build only the emulator (about 2.5 min with 2 cores).
say "building qemu-system-x86_64 (about 3 minutes, log $log)"
(cd build && nice -n 10 ninja -j2 qemu-system-x86_64) >>"$log" 2>&1 ||
	{ say "error: QEMU build failed, see $log"; exit 1; }
built || { say "error: $BIN built but has no vhost-user-device-pci"; exit 1; }
say "built $BIN"
echo "$BIN"
