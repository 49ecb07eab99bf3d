#!/usr/bin/env bash
# install-deps.sh installs the Debian packages exogo's build, image and test
# steps need (GRUB for BIOS and UEFI, xorriso and mtools for grub-mkrescue,
# QEMU, OVMF firmware, gdb). The Go toolchain is tools/go's (it fetches the
# release go.mod pins when the machine lacks it).
#
# It asks apt only for what is missing, so running it on a ready machine (as
# `make run` does) costs a few dpkg-query calls and nothing else. It uses sudo
# when not run as root.
#
# Usage: tools/install-deps.sh [--check | --display | --linux-kernel]
#   --check         only report what is missing; exit 1 if anything is.
#   --display       also install QEMU's window (qemu-system-gui).
#   --linux-kernel  also fetch Debian's Linux kernel (the package
#                   linux-image-amd64 depends on) for make bench's race
#                   with Linux, without installing it: its vmlinuz is
#                   unpacked into ~/.cache/exogo/linux and its path printed
#                   on the last line.
set -euo pipefail

packages=(
	qemu-system-x86     # qemu-system-x86_64
	grub-common         # grub-mkrescue
	grub-pc-bin         # BIOS (i386-pc) GRUB modules
	grub-efi-amd64-bin  # UEFI (x86_64-efi) GRUB modules
	xorriso             # grub-mkrescue writes the ISO with it
	mtools              # grub-mkrescue builds the EFI system partition image with mformat/mcopy
	ovmf                # UEFI firmware for QEMU
	gdb                 # make debug
	linux-libc-dev      # Linux's UAPI headers: abi/linuxabi's tests check its numbers against them
)

check_only=false
if [[ "${1:-}" == "--check" ]]; then
	check_only=true
fi
# --display: also QEMU's window (make run QEMU_DISPLAY=gtk or sdl), which
# Debian packages apart from QEMU.
if [[ "${1:-}" == "--display" ]]; then
	packages+=(qemu-system-gui)
fi

repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"

say() { echo "install-deps: $*"; }

# One dpkg-query call for all packages; unknown ones are simply not listed.
installed="$(dpkg-query -W -f='${db:Status-Abbrev} ${Package}\n' "${packages[@]}" 2>/dev/null || true)"
missing=()
for pkg in "${packages[@]}"; do
	if ! grep -qx "ii  *$pkg" <<<"$installed"; then
		missing+=("$pkg")
	fi
done

if ((${#missing[@]} == 0)); then
	say "system packages present"
elif $check_only; then
	say "missing system packages: ${missing[*]}"
else
	say "installing missing system packages: ${missing[*]}"
	sudo_cmd=()
	if [[ "$(id -u)" != 0 ]]; then
		if ! command -v sudo >/dev/null; then
			say "not root and sudo is not installed; run as root: apt-get install ${missing[*]}" >&2
			exit 1
		fi
		sudo_cmd=(sudo)
	fi
	export DEBIAN_FRONTEND=noninteractive
	say "+ ${sudo_cmd[*]} apt-get update"
	"${sudo_cmd[@]}" apt-get update
	say "+ ${sudo_cmd[*]} apt-get install -y --no-install-recommends ${missing[*]}"
	"${sudo_cmd[@]}" apt-get install -y --no-install-recommends "${missing[@]}"
fi

# The Go toolchain is tools/go's business: it runs the release go.mod pins
# and fetches it when the machine lacks it.
if $check_only && ((${#missing[@]} > 0)); then
	exit 1
fi

# --linux-kernel: Debian's kernel image, downloaded and unpacked (never
# installed on this machine): the package the metapackage
# linux-image-amd64 names, e.g. linux-image-6.1.0-57-amd64.
if [[ "${1:-}" == "--linux-kernel" ]]; then
	cache="${XDG_CACHE_HOME:-$HOME/.cache}/exogo/linux"
	mkdir -p "$cache"
	image="$(apt-cache depends linux-image-amd64 2>/dev/null | awk '/Depends: linux-image-/ {print $2; exit}' || true)"
	if [[ -z "$image" ]]; then
		update=(apt-get update)
		if [[ "$(id -u)" != 0 ]]; then update=(sudo apt-get update); fi
		say "+ ${update[*]} (to find linux-image-amd64)"
		"${update[@]}" >/dev/null
		image="$(apt-cache depends linux-image-amd64 2>/dev/null | awk '/Depends: linux-image-/ {print $2; exit}' || true)"
	fi
	if [[ -z "$image" ]]; then
		say "apt knows no linux-image-amd64: is a Debian archive in /etc/apt/sources.list?" >&2
		exit 1
	fi
	vmlinuz="$cache/vmlinuz-${image#linux-image-}"
	if [[ ! -s "$vmlinuz" ]]; then
		say "fetching $image (not installing it) into $cache"
		work="$(mktemp -d)"
		trap 'rm -rf "$work"' EXIT
		chmod 777 "$work" # apt's download user writes there
		(cd "$work" && { apt-get download "$image" >/dev/null 2>&1 || apt-get download "$image"; })
		dpkg-deb --fsys-tarfile "$work"/*.deb | tar -x -C "$work" --wildcards './boot/vmlinuz-*'
		cp "$work"/boot/vmlinuz-* "$vmlinuz.part"
		mv "$vmlinuz.part" "$vmlinuz"
	fi
	echo "$vmlinuz"
fi
