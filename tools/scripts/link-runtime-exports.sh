#!/usr/bin/env bash
# Prints ld options that bind each runtime entry point the objects reference by name (RhpNewFast, ...) to the
# compiled C# method of the same name (..._AllocationHelpers__RhpNewFast): --defsym aliases cost nothing at
# run time. Names with no such method are left alone, so ld reports them as undefined.
set -euo pipefail
undefined=$(nm -u "$@" 2>/dev/null | awk '$1 == "U" { print $2 }' | sort -u)
defined=$(nm --defined-only "$@" 2>/dev/null | awk '$2 ~ /^[tT]$/ { print $3 }' | sort -u)
for name in $undefined; do
  grep -qx -- "$name" <<<"$defined" && continue
  target=$(grep -E -- "__${name}\$" <<<"$defined" | head -n 1 || true)
  [ -n "$target" ] && printf -- '--defsym=%s=%s\n' "$name" "$target"
done
true
