; Demand paging: a read-only reservation reads as zero, and a write to it must end the program with a page
; fault. Exits with 1 if the read was wrong, 2 if the write did not fault.
%include "native.inc"
bits 64
section .text
global _start
_start:
    map_memory 0, 4096, 0
    test rax, rax
    js .failed_read
    cmp qword [rax + 64], 0         ; the first touch (a read) maps a zeroed page
    jne .failed_read
    mov qword [rax + 64], 1         ; must fault
    exit 2
.failed_read:
    exit 1
