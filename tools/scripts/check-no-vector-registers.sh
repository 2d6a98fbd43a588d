#!/bin/sh
# The kernel image must not touch YMM or ZMM registers (nor use VEX/EVEX vector instructions, which zero the upper
# halves): user threads' SIMD state is saved with XSAVE on every entry, but the kernel's own is not (an interrupt
# in the kernel saves XMM with FXSAVE, a switch between kernel threads saves none). The kernel is compiled for
# x86-64-v2 (IlcInstructionSet in kernel/Exo.Kernel.csproj) and its assembly uses SSE only; this catches a change
# of either. One routine is allowed them: the wide copy to and from user memory (ExoCopyUserWide and its labels,
# Arch/X64/UserAccess.asm), which holds YMM values only with interrupts masked, in a system call.
# Usage: check-no-vector-registers.sh KERNEL.elf
set -eu
found=$(objdump -d --no-show-raw-insn "$1" \
    | awk '/^[0-9a-f]+ <.*>:$/ { wide = ($2 ~ /^<ExoCopyUserWide/) } !wide' \
    | grep -E '%[yz]mm[0-9]|\bv[a-z0-9]+[[:space:]].*%xmm[0-9]|\bvzero(upper|all)\b' | head -5 || true)
if [ -n "$found" ]; then
    echo "$1 uses vector registers beyond SSE (the kernel must not touch YMM/ZMM):" >&2
    echo "$found" >&2
    exit 1
fi
