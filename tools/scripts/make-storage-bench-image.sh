#!/usr/bin/env bash
# The initial RAM disk of `make bench`'s Exo-OS storage boot: Exo-OS's own root file system tree (ROOTFS, out/rootfs)
# with what the Linux reference VM's storage boot has (tools/bench/linux-reference/storage):
#   /bin/storage                    the storage rows' static program, byte for byte the one Linux runs
#   /storage-init                   the script both systems run (here as the console's program)
#   /exo/config/bench_storage.conf  init's configuration for that boot (kernel command line init=bench_storage.conf)
# A separate image from the POSIX-X one (make-bench-image.sh), so that the boot rows do not change with it.
# Usage: make-storage-bench-image.sh ROOTFS STORAGE_SOURCE STORAGE_PROGRAM OUTPUT.cpio
set -euo pipefail
[ $# -eq 4 ] || { echo "usage: $0 ROOTFS STORAGE_SOURCE STORAGE_PROGRAM OUTPUT.cpio" >&2; exit 2; }
rootfs=$1 source=$2 program=$3 output=$4
[ -d "$rootfs/exo/config" ] || { echo "make-storage-bench-image: $rootfs is not a root file system tree: run make initrd first" >&2; exit 1; }
[ ! -e "$rootfs/bin/storage" ] || { echo "make-storage-bench-image: /bin/storage is already in $rootfs" >&2; exit 1; }
tree="$output.tree"
rm -rf "$tree"
cp -a "$rootfs" "$tree"
install -m 755 "$program" "$tree/bin/storage"
install -m 755 "$source/storage-init" "$tree/storage-init"
install -m 644 "$source/bench_storage.conf" "$tree/exo/config/bench_storage.conf"
dotnet out/bin/Exo.ImageTool/Release/net10.0/Exo.ImageTool.dll tree "$output" "$tree"
rm -rf "$tree"
