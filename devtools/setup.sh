#!/usr/bin/env bash
# One idempotent set-up step shared by demo.sh and test.sh, for a fresh Debian 12 machine:
# Debian packages, DPDK driver-SDK headers from the Debian source package of the installed
# DPDK, hugepages, and the meson build in build/. A second run with nothing changed is quick.
set -euo pipefail

top=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$top"

say() { printf 'setup: %s\n' "$*"; }
die() { printf 'setup: error: %s\n' "$*" >&2; exit 1; }

PKGS=(dpdk dpdk-dev libdpdk-dev meson ninja-build libnuma-dev python3-pyelftools pkg-config
	gcc clang libclang-rt-14-dev dpkg-dev iproute2 qemu-system-x86 cpio)
SDK_DIR="$top/.sdk"
SRC_LIST=/etc/apt/sources.list.d/ctlpath-deb-src.sources

as_root() {
	if [ "$(id -u)" -eq 0 ]; then "$@"; return; fi
	command -v sudo >/dev/null 2>&1 || die "'$*' needs root: run as root or install sudo"
	sudo "$@"
}

missing_pkgs() {
	local p
	for p in "${PKGS[@]}"; do
		dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' ||
			printf '%s ' "$p"
	done
}

install_packages() {
	local miss
	miss=$(missing_pkgs)
	[ -z "$miss" ] && return 0
	say "installing Debian packages: $miss"
	export DEBIAN_FRONTEND=noninteractive
	as_root apt-get update -q >/dev/null ||
		die "apt-get update failed: check the network and /etc/apt/sources.list.d"
	# shellcheck disable=SC2086
	as_root apt-get install -y -q --no-install-recommends $miss >/dev/null ||
		die "apt-get install failed for: $miss"
}

add_deb_src() {
	grep -rqs '^Types:.*deb-src' /etc/apt/sources.list.d/ /etc/apt/sources.list && return 0
	grep -qs '^deb-src' /etc/apt/sources.list && return 0
	say "adding a deb-src entry for bookworm ($SRC_LIST)"
	as_root tee "$SRC_LIST" >/dev/null <<SRC
Types: deb-src
URIs: http://deb.debian.org/debian
Suites: bookworm bookworm-updates
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg

Types: deb-src
URIs: http://deb.debian.org/debian-security
Suites: bookworm-security
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
SRC
	as_root apt-get update -q >/dev/null || die "apt-get update failed after adding deb-src"
}

# bookworm-backports (the 6.12 guest kernel of the QEMU tests, QEMU 10's source): its packages
# have a low pin priority, so nothing comes from it unless asked for with -t bookworm-backports.
BPO_LIST=/etc/apt/sources.list.d/ctlpath-bookworm-backports.sources
add_backports() {
	grep -rqs 'bookworm-backports' /etc/apt/sources.list.d/ /etc/apt/sources.list && return 0
	say "adding bookworm-backports ($BPO_LIST)"
	as_root tee "$BPO_LIST" >/dev/null <<SRC
Types: deb deb-src
URIs: http://deb.debian.org/debian
Suites: bookworm-backports
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
SRC
	as_root apt-get update -q >/dev/null ||
		say "WARNING: apt-get update failed after adding bookworm-backports: the QEMU tests will skip"
}

