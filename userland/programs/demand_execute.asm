; Demand paging: anonymous memory is never executable. Writes a 'ret' into a fresh page and calls it,
; which must end the program with a page fault (instruction fetch from a no-execute page). Exits with 1 if
; the mapping failed, 2 if the call returned.
%include "native.inc"
bits 64
section .text
global _start
_start:
    map_memory 0, 4096, 1
    test rax, rax
    js .failed
    mov byte [rax], 0xC3            ; ret
    call rax                        ; must fault
    exit 2
.failed:
    exit 1
