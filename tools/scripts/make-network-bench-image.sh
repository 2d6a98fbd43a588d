#!/usr/bin/env bash
# The initial RAM disk of `make bench`'s Exo-OS network boots: Exo-OS's own root file system tree (ROOTFS, out/rootfs)
# with what the Linux reference VM's network boot has (tools/bench/linux-reference/network):
#   /bin/net                               the network rows' static program, byte for byte the one Linux runs
#   /network-init                          the script both systems run (here as the console's program)
#   /exo/config/bench_network.conf         init's configuration of the posix boot (init=bench_network.conf)
#   /exo/config/bench_network_native.conf  init's configuration of the exo boot (net_bench, already in ROOTFS)
# A separate image from the POSIX-X one (make-bench-image.sh), so that the boot rows do not change with it.
# Usage: make-network-bench-image.sh ROOTFS NETWORK_SOURCE NETWORK_PROGRAM OUTPUT.cpio
set -euo pipefail
[ $# -eq 4 ] || { echo "usage: $0 ROOTFS NETWORK_SOURCE NETWORK_PROGRAM OUTPUT.cpio" >&2; exit 2; }
rootfs=$1 source=$2 program=$3 output=$4
[ -d "$rootfs/exo/config" ] || { echo "make-network-bench-image: $rootfs is not a root file system tree: run make initrd first" >&2; exit 1; }
[ ! -e "$rootfs/bin/net" ] || { echo "make-network-bench-image: /bin/net is already in $rootfs" >&2; exit 1; }
tree="$output.tree"
rm -rf "$tree"
cp -a "$rootfs" "$tree"
install -m 755 "$program" "$tree/bin/net"
install -m 755 "$source/network-init" "$tree/network-init"
install -m 644 "$source/bench_network.conf" "$tree/exo/config/bench_network.conf"
install -m 644 "$source/bench_network_native.conf" "$tree/exo/config/bench_network_native.conf"
dotnet out/bin/Exo.ImageTool/Release/net10.0/Exo.ImageTool.dll tree "$output" "$tree"
rm -rf "$tree"
