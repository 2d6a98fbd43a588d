; The console is a capability: the kernel gave this program one (its last startup handle); a child spawned
; without it cannot print (-13), one given a copy can. So are the test-only calls: this program, started by the
; kernel's test runner, may use the debug log; its children, never granted the diagnostics capability, may not.
; Exits 0, or the number of the first failed check.
%include "native.inc"
bits 64
section .text
global _start
_start:
    ; 1: find the console among the startup handles (RDI = count, RSI = the handles)
    mov rbx, rdi
    mov r12, rsi
    xor r13d, r13d                  ; the console handle
.find:
    test rbx, rbx
    jz .found
    dec rbx
    mov rdi, [r12 + rbx * 8]
    system_call SYS_HANDLE_INFO
    test rax, rax
    js .find
    and eax, 0xFF
    cmp eax, TYPE_CONSOLE
    jne .find
    mov r13, [r12 + rbx * 8]
.found:
    test r13, r13
    jnz .have_console
    mov edi, 1
    jmp fail
.have_console:

    ; 4: the kernel's test runner granted this program the diagnostics capability
    mov edi, 0x7e57
    system_call SYS_DEBUG_LOG
    expect rax, 0, 4

    ; 2: without the console, the child's write is refused
    spawn_program probe_name, 0, 0
    expect_nonnegative rax, 2
    mov rdi, rax
    system_call SYS_PROCESS_WAIT
    expect rax, 1, 2

    ; 3: with a copy, it prints
    mov [rel grants], r13
    spawn_program probe_name, grants, 1
    expect_nonnegative rax, 3
    mov rdi, rax
    system_call SYS_PROCESS_WAIT
    expect rax, 0, 3

    jmp passed_exit

fail_and_pass_routines

section .data
grants: dq 0

section .rodata
probe_name: db "console_probe"
probe_name_length equ $ - probe_name
passed: db "console_test: no console capability, no output; a granted one prints", 10
passed_length equ $ - passed
failed: db "console_test: a check failed", 10
failed_length equ $ - failed
