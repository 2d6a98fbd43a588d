; Demand paging: only reserved pages are faulted in. Touches both pages of a two-page mapping, then the
; page just past it (never reserved), which must end the program with a page fault. Exits with 1 if the
; mapping failed, 2 if the access outside did not fault.
%include "native.inc"
bits 64
section .text
global _start
_start:
    map_memory 0, 2 * 4096, 1
    test rax, rax
    js .failed
    mov byte [rax], 1
    mov byte [rax + 4096], 1
    mov byte [rax + 2 * 4096], 1    ; must fault
    exit 2
.failed:
    exit 1