# The SDK headers: a DPDK that already installs them, or the Debian source of exactly the
# installed libdpdk-dev version, unpacked into .sdk/ (git-ignored).
fetch_sdk() {
	local inc ver
	inc=$(pkg-config --variable=includedir libdpdk 2>/dev/null)/dpdk
	if [ -f "$inc/ethdev_driver.h" ] && [ -f "$inc/vdpa_driver.h" ] &&
		[ -f "$inc/bus_pci_driver.h" ]; then
		SDK_SRC=""
		return 0
	fi
	ver=$(dpkg-query -W -f='${Version}' libdpdk-dev 2>/dev/null) ||
		die "libdpdk-dev is not installed"
	case "$(pkg-config --modversion libdpdk 2>/dev/null)" in
	22.11*) ;;
	*) die "ctlpath is built against DPDK 22.11 (Debian 12's), found" \
		"'$(pkg-config --modversion libdpdk 2>/dev/null || echo none)': install Debian 12's dpdk-dev" ;;
	esac
	if [ -f "$SDK_DIR/version" ] && [ "$(cat "$SDK_DIR/version")" = "$ver" ] &&
		[ -d "$SDK_DIR/src" ]; then
		SDK_SRC="$SDK_DIR/src"
		return 0
	fi
	add_deb_src
	say "fetching the DPDK $ver source package for the driver-SDK headers"
	rm -rf "$SDK_DIR" && mkdir -p "$SDK_DIR/dl"
	(cd "$SDK_DIR/dl" && apt-get source -q --download-only "dpdk=$ver" >/dev/null 2>&1) ||
		die "apt-get source dpdk=$ver failed: the source of the installed DPDK $ver must be" \
			"in a deb-src suite (bookworm's main, bookworm-updates or -security)"
	(cd "$SDK_DIR/dl" && dpkg-source -q --no-check -x ./*.dsc src >/dev/null 2>&1) ||
		die "unpacking the dpdk source package failed"
	mv "$SDK_DIR/dl/src" "$SDK_DIR/src"
	rm -rf "$SDK_DIR/dl"
	local srcver
	srcver=$(cat "$SDK_DIR/src/VERSION")
	case "$ver" in
	"$srcver"*) ;;
	*) die "DPDK source version $srcver does not match the installed libdpdk-dev $ver" ;;
	esac
	[ -f "$SDK_DIR/src/lib/ethdev/ethdev_driver.h" ] || die "the source package lacks ethdev_driver.h"
	echo "$ver" >"$SDK_DIR/version"
	SDK_SRC="$SDK_DIR/src"
}

hugepages() {
	local want=${CTLPATH_HUGEPAGES:-512} have
	have=$(cat /proc/sys/vm/nr_hugepages 2>/dev/null || echo 0)
	if [ "$have" -lt "$want" ]; then
		if ! echo "$want" | as_root tee /proc/sys/vm/nr_hugepages >/dev/null 2>&1; then
			say "WARNING: could not reserve $want 2 MiB hugepages (have $have):" \
				"run 'echo $want > /proc/sys/vm/nr_hugepages' as root"
		fi
		have=$(cat /proc/sys/vm/nr_hugepages 2>/dev/null || echo 0)
	fi
	if ! grep -qs ' hugetlbfs ' /proc/mounts; then
		as_root mkdir -p /dev/hugepages
		as_root mount -t hugetlbfs nodev /dev/hugepages 2>/dev/null ||
			say "WARNING: could not mount hugetlbfs: run 'mount -t hugetlbfs nodev /dev/hugepages'"
	fi
	[ "$have" -ge 64 ] || say "WARNING: only $have hugepages: tests that need DPDK memory will skip"
}

configure_build() {
	local dir=$1; shift
	if [ ! -f "$dir/build.ninja" ]; then
		say "configuring $dir"
		meson setup "$dir" "$@" >/dev/null || die "meson setup $dir failed (see $dir/meson-logs)"
	fi
	ninja -C "$dir" >/dev/null || { ninja -C "$dir"; die "build in $dir failed"; }
}

main() {
	[ "$(id -u)" -eq 0 ] || command -v sudo >/dev/null 2>&1 ||
		die "set-up needs root (apt-get, hugepages): run as root"
	install_packages
	add_backports
	SDK_SRC=""
	fetch_sdk
	hugepages
	export PYTHON=/usr/bin/python3
	configure_build build -Dsdk_src="$SDK_SRC"
	for b in "$@"; do
		case "$b" in
		asan) configure_build build-asan -Dsdk_src="$SDK_SRC" -Db_sanitize=address,undefined \
			-Db_lundef=false -Dbuildtype=debug ;;
		tsan) CC=clang configure_build build-tsan -Dsdk_src="$SDK_SRC" -Db_sanitize=thread \
			-Db_lundef=false -Dbuildtype=debug -Dtsan_only=true ;;
		fuzz) CC=clang configure_build build-fuzz -Dsdk_src="$SDK_SRC" -Dfuzz=true \
			-Dcomponents=netctrl,idpf -Db_lundef=false -Dbuildtype=debug ;;
		*) die "unknown build '$b'" ;;
		esac
	done
	say "ready: build/ ($(ninja -C build -t targets all 2>/dev/null | grep -c ': ') targets)"
}

if [ "${BASH_SOURCE[0]}" = "$0" ]; then main "$@"; fi
