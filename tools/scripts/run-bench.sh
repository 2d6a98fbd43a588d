#!/usr/bin/env bash
# `make bench`: Exo-OS (Release kernel, "bench" on its command line) and the Linux reference VM, booted in
# the same QEMU settings (tools/bench/qemu-settings.env), measured in one run, side by side.
#   --quick   fewer iterations (the form `make test` uses)
#   --storage-only  only the storage boots (the disk.* and file.* rows), while working on them
#   --network-only  only the network boots (the net.* rows), likewise
#   --check   smoke test for `make test`: use the kernel already built, then check the output's format and
#             that every row is present (never timing)
set -euo pipefail
cd "$(dirname "$0")/../.."
quick=""
only=""
check=0
for argument in "$@"; do
  case "$argument" in
    --quick) quick="--quick" ;;
    --check) check=1 ;;
    --storage-only) only="--only storage" ;;
    --network-only) only="--only network" ;;
    *) echo "usage: $0 [--quick] [--storage-only|--network-only] [--check]" >&2; exit 2 ;;
  esac
done

if [ "$check" -eq 0 ]; then
  make --no-print-directory release
  # The images are shared by Debug and Release; the Makefile's stamp says which one they were linked from.
  # A Debug kernel checks every free against its magazine (alloc.small_pair 246 instead of 81).
  [ "$(cat out/link/configuration 2>/dev/null)" = Release ] \
    || { echo "make bench: out/exo.bin is not the Release kernel (out/link/configuration)" >&2; exit 2; }
fi
[ -f out/exo.bin ] || { echo "no kernel image: make build first" >&2; exit 2; }
tools/bench/linux-reference/build.sh out/bench/linux
make --no-print-directory count-plugin
# The posix column's image: Exo-OS's root file system with the reference VM's /init and programs (the same binaries).
tools/scripts/make-bench-image.sh out/rootfs out/bench/linux/bin tools/bench/linux-reference/init \
    tools/bench/linux-reference/profile-boot-to-shell out/bench/exo-initrd.cpio
# The storage boots: their disk (a fresh copy for each boot) and Exo-OS's image with the storage script and program.
tools/bench/make-storage-image.sh out/bench/linux/storage/bin/storage out/bench/storage.img
tools/scripts/make-storage-bench-image.sh out/rootfs tools/bench/linux-reference/storage out/bench/linux/storage/bin/storage \
    out/bench/exo-storage-initrd.cpio
# The dynamic boots: Debian's bash, python3.11 and hackbench, the same files as the Linux VM's dynamic archive.
tools/scripts/make-dynamic-bench-image.sh out/rootfs out/bench/linux/dynamic/tree out/bench/linux/dynamic/bin/dynamic \
    tools/bench/linux-reference/dynamic/dynamic-init out/bench/exo-dynamic-initrd.cpio
# The network boots: Exo-OS's image with the network script, program and init configurations.
tools/scripts/make-network-bench-image.sh out/rootfs tools/bench/linux-reference/network out/bench/linux/network/bin/net \
    out/bench/exo-network-initrd.cpio
dotnet run --project tools/Exo.Bench -c Release -- --exo-kernel out/exo.bin --bench-image out/bench/exo-initrd.cpio \
    --storage-image out/bench/storage.img --storage-bench-image out/bench/exo-storage-initrd.cpio --count-plugin out/bench/exo_count.so \
    --dynamic-bench-image out/bench/exo-dynamic-initrd.cpio --network-bench-image out/bench/exo-network-initrd.cpio \
    --linux-dir out/bench/linux --out out/bench $quick $only

if [ "$check" -eq 1 ]; then
  results=out/bench/results.json
  [ -s "$results" ] || { echo "bench check: $results missing" >&2; exit 1; }
  [ -s out/bench/ratios.png ] || { echo "bench check: out/bench/ratios.png missing" >&2; exit 1; }
  missing=0
  for row in control.user_loop syscall.null syscall.getpid time.clock_gettime alloc.small_pair alloc.batch100 alloc.refill \
             alloc.page ctx.switch sched.pick thread.create_join ipc.rtt ipc.rtt_64 ipc.futex_rtt ipc.futex_rtt_process ipc.ring_msg \
             ipc.zero_copy_1M mem.page_fault proc.spawn proc.fork disk.read_4k disk.write_4k_fsync disk.seq_read_1M \
             file.cached_read_4k file.create_delete net.tcp_rx_mib net.tcp_tx_mib net.tcp_connect_close net.udp_rtt \
             audio.latency_p50 audio.latency_p99 audio.underruns audio.latency_p50_load audio.latency_p99_load \
             audio.underruns_load boot.to_init boot.to_shell; do
    grep -q "\"name\": *\"$row\"" "$results" || { echo "bench check: row $row missing from $results" >&2; missing=1; }
  done
  grep -q '"unit": *"instructions"' "$results" || { echo "bench check: unit is not instructions" >&2; missing=1; }
  # The posix column ran: the reference programs reported through POSIX-X (the control row at least).
  grep -q '"posix": *[0-9]' "$results" || { echo "bench check: no POSIX-X figure in $results" >&2; missing=1; }
  # The storage and dynamic boots ran on both systems: each of their rows has a POSIX-X and a Linux figure.
  for row in disk.read_4k disk.write_4k_fsync disk.seq_read_1M file.cached_read_4k file.create_delete \
             proc.exec_dynamic python.startup hackbench.process_socket hackbench.process_pipe hackbench.thread_socket \
             hackbench.thread_pipe net.tcp_rx_mib net.tcp_tx_mib net.tcp_connect_close net.udp_rtt; do
    for column in posix linux; do
      grep -A5 "\"name\": *\"$row\"" "$results" | grep -q "\"$column\": *[0-9]" \
        || { echo "bench check: $row has no $column figure" >&2; missing=1; }
    done
  done
  # The network boots ran on all three: each net.* row has an Exo-OS (native sockets) figure too.
  for row in net.tcp_rx_mib net.tcp_tx_mib net.tcp_connect_close net.udp_rtt; do
    grep -A5 "\"name\": *\"$row\"" "$results" | grep -q "\"exo\": *[0-9]" \
      || { echo "bench check: $row has no exo figure" >&2; missing=1; }
  done
  # The audio boot ran: each audio.* row has an Exo-OS figure (the service's own; Linux: n/a).
  for row in audio.latency_p50 audio.latency_p99 audio.underruns audio.latency_p50_load audio.latency_p99_load audio.underruns_load; do
    grep -A5 "\"name\": *\"$row\"" "$results" | grep -q "\"exo\": *[0-9]" \
      || { echo "bench check: $row has no exo figure" >&2; missing=1; }
  done
  grep -q '"qemu_version"' "$results" || { echo "bench check: header has no qemu_version" >&2; missing=1; }
  [ "$missing" -eq 0 ] && echo "bench check: every row present, format as specified"
  exit "$missing"
fi
