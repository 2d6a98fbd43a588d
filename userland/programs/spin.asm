; Spins in ring 3 for ever without a system call: only an interrupt can end it (the kill test's target).
%include "native.inc"
bits 64
section .text
global _start
_start:
    jmp _start
