#!/usr/bin/env bash
# Turns a linked kernel's symbols into an assembly file with a sorted table the kernel uses for backtraces
# and for naming types in panic reports. Format (section .exo_symbols):
#   u64 count; then count x { u64 address; u64 name offset }; then the NUL-terminated names.
# Only code and data symbols (text/rodata/data) are kept: their addresses do not move between the two links,
# because the table is placed after .data.
set -euo pipefail
elf="$1"; out="$2"
nm -n --defined-only "$elf" \
  | awk '$2 ~ /^[tTrRdD]$/ && $3 !~ /^(\.|__kernel_symbols|_lsda|\$)/ { print $1, $3 }' \
  | awk 'BEGIN { n = 0 }
         { address[n] = $1; name[n] = $2; n++ }
         END {
           print "section .exo_symbols progbits alloc noexec nowrite align=8"
           print "dq " n
           offset = 0
           for (i = 0; i < n; i++) { printf "dq 0x%s, %d\n", address[i], offset; offset += length(name[i]) + 1 }
           for (i = 0; i < n; i++) { printf "db \"%s\", 0\n", name[i] }
         }' > "$out"
