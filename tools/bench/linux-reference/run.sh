#!/usr/bin/env bash
# Boots the Linux reference VM once by hand (the driver tools/Exo.Bench does the same):
#   tools/bench/linux-reference/run.sh OUTDIR [quick|shell]
# shell: the boot.to_shell boot (busybox's login shell as the first program; stop it with Ctrl-A X).
# Serial output goes to stdout. Settings come from tools/bench/qemu-settings.env.
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
OUT="${1:?usage: $0 OUTDIR [quick|shell]}"
# Plain KEY=VALUE lines; values may contain spaces.
while IFS='=' read -r key value; do
    case "$key" in ''|\#*) continue ;; esac
    declare "$key=$value"
done < "$HERE/../qemu-settings.env"
APPEND="$LINUX_APPEND"
TIMEOUT="$LINUX_TIMEOUT"
if [ "${2:-}" = quick ]; then
    APPEND="$APPEND exo.quick"
    TIMEOUT="$LINUX_TIMEOUT_QUICK"
elif [ "${2:-}" = shell ]; then
    APPEND="$APPEND $LINUX_SHELL_APPEND"
    TIMEOUT="$SHELL_TIMEOUT"
fi
exec timeout --signal=KILL "$TIMEOUT" "$QEMU_BIN" -machine "$QEMU_MACHINE" -cpu "$QEMU_CPU" -m "$QEMU_MEMORY" \
    -smp "$QEMU_SMP" -icount "$QEMU_ICOUNT" $QEMU_EXTRA -display none -monitor none -serial stdio -no-reboot \
    -kernel "$OUT/vmlinuz" -initrd "$OUT/initramfs.cpio.gz" -append "$APPEND" </dev/null
