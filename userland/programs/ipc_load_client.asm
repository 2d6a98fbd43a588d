; One client of the IPC load test: 250000 echo calls on the endpoint it was granted, each reply checked
; (the words come back incremented and the badge is this process's id). Exits 0, or 1 + the number of the
; first wrong reply's kind.
%include "native.inc"
bits 64
CALLS equ 250000
section .text
global _start
_start:
    cmp rdi, 1
    jb .no_endpoint
    mov rbx, [rsi]
    system_call SYS_PROCESS_ID
    mov r12, rax
    mov r13d, CALLS
.next:
    mov rdi, rbx
    mov esi, 1
    mov rdx, r13
    lea r10, [r13 + 7]
    mov r8, r12
    xor r9d, r9d
    system_call SYS_IPC_CALL
    test rax, rax
    jnz .call_failed
    lea rax, [r13 + 1]
    cmp rsi, rax
    jne .wrong_word
    lea rax, [r13 + 8]
    cmp rdx, rax
    jne .wrong_word
    cmp r8, r12
    jne .wrong_badge
    dec r13d
    jnz .next
    exit 0
.call_failed:
    exit 2
.wrong_word:
    exit 3
.wrong_badge:
    exit 4
.no_endpoint:
    exit 5
