; Writes one line and exits with what the console write said: 0 if it printed, 1 if it was refused for want
; of the console capability (-13), 2 for anything else; 3 if the test-only debug log answered anything but -13
; (its parent never grants the diagnostics capability). console_test spawns it with and without the console.
%include "native.inc"
bits 64
section .text
global _start
_start:
    mov edi, 0x5eed
    system_call SYS_DEBUG_LOG
    cmp rax, ERROR_ACCESS_DENIED
    je .no_diagnostics
    exit 3
.no_diagnostics:
    write_string line, line_length
    cmp rax, line_length
    je .printed
    cmp rax, ERROR_ACCESS_DENIED
    je .refused
    exit 2
.printed:
    exit 0
.refused:
    exit 1

section .rodata
line: db "console_probe: printed through a console capability its parent granted", 10
line_length equ $ - line
