#!/usr/bin/env bash
# Builds the Linux reference VM for `make bench`:
#   OUTDIR/vmlinuz            Debian 12's own kernel (linux-image-6.1.*-amd64), unmodified
#   OUTDIR/linux-version.txt  its version string
#   OUTDIR/initramfs.cpio.gz  busybox-static + the benchmark programs + /init
#   OUTDIR/initramfs-storage.cpio.gz  the same + the storage boot's script, program and modules (storage/)
#   OUTDIR/initramfs-dynamic.cpio.gz  the same + Debian's bash, python3.11 and hackbench, and the dynamic boot's /init (dynamic/)
#
# Usage: tools/bench/linux-reference/build.sh OUTDIR
#
# Idempotent: every step is skipped when its outputs are newer than its inputs.
# Installs the Debian packages it needs (apt-get update only when an install is needed).
set -euo pipefail

if [ $# -ne 1 ]; then
    echo "usage: $0 OUTDIR" >&2
    exit 2
fi

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
SRC="$HERE/src"
STORAGE="$HERE/storage"
NETWORK="$HERE/network"
mkdir -p "$1"
OUT="$(cd "$1" && pwd)"
CACHE="$OUT/cache"
mkdir -p "$CACHE"

log() { echo "linux-reference: $*" >&2; }

SUDO=""
if [ "$(id -u)" -ne 0 ]; then
    SUDO="sudo"
fi
export DEBIAN_FRONTEND=noninteractive

APT_UPDATED=0
apt_update_once() {
    if [ "$APT_UPDATED" -eq 0 ]; then
        log "apt-get update"
        $SUDO apt-get update -qq
        APT_UPDATED=1
    fi
}

pkg_installed() {
    dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q 'install ok installed'
}

ensure_packages() {
    local missing=() p
    for p in "$@"; do
        pkg_installed "$p" || missing+=("$p")
    done
    if [ ${#missing[@]} -gt 0 ]; then
        apt_update_once
        log "installing ${missing[*]}"
        $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
    fi
}

# ---------------------------------------------------------------- host packages
ensure_packages busybox-static cpio gcc libc6-dev qemu-system-x86 dpkg-dev gzip

BUSYBOX=/bin/busybox
[ -x "$BUSYBOX" ] || BUSYBOX=/usr/bin/busybox
"$BUSYBOX" --list >/dev/null || { echo "linux-reference: cannot run $BUSYBOX" >&2; exit 1; }

# ---------------------------------------------------------------- kernel
# Debian's meta package linux-image-amd64 depends on the current linux-image-6.1.0-N-amd64.
resolve_kernel_pkg() {
    apt-cache depends linux-image-amd64 2>/dev/null \
        | sed -n 's/^ *Depends: \(linux-image-6\.1\.[0-9.]*-[0-9]*-amd64\(-unsigned\)\?\)$/\1/p' \
        | head -n1
}

KPKG="$(resolve_kernel_pkg || true)"
if [ -z "$KPKG" ] && [ ! -s "$OUT/vmlinuz" ]; then
    apt_update_once
    KPKG="$(resolve_kernel_pkg || true)"
fi

if [ -z "$KPKG" ]; then
    # No package lists (offline) but a kernel from an earlier run: keep it.
    log "cannot resolve linux-image-amd64; keeping existing $OUT/vmlinuz"
else
    deb_glob() { compgen -G "$CACHE/${KPKG}_*_amd64.deb" | head -n1 || true; }
    DEB="$(deb_glob)"
    WANT_VER="$(apt-cache policy "$KPKG" 2>/dev/null | sed -n 's/^ *Candidate: //p' | head -n1)"
    if [ -n "$DEB" ] && [ -n "$WANT_VER" ] && [ "$(dpkg-deb -f "$DEB" Version)" != "$WANT_VER" ]; then
        log "cached $(basename "$DEB") is not the candidate $WANT_VER; downloading again"
        rm -f "$DEB"
        DEB=""
    fi
    if [ -z "$DEB" ]; then
        log "downloading $KPKG"
        if ! (cd "$CACHE" && apt-get download -qq "$KPKG" 2>/dev/null); then
            # Stale package lists point at a version the mirror no longer has.
            apt_update_once
            KPKG="$(resolve_kernel_pkg)"
            (cd "$CACHE" && apt-get download -qq "$KPKG")
        fi
        DEB="$(deb_glob)"
    fi
    [ -n "$DEB" ] || { echo "linux-reference: download of $KPKG failed" >&2; exit 1; }

    if [ ! -s "$OUT/vmlinuz" ] || [ "$DEB" -nt "$OUT/vmlinuz" ] || [ ! -s "$OUT/linux-version.txt" ]; then
        log "extracting $(basename "$DEB")"
        rm -rf "$CACHE/kernel"
        dpkg -x "$DEB" "$CACHE/kernel"
        VMLINUZ="$(compgen -G "$CACHE/kernel/boot/vmlinuz-*" | head -n1)"
        CONFIG="$(compgen -G "$CACHE/kernel/boot/config-*" | head -n1)"
        [ -n "$VMLINUZ" ] && [ -n "$CONFIG" ] || { echo "linux-reference: no vmlinuz/config in $DEB" >&2; exit 1; }
        # The initramfs carries no modules: everything the VM needs must be built in.
        for opt in CONFIG_SERIAL_8250 CONFIG_SERIAL_8250_CONSOLE CONFIG_BLK_DEV_INITRD CONFIG_RD_GZIP \
                   CONFIG_DEVTMPFS CONFIG_PROC_FS CONFIG_SYSFS CONFIG_FUTEX CONFIG_ACPI CONFIG_BINFMT_ELF; do
            if ! grep -qx "$opt=y" "$CONFIG"; then
                echo "linux-reference: $opt is not built in to $(basename "$VMLINUZ"); the module-less initramfs cannot work" >&2
                exit 1
            fi
        done
        KREL="${VMLINUZ##*/vmlinuz-}"
        KVER="$(dpkg-deb -f "$DEB" Version)"
        cp "$VMLINUZ" "$OUT/vmlinuz.tmp"
        mv "$OUT/vmlinuz.tmp" "$OUT/vmlinuz"
        cp "$CONFIG" "$OUT/kernel-config"
        echo "Linux $KREL (Debian $KPKG $KVER)" > "$OUT/linux-version.txt"
        rm -rf "$CACHE/kernel"
    fi
    # A boot's modules (virtio_blk and ext4 for the storage boot, virtio_net for the network boot: modules in Debian's
    # kernel): the files its order lists, from the same package, loaded by its script with insmod. Not in the benchmark
    # initramfs: only in that boot's.
    extract_modules() { # ORDER MODULES
        if [ ! -s "$2/order" ] || [ "$DEB" -nt "$2/order" ] || [ "$1" -nt "$2/order" ]; then
            log "extracting the modules of $1 from $(basename "$DEB")"
            rm -rf "$CACHE/kernel" "$2"
            mkdir -p "$2"
            dpkg -x "$DEB" "$CACHE/kernel"
            while read -r module; do
                found="$(find "$CACHE/kernel/lib/modules" -name "$module" -print -quit)"
                [ -n "$found" ] || { echo "linux-reference: $module is not in $DEB" >&2; exit 1; }
                cp "$found" "$2/$module"
            done < "$1"
            cp "$1" "$2/order"
            rm -rf "$CACHE/kernel"
        fi
    }
    extract_modules "$STORAGE/order" "$OUT/storage/modules"
    extract_modules "$NETWORK/order" "$OUT/network/modules"
fi
log "kernel: $(cat "$OUT/linux-version.txt")"

# ---------------------------------------------------------------- benchmark programs
BIN="$OUT/bin"
mkdir -p "$BIN"
CFLAGS=(-O2 -static -Wall -Wextra -Werror -fno-pie -no-pie)
built=0
for c in "$SRC"/*.c; do
    name="$(basename "$c" .c)"
    exe="$BIN/$name"
    if [ ! -x "$exe" ] || [ "$c" -nt "$exe" ] || [ "$SRC/bench.h" -nt "$exe" ] || [ "$HERE/build.sh" -nt "$exe" ]; then
        if [ "$name" = exit0 ]; then
            # The child of proc.spawn: no libc at all, just exit(0).
            gcc -O2 -static -nostdlib -fno-pie -no-pie -Wall -Werror -o "$exe.tmp" "$c"
        else
            gcc "${CFLAGS[@]}" -o "$exe.tmp" "$c" -lpthread
        fi
        mv "$exe.tmp" "$exe"
        built=$((built + 1))
    fi
done
[ "$built" -eq 0 ] || log "compiled $built benchmark program(s)"

# ---------------------------------------------------------------- initramfs
INITRD="$OUT/initramfs.cpio.gz"
need_initrd=0
# The login shell's profile (boot.to_shell): Exo-OS's own /etc/profile with the line that reads the TSC, the same
# file the Exo-OS bench image has (tools/scripts/make-bench-image.sh).
EXO_PROFILE="$HERE/../../../userland/rootfs/etc/profile"
PROFILE_ADDITION="$HERE/profile-boot-to-shell"
if [ ! -s "$INITRD" ] || [ "$HERE/init" -nt "$INITRD" ] || [ "$HERE/build.sh" -nt "$INITRD" ] || [ "$BUSYBOX" -nt "$INITRD" ] \
    || [ "$EXO_PROFILE" -nt "$INITRD" ] || [ "$PROFILE_ADDITION" -nt "$INITRD" ]; then
    need_initrd=1
elif [ -n "$(find "$BIN" -newer "$INITRD" -print -quit)" ]; then
    need_initrd=1
fi

if [ "$need_initrd" -eq 1 ]; then
    ROOT="$OUT/rootfs"
    rm -rf "$ROOT"
    mkdir -p "$ROOT"/{bin,dev,etc,proc,sys,tmp,root}
    cp "$BUSYBOX" "$ROOT/bin/busybox"
    for applet in $("$BUSYBOX" --list); do
        [ "$applet" = busybox ] || ln -sf busybox "$ROOT/bin/$applet"
    done
    for exe in "$BIN"/*; do
        cp "$exe" "$ROOT/bin/$(basename "$exe")"
    done
    cp "$HERE/init" "$ROOT/init"
    chmod 755 "$ROOT/init"
    cat "$EXO_PROFILE" "$PROFILE_ADDITION" > "$ROOT/etc/profile"

    # The kernel opens /dev/console for init before anything is mounted, so the
    # archive needs that node. Creating it with mknod needs root; a tiny newc
    # archive written by hand does not (the kernel accepts concatenated archives).
    newc_entry() { # name mode rdevmajor rdevminor
        local name="$1" namesize=$((${#1} + 1))
        printf '070701%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X' \
            0 "$2" 0 0 1 0 0 0 0 "$3" "$4" "$namesize" 0
        printf '%s\0' "$name"
        # header (110) + name padded to a multiple of 4
        local pad=$(( (4 - (110 + namesize) % 4) % 4 ))
        head -c "$pad" /dev/zero
    }
    {
        (cd "$ROOT" && find . -mindepth 1 | LC_ALL=C sort | cpio -o -H newc --owner=0:0 --quiet)
        newc_entry dev/console $((0020600)) 5 1
        newc_entry 'TRAILER!!!' 0 0 0
    } | gzip -9n > "$INITRD.tmp"
    mv "$INITRD.tmp" "$INITRD"
    log "wrote $INITRD ($(stat -c %s "$INITRD") bytes)"
fi

# ---------------------------------------------------------------- the storage boot
# OUTDIR/storage/bin/storage (the storage rows' program, not in the benchmark initramfs, whose boot rows it would
# change) and OUTDIR/initramfs-storage.cpio.gz: the benchmark initramfs followed by a second archive with /storage-init,
# /bin/storage, the modules and /mnt (the kernel unpacks concatenated archives in order).
STORAGE_BIN="$OUT/storage/bin"
mkdir -p "$STORAGE_BIN"
# compile_boot_program SOURCE EXECUTABLE: a boot's static program, compiled when older than its source or bench.h.
compile_boot_program() {
    if [ ! -x "$2" ] || [ "$1" -nt "$2" ] || [ "$SRC/bench.h" -nt "$2" ] || [ "$HERE/build.sh" -nt "$2" ]; then
        gcc "${CFLAGS[@]}" -o "$2.tmp" "$1"
        mv "$2.tmp" "$2"
        log "compiled $2"
    fi
}
compile_boot_program "$STORAGE/storage.c" "$STORAGE_BIN/storage"
STORAGE_INITRD="$OUT/initramfs-storage.cpio.gz"
if [ -s "$OUT/storage/modules/order" ] && { [ ! -s "$STORAGE_INITRD" ] || [ -n "$(find "$INITRD" "$STORAGE_BIN" "$OUT/storage/modules" \
    "$STORAGE/storage-init" -newer "$STORAGE_INITRD" -print -quit)" ]; }; then
    ROOT="$OUT/storage/rootfs"
    rm -rf "$ROOT"
    mkdir -p "$ROOT"/{bin,mnt,lib/modules}
    cp "$STORAGE_BIN/storage" "$ROOT/bin/storage"
    cp -r "$OUT/storage/modules" "$ROOT/lib/modules/storage"
    install -m 755 "$STORAGE/storage-init" "$ROOT/storage-init"
    {
        cat "$INITRD"
        (cd "$ROOT" && find . -mindepth 1 | LC_ALL=C sort | cpio -o -H newc --owner=0:0 --quiet) | gzip -9n
    } > "$STORAGE_INITRD.tmp"
    mv "$STORAGE_INITRD.tmp" "$STORAGE_INITRD"
    log "wrote $STORAGE_INITRD ($(stat -c %s "$STORAGE_INITRD") bytes)"
fi

# ---------------------------------------------------------------- the network boot
# OUTDIR/network/bin/net (the network rows' program) and OUTDIR/initramfs-network.cpio.gz: the benchmark initramfs
# followed by an archive with /network-init, /bin/net and the virtio_net modules, as the storage boot's.
NETWORK_BIN="$OUT/network/bin"
mkdir -p "$NETWORK_BIN"
compile_boot_program "$NETWORK/net.c" "$NETWORK_BIN/net"
NETWORK_INITRD="$OUT/initramfs-network.cpio.gz"
if [ -s "$OUT/network/modules/order" ] && { [ ! -s "$NETWORK_INITRD" ] || [ -n "$(find "$INITRD" "$NETWORK_BIN" "$OUT/network/modules" \
    "$NETWORK/network-init" -newer "$NETWORK_INITRD" -print -quit)" ]; }; then
    ROOT="$OUT/network/rootfs"
    rm -rf "$ROOT"
    mkdir -p "$ROOT"/{bin,lib/modules}
    cp "$NETWORK_BIN/net" "$ROOT/bin/net"
    cp -r "$OUT/network/modules" "$ROOT/lib/modules/network"
    install -m 755 "$NETWORK/network-init" "$ROOT/network-init"
    {
        cat "$INITRD"
        (cd "$ROOT" && find . -mindepth 1 | LC_ALL=C sort | cpio -o -H newc --owner=0:0 --quiet) | gzip -9n
    } > "$NETWORK_INITRD.tmp"
    mv "$NETWORK_INITRD.tmp" "$NETWORK_INITRD"
    log "wrote $NETWORK_INITRD ($(stat -c %s "$NETWORK_INITRD") bytes)"
fi

# ---------------------------------------------------------------- the dynamic boot
# OUTDIR/dynamic/tree: Debian's packages of dynamic/packages (bash, python3.11-minimal, rt-tests' hackbench, libc6 and
# their libraries), fetched with apt-get download and unpacked as they are, less documentation and glibc's gconv modules
# (as Exo-OS's root file system leaves them out); the same tree goes into Exo-OS's dynamic bench image
# (tools/scripts/make-dynamic-bench-image.sh). OUTDIR/dynamic/bin/dynamic: the rows' static harness.
# OUTDIR/initramfs-dynamic.cpio.gz: the benchmark initramfs followed by an archive with the tree, /bin/dynamic and
# dynamic-init as /init (a later archive's file replaces an earlier one's): its own boot, so that the other rows'
# boot is not made longer by 20 MB of archive.
DYNAMIC="$HERE/dynamic"
DYNAMIC_OUT="$OUT/dynamic"
DEBIAN_CACHE="$CACHE/debian"
mkdir -p "$DYNAMIC_OUT/bin"
"$HERE/../../scripts/fetch-debian-packages.sh" "$DYNAMIC/packages" "$DEBIAN_CACHE"
DYNAMIC_TREE="$DYNAMIC_OUT/tree"
if [ ! -d "$DYNAMIC_TREE" ] || [ "$DEBIAN_CACHE/packages" -nt "$DYNAMIC_TREE" ] || [ "$HERE/build.sh" -nt "$DYNAMIC_TREE" ]; then
    rm -rf "$DYNAMIC_TREE.tmp"
    mkdir -p "$DYNAMIC_TREE.tmp"
    while read -r name _; do
        cp -a --no-preserve=ownership "$DEBIAN_CACHE/unpacked/$name/." "$DYNAMIC_TREE.tmp/"
    done < "$DEBIAN_CACHE/packages"
    rm -rf "$DYNAMIC_TREE.tmp"/usr/share/{doc,man,info,lintian,locale} "$DYNAMIC_TREE.tmp/usr/lib/x86_64-linux-gnu/gconv"
    find "$DYNAMIC_TREE.tmp" -type d -exec chmod 755 {} +
    find "$DYNAMIC_TREE.tmp" -type f -perm /111 -exec chmod 755 {} +
    find "$DYNAMIC_TREE.tmp" -type f ! -perm /111 -exec chmod 644 {} +
    rm -rf "$DYNAMIC_TREE"
    mv "$DYNAMIC_TREE.tmp" "$DYNAMIC_TREE"
    log "unpacked the dynamic boot's packages into $DYNAMIC_TREE"
fi
compile_boot_program "$DYNAMIC/dynamic.c" "$DYNAMIC_OUT/bin/dynamic"
DYNAMIC_INITRD="$OUT/initramfs-dynamic.cpio.gz"
if [ ! -s "$DYNAMIC_INITRD" ] || [ -n "$(find "$INITRD" "$DYNAMIC_TREE" "$DYNAMIC_OUT/bin" "$DYNAMIC/dynamic-init" -newer "$DYNAMIC_INITRD" -print -quit)" ]; then
    ROOT="$DYNAMIC_OUT/rootfs"
    rm -rf "$ROOT"
    cp -a "$DYNAMIC_TREE" "$ROOT"
    mkdir -p "$ROOT/bin"
    cp "$DYNAMIC_OUT/bin/dynamic" "$ROOT/bin/dynamic"
    install -m 755 "$DYNAMIC/dynamic-init" "$ROOT/init"
    {
        cat "$INITRD"
        (cd "$ROOT" && find . -mindepth 1 | LC_ALL=C sort | cpio -o -H newc --owner=0:0 --quiet) | gzip -9n
    } > "$DYNAMIC_INITRD.tmp"
    mv "$DYNAMIC_INITRD.tmp" "$DYNAMIC_INITRD"
    rm -rf "$ROOT"
    log "wrote $DYNAMIC_INITRD ($(stat -c %s "$DYNAMIC_INITRD") bytes)"
fi

log "ready: $OUT/vmlinuz $INITRD"
