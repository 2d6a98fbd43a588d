#!/usr/bin/env bash
# The initial RAM disk of `make bench`'s Exo-OS dynamic boot: Exo-OS's own root file system tree (ROOTFS, out/rootfs)
# with what the Linux reference VM's dynamic boot has (tools/bench/linux-reference/build.sh, dynamic/):
#   the Debian packages' tree (DYNAMIC_TREE: bash, python3.11-minimal, hackbench, libc6 and their libraries), byte for
#                 byte the files Linux runs; a file the root file system has too (libc6's) is replaced by the tree's
#   /bin/dynamic  the rows' static harness
#   /init         the dynamic boot's script, which the kernel runs with busybox sh on "bench=posix"
# A separate image from the POSIX-X one (make-bench-image.sh), so that the boot rows do not change with it.
# Usage: make-dynamic-bench-image.sh ROOTFS DYNAMIC_TREE PROGRAM INIT OUTPUT.cpio
set -euo pipefail
[ $# -eq 5 ] || { echo "usage: $0 ROOTFS DYNAMIC_TREE PROGRAM INIT OUTPUT.cpio" >&2; exit 2; }
rootfs=$1 dynamic_tree=$2 program=$3 init=$4 output=$5
say() { echo "make-dynamic-bench-image: $*" >&2; }
[ -d "$rootfs/exo/config" ] || { say "$rootfs is not a root file system tree: run make initrd first"; exit 1; }
[ -x "$dynamic_tree/bin/bash" ] || { say "$dynamic_tree has no bin/bash: run tools/bench/linux-reference/build.sh"; exit 1; }
[ ! -e "$rootfs/bin/dynamic" ] || { say "/bin/dynamic is already in $rootfs"; exit 1; }
tree="$output.tree"
rm -rf "$tree"
cp -a "$rootfs" "$tree"
# --remove-destination: a name the root file system has as a symbolic link is replaced, never written through.
cp -a --remove-destination "$dynamic_tree/." "$tree/"
install -m 755 "$program" "$tree/bin/dynamic"
install -m 755 "$init" "$tree/init"
dotnet out/bin/Exo.ImageTool/Release/net10.0/Exo.ImageTool.dll tree "$output" "$tree"
rm -rf "$tree"
