; Loads GS in ring 3 (its base becomes 0), then makes a system call and exits with 7: the kernel must still find
; its own per-processor block (SWAPGS on entry, not the program's GS).
%include "native.inc"
bits 64
section .text
global _start
_start:
    xor eax, eax
    mov gs, ax
    system_call SYS_NULL
    exit 7
