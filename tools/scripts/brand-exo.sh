#!/usr/bin/env bash
# Brands native Exo-OS programs, as FreeBSD's brandelf does: EI_OSABI (byte 7 of the ELF header) = 'E' (0x45),
# which the loader (kernel/Processes/ElfImage.cs) reads to give the program the native personality. Unbranded
# System V and GNU/Linux programs get the Linux personality.
# Usage: brand-exo.sh ELF...
set -euo pipefail
for file in "$@"; do
  [ "$(head -c 4 "$file" | od -An -tx1 | tr -d ' \n')" = "7f454c46" ] || { echo "brand-exo: $file is not ELF" >&2; exit 1; }
  printf 'E' | dd of="$file" bs=1 seek=7 conv=notrunc status=none
done
