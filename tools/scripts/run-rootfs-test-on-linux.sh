#!/usr/bin/env bash
# Runs one of the root file system's test scripts (userland/rootfs/tests, /usr/share/exo-tests in the image) with the
# same busybox on this machine's Linux, for the differential boot tests (tests/Exo.Kernel.BootTests/BusyboxTests.cs):
# in a private copy of ROOT (out/rootfs) as the root directory, in its own mount, pid and host-name namespaces, with
# the copy bind-mounted on itself (so / is a mount point), a fresh tmpfs on /tmp, a proc on /proc, this machine's null, zero, full, random and urandom devices in /dev, the
# host name "exo", every signal at its default action, and the environment the guest gives it (env -i PATH HOME TERM). Standard input is /dev/null;
# standard output and error both go to standard output, then a last line "status N" with the script's exit status.
# Needs root (or user namespaces: it falls back to unshare --map-root-user).
# --layer DIR lays another tree over ROOT first, as the kernel lays a later boot module over the first (the Debian
# root, out/debian-root: its files replace ROOT's; tests/Exo.Kernel.BootTests/DebianRootTests.cs).
# Usage: run-rootfs-test-on-linux.sh [--layer DIR] ROOT /usr/share/exo-tests/NAME.sh
set -euo pipefail
layers=()
while [ "${1:-}" = --layer ]; do layers+=("$2"); shift 2; done
root=$1 script=$2
[ -x "$root/bin/busybox" ] || { echo "run-rootfs-test-on-linux: no $root/bin/busybox (make build)" >&2; exit 2; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cp -a "$root/." "$work/"
for layer in "${layers[@]}"; do
  [ -d "$layer" ] || { echo "run-rootfs-test-on-linux: no $layer (make build)" >&2; exit 2; }
  cp -a --remove-destination "$layer/." "$work/"
done
as_root=()
[ "$(id -u)" = 0 ] || as_root=(--map-root-user)
# The script is not process 1 of its namespace (process 1 ignores signals it has no handler for): this sh is.
unshare "${as_root[@]}" --mount --pid --fork --uts sh -c '
  set -e
  mount --make-rprivate /
  mount --bind "$1" "$1"   # the root a mount point, as the guest'"'"'s is
  mount -t tmpfs -o mode=1777 tmpfs "$1/tmp"
  mount -t proc proc "$1/proc"
  for device in null zero full random urandom; do
    touch "$1/dev/$device"
    mount --bind "/dev/$device" "$1/dev/$device"
  done
  hostname exo
  set +e
  # Every signal back to its default action: a caller may ignore some (the .NET test host ignores SIGPIPE, and an
  # ignored signal stays ignored across exec), and then "yes | head" never ends. The guest starts from defaults.
  env --default-signal chroot "$1" /usr/bin/env -i PATH=/bin:/sbin:/usr/bin:/usr/sbin HOME=/root TERM=vt100 /bin/sh "$2" < /dev/null 2>&1
  echo "status $?"
' sh "$work" "$script"
