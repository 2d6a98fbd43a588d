; Waits on a notification nobody signals: blocked in the kernel until killed (the kill test's target).
; Exits 1 if the wait ever returns (it must not: a kill ends the program, it does not return an error to it).
%include "native.inc"
bits 64
section .text
global _start
_start:
    system_call SYS_NOTIFICATION_CREATE
    mov rdi, rax
    system_call SYS_NOTIFICATION_WAIT
    exit 1
