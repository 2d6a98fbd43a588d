#!/usr/bin/env bash
# Soak test: boots the Debug kernel with test=SUITE many times at a given processor count, to catch bugs that
# show once in tens of runs (races between processors). Same QEMU settings as the boot tests
# (tests/Exo.Kernel.BootTests/Boot.cs, tools/Exo.Testing/QemuRunner.cs): q35, 256M, TCG, cpu max, -kernel
# out/exo.bin with out/initrd.cpio, isa-debug-exit.
#
#   tools/scripts/soak.sh SUITE [RUNS] [SMP] [JOBS] [TIMEOUT]      (or: make soak SUITE=... RUNS=... SMP=... JOBS=...)
#
# A run passes when QEMU exits with status 1 (every test passed) and the serial log ends with
# "EXO-TEST done passed=N failed=0" (docs/serial-protocols.md); it hangs when it is still running after TIMEOUT
# seconds (then every processor's registers are taken from the QEMU monitor, with the kernel function each RIP
# is in, and QEMU is killed); anything else fails (status 3: a test failed, 65: a panic, a missing "done"...).
# The serial log of every failed or hung run is kept as out/soak/SUITE-smpN-RUN.{fail,hang}.log (a hung run's
# log ends with the registers). The image is copied first: a rebuild during a soak does not change it.
# JOBS=2 boots two guests at a time (each vCPU is a host thread: on a busy 2-core host this slows every guest
# and may itself change timings); the default is one.
# Ends with one line: "soak SUITE smp=N: P passed, F failed, H hung (of R)"; exits 0 only if all passed.
set -uo pipefail
cd "$(dirname "$0")/../.."

if [ $# -lt 1 ] || [ -z "$1" ]; then
  echo "usage: tools/scripts/soak.sh SUITE [RUNS=100] [SMP=2] [JOBS=1] [TIMEOUT=seconds]" >&2
  exit 2
fi
suite="$1"
runs="${2:-100}"
smp="${3:-2}"
jobs="${4:-1}"
timeout_seconds="${5:-}"
if [ -z "$timeout_seconds" ]; then
  timeout_seconds=120                       # the boot tests' default (EXO_BOOT_TIMEOUT)
  [ "$suite" = ipc ] && timeout_seconds=360 # the boot tests give the ipc suite three times as long
fi
qemu="${EXO_QEMU:-qemu-system-x86_64}"
for n in "$runs" "$smp" "$jobs" "$timeout_seconds"; do
  [[ "$n" =~ ^[1-9][0-9]*$ ]] || { echo "soak: RUNS, SMP, JOBS and TIMEOUT must be positive integers" >&2; exit 2; }
done
for f in out/exo.bin out/exo.elf out/initrd.cpio; do
  [ -f "$f" ] || { echo "soak: $f is missing; build the kernel first: make build" >&2; exit 2; }
done

mkdir -p out/soak
work="$(mktemp -d out/soak/.work.XXXXXX)"
trap 'rm -rf "$work"' EXIT
# The image may be rebuilt while a soak runs: every boot uses this copy.
cp out/exo.bin out/exo.elf out/initrd.cpio "$work/"

# On a hang: every processor's registers from the QEMU monitor, each RIP with the kernel function it is in
# (out/exo.elf's symbols), so the log says whether the processors were idle (halted in IdleLoop) or spinning.
dump_processors() {
  local monitor="$1"
  python3 - "$monitor" <<'PYTHON' > "$work/registers" 2>&1 || echo "(the monitor did not answer)" > "$work/registers"
import socket, sys
s = socket.socket(socket.AF_UNIX)
s.settimeout(5)
s.connect(sys.argv[1])
def until_prompt():
    data = b""
    while not data.endswith(b"(qemu) "):
        chunk = s.recv(65536)
        if not chunk:
            break
        data += chunk
    return data.decode(errors="replace")
until_prompt()
s.sendall(b"info registers -a\n")
answer = until_prompt().replace("\r", "").replace("(qemu) ", "")
print(answer.split("\n", 1)[1].strip() if "\n" in answer else answer)   # without the echoed command
PYTHON
  echo "# processors at the time limit (QEMU monitor: info registers -a)"
  local rip
  for rip in $(grep -o 'RIP=[0-9a-f]*' "$work/registers" | cut -d= -f2); do
    case "$rip" in
      ffff*) echo "#   RIP $rip in $(addr2line -f -e "$work/exo.elf" "0x$rip" 2>/dev/null | head -1)" ;;
      *) echo "#   RIP $rip (ring 3)" ;;
    esac
  done
  cat "$work/registers"
}

