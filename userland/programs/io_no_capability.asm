; IN from the CMOS data port without any I/O port capability: the CPU refuses it (#GP), which ends this
; process with a report. Exits 1 if the read was allowed (the drivers suite expects the fault).
%include "native.inc"
bits 64

section .text
global _start
_start:
    mov dx, 0x71
    in al, dx
    exit 1
