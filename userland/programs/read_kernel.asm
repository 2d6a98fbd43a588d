; Isolation: reads the kernel image (a supervisor page). Must be ended by a page fault; never exits itself.
%include "native.inc"
bits 64
section .text
global _start
_start:
    mov rax, 0xFFFFFFFF80100000
    mov rax, [rax]
    exit 0
