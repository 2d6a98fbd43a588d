#!/usr/bin/env bash
# The initial RAM disk of `make bench`'s POSIX-X boots: Exo-OS's own root file system tree (ROOTFS, out/rootfs, as
# `make initrd` made it) with the Linux reference VM's benchmark programs added where that VM has them, so that the
# same script runs the same static binaries on both systems:
#   /bin/NAME     every program of LINUX_BIN (tools/bench/linux-reference/build.sh's OUTDIR/bin: syscall, alloc,
#                 sched, ipc, mem, proc, tsc, exit0), byte for byte
#   /init         the reference VM's /init (tools/bench/linux-reference/init), which the kernel runs with busybox sh
#                 on "bench=posix" (KernelBenchmarks.RunPosixAndExit)
#   /etc/profile  Exo-OS's, with the boot.to_shell lines appended (tools/bench/linux-reference/profile-boot-to-shell), as the
#                 reference VM's /etc/profile has them
# A program name that is already in the tree (a busybox applet) is refused rather than shadowed.
# Usage: make-bench-image.sh ROOTFS LINUX_BIN INIT PROFILE_ADDITION OUTPUT.cpio
set -euo pipefail
[ $# -eq 5 ] || { echo "usage: $0 ROOTFS LINUX_BIN INIT PROFILE_ADDITION OUTPUT.cpio" >&2; exit 2; }
rootfs=$1 linux_bin=$2 init=$3 profile_addition=$4 output=$5
say() { echo "make-bench-image: $*" >&2; }
[ -d "$rootfs/bin" ] || { say "$rootfs is not a root file system tree: run make initrd first"; exit 1; }
tree="$output.tree"
rm -rf "$tree"
cp -a "$rootfs" "$tree"
for program in "$linux_bin"/*; do
  name=$(basename "$program")
  if [ -e "$tree/bin/$name" ] || [ -L "$tree/bin/$name" ]; then
    say "/bin/$name is already in $rootfs: the benchmark program would shadow it"
    exit 1
  fi
  install -m 755 "$program" "$tree/bin/$name"
done
install -m 755 "$init" "$tree/init"
cat "$profile_addition" >> "$tree/etc/profile"
dotnet out/bin/Exo.ImageTool/Release/net10.0/Exo.ImageTool.dll tree "$output" "$tree"
rm -rf "$tree"
