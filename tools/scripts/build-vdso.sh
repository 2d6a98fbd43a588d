#!/usr/bin/env bash
# Builds POSIX-X's vDSO (posix_x/Optimization/vdso.c, laid out by vdso.lds) with the host's gcc and ld into OUTPUT,
# then checks what glibc's setup_vdso and dl_vdso_vsym rely on, so that a toolchain that lays it out differently
# fails here and not as a mysterious fault in a Linux program:
#   - an ELF64 shared object whose first PT_LOAD starts at address 0, offset 0 (the image's base is its ELF header)
#   - one PT_LOAD only, read+execute, and a read-only PT_DYNAMIC (the mapping is not writable)
#   - no relocations at all (nothing in it may need writing) and no undefined symbols
#   - DT_HASH, DT_GNU_HASH, DT_SYMTAB, DT_STRTAB, DT_VERSYM, DT_VERDEF
#   - every symbol glibc looks up, defined with version LINUX_2.6
#   - at most MAXIMUM_PAGES pages (Vdso.cs maps that many at most)
# Reproducible: no debug information, no build id, fixed flags; the same sources give the same bytes.
# Usage: build-vdso.sh SOURCE LINKER_SCRIPT OUTPUT
set -euo pipefail
[ $# -eq 3 ] || { echo "usage: $0 SOURCE LINKER_SCRIPT OUTPUT" >&2; exit 2; }
source=$1 script=$2 output=$3
MAXIMUM_PAGES=2
fail() { echo "build-vdso: $output: $*" >&2; rm -f "$output"; exit 1; }
mkdir -p "$(dirname "$output")"
object="$output.o"

gcc -O2 -std=gnu11 -Wall -Wextra -Werror -fPIC -ffreestanding -fno-builtin -fno-stack-protector -fno-common \
    -fno-plt -fno-jump-tables -fvisibility=hidden -mno-sse -mno-mmx -mno-80387 -mcmodel=small \
    -fcf-protection=none -c -o "$object" "$source"
ld -shared -nostdlib -Bsymbolic --no-undefined --hash-style=both --build-id=none --eh-frame-hdr \
    -z noexecstack -z max-page-size=4096 -soname linux-vdso.so.1 -T "$script" -o "$output" "$object"
rm -f "$object"

export LC_ALL=C
header=$(readelf -h "$output")
grep -q 'Class: *ELF64' <<< "$header" || fail "not ELF64"
grep -q 'Type: *DYN' <<< "$header" || fail "not a shared object"
segments=$(readelf -lW "$output")
loads=$(grep -E '^ *LOAD ' <<< "$segments" || true)
[ "$(wc -l <<< "$loads")" -eq 1 ] || fail "wants exactly one PT_LOAD:
$loads"
read -r _ offset virtual _ filesize memsize _ <<< "$loads"
load_flags=$(awk '{ flags = ""; for (i = 7; i < NF; i++) flags = flags $i; print flags }' <<< "$loads")
[ "$((offset))" -eq 0 ] && [ "$((virtual))" -eq 0 ] || fail "the PT_LOAD must start at offset 0, address 0"
[ "$load_flags" = "RE" ] || fail "the PT_LOAD must be R E (nothing writable): $loads"
dynamic=$(grep -E '^ *DYNAMIC ' <<< "$segments") || fail "no PT_DYNAMIC"
[ "$(awk '{ flags = ""; for (i = 7; i < NF; i++) flags = flags $i; print flags }' <<< "$dynamic")" = "R" ] || fail "the PT_DYNAMIC must be read-only: $dynamic"
[ "$((filesize))" -eq "$((memsize))" ] || fail "the PT_LOAD has a zero-filled tail (no .bss allowed)"
size=$(stat -c %s "$output")
[ "$size" -le $((MAXIMUM_PAGES * 4096)) ] || fail "$size bytes: more than $MAXIMUM_PAGES pages"
relocations=$(readelf -rW "$output")
grep -q 'There are no relocations in this file' <<< "$relocations" || fail "has relocations:
$relocations"
dynamic_section=$(readelf -dW "$output")
for tag in HASH GNU_HASH SYMTAB STRTAB VERSYM VERDEF SONAME; do
  grep -qE "\(($tag)\)" <<< "$dynamic_section" || fail "no DT_$tag"
done
symbols=$(readelf --dyn-syms -W "$output")
if grep -E ' UND [^ ]' <<< "$symbols"; then fail "undefined symbols"; fi
for name in __vdso_clock_gettime __vdso_gettimeofday __vdso_time __vdso_getcpu __vdso_clock_getres \
            clock_gettime gettimeofday time getcpu clock_getres; do
  grep -qE " (FUNC) +(GLOBAL|WEAK) +DEFAULT +[0-9]+ $name@@LINUX_2\.6\$" <<< "$symbols" || fail "$name@@LINUX_2.6 is not exported:
$symbols"
done
echo "build-vdso: $output: $size bytes, version LINUX_2.6, no relocations"