# One boot; writes its verdict (pass, fail or hang) and its wall time to $work/RUN.result.
boot_once() {
  local run="$1" log="$work/$1.serial" monitor="$work/$1.monitor" status start verdict pid
  start=$SECONDS
  "$qemu" -machine q35 -accel tcg -cpu max -m 256M -smp "$smp" -display none \
    -monitor "unix:$monitor,server=on,wait=off" -serial stdio -no-reboot \
    -device isa-debug-exit,iobase=0xf4,iosize=0x04 \
    -kernel "$work/exo.bin" -initrd "$work/initrd.cpio" -append "test=$suite" \
    > "$log" 2> "$work/$run.stderr" < /dev/null &
  pid=$!
  verdict=""
  while kill -0 "$pid" 2> /dev/null; do
    if [ $((SECONDS - start)) -ge "$timeout_seconds" ]; then
      verdict=hang
      dump_processors "$monitor" > "$work/$run.hang"
      kill -KILL "$pid" 2> /dev/null
      break
    fi
    sleep 0.2
  done
  wait "$pid" 2> /dev/null
  status=$?
  if [ -z "$verdict" ]; then
    if [ "$status" -eq 1 ] && grep -aEq '^EXO-TEST done passed=[0-9]+ failed=0( |$)' "$log" \
       && ! grep -aEq '^EXO-TEST fail ' "$log"; then
      verdict=pass
    else
      verdict=fail
    fi
  fi
  echo "$verdict $status $((SECONDS - start))" > "$work/$run.result"
  if [ "$verdict" != pass ]; then
    { echo "# soak: suite=$suite smp=$smp run=$run verdict=$verdict qemu-status=$status"
      cat "$log"
      if [ -s "$work/$run.stderr" ]; then echo "# qemu stderr:"; cat "$work/$run.stderr"; fi
      if [ -f "$work/$run.hang" ]; then cat "$work/$run.hang"; fi
    } > "out/soak/$suite-smp$smp-$run.$verdict.log"
  fi
  rm -f "$log" "$monitor" "$work/$run.stderr" "$work/$run.hang"
}

report_run() {
  local run="$1" verdict status seconds
  read -r verdict status seconds < "$work/$run.result"
  case "$verdict" in
    pass) passed=$((passed + 1)) ;;
    fail) failed=$((failed + 1)); kept+=("out/soak/$suite-smp$smp-$run.fail.log") ;;
    hang) hung=$((hung + 1)); kept+=("out/soak/$suite-smp$smp-$run.hang.log") ;;
  esac
  local detail=""
  if [ "$verdict" = fail ]; then
    detail=" (qemu status $status; $(grep -aE '^EXO-TEST fail |^EXO-PANIC ' "out/soak/$suite-smp$smp-$run.fail.log" | head -1 | cut -c1-160))"
  fi
  printf 'run %3d/%d: %s in %s s%s\n' "$run" "$runs" "$verdict" "$seconds" "$detail"
}

passed=0 failed=0 hung=0
kept=()
echo "soak: test=$suite at -smp $smp, $runs runs, $jobs at a time, timeout ${timeout_seconds}s"
run=1
while [ "$run" -le "$runs" ]; do
  batch=()
  for _ in $(seq 1 "$jobs"); do
    [ "$run" -le "$runs" ] || break
    boot_once "$run" &
    batch+=("$run")
    run=$((run + 1))
  done
  wait
  for r in "${batch[@]}"; do report_run "$r"; done
done

for path in "${kept[@]}"; do echo "kept: $path"; done
echo "soak $suite smp=$smp: $passed passed, $failed failed, $hung hung (of $runs)"
[ "$failed" -eq 0 ] && [ "$hung" -eq 0 ]
