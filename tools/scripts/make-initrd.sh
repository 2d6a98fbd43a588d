#!/usr/bin/env bash
# Writes the initial RAM disk: a cpio "newc" archive of the given files under their base names, in the
# order given, then the directory /tmp (mode 1777), deterministic (inode numbers from 1, times and owners 0),
# padded to 512 bytes.
# Usage: make-initrd.sh OUTPUT FILE...
set -euo pipefail
out=$1; shift
: > "$out"
pad4() { local size; size=$(stat -c %s "$out"); local pad=$(( (4 - size % 4) % 4 )); head -c "$pad" /dev/zero >> "$out"; }
entry() { # inode mode size name [file]
  printf '070701%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X' \
    "$1" "$2" 0 0 1 0 "$3" 0 0 0 0 $(( ${#4} + 1 )) 0 >> "$out"
  printf '%s\0' "$4" >> "$out"
  pad4
  if [ -n "${5:-}" ]; then cat "$5" >> "$out"; pad4; fi
}
# Two files with one base name would be two entries of one name (the later one silently wins in the root file system).
duplicates=$(for file in "$@"; do basename "$file"; done | sort | uniq -d)
if [ -n "$duplicates" ]; then
  echo "make-initrd.sh: two files with the same name in the boot image: $duplicates" >&2
  exit 1
fi
inode=1
for file in "$@"; do
  entry "$inode" $((0100755)) "$(stat -c %s "$file")" "$(basename "$file")" "$file"
  inode=$((inode + 1))
done
# The directories every Linux program expects in the root file system (POSIX-X fills its tmpfs from this archive).
entry "$inode" $((040000 | 01777)) 0 tmp
entry 0 0 0 'TRAILER!!!'
size=$(stat -c %s "$out")
head -c $(( (512 - size % 512) % 512 )) /dev/zero >> "$out"
