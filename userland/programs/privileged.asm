; A privileged instruction in ring 3: CLI must end the program with a general-protection fault (vector 13).
; It never exits by itself.
%include "native.inc"
bits 64
section .text
global _start
_start:
    cli
    hlt
    exit 0
