; Isolation: writes through a null pointer (nothing is mapped below 64 KiB). Must be ended by a page fault.
%include "native.inc"
bits 64
section .text
global _start
_start:
    xor eax, eax
    mov qword [rax], 1
    exit 0
