; sse_state N (N = 1 to 9): 200 times, fill XMM0-15 with a pattern (register r holds N x 0x1111111111111100 + r in
; both halves), yield (system call 3) and check every register. Two of them with different N on one processor
; interleave, so each one's state must survive the other's and the kernel's; exit(0) if it did, exit(1) at the
; first wrong register, exit(2) if the argument is not one digit from 1 to 9.
%include "native.inc"
bits 64
section .text
global _start
_start:
    ; RDI = the number of handles, RSI = their array; the command line follows: a 64-bit length, then the bytes.
    lea rsi, [rsi + rdi * 8]
    mov rcx, [rsi]
    cmp rcx, 2
    jb .bad_argument
    movzx eax, byte [rsi + 8 + rcx - 1]   ; the last character
    cmp byte [rsi + 8 + rcx - 2], ' '
    jne .bad_argument
    sub eax, '0'
    cmp eax, 1
    jb .bad_argument
    cmp eax, 9
    ja .bad_argument
    mov r12, 0x1111111111111100
    imul r12, rax
    mov ebx, 200
.loop:
%assign r 0
%rep 16
    lea rax, [r12 + r]
    movq xmm %+ r, rax
    punpcklqdq xmm %+ r, xmm %+ r
%assign r r + 1
%endrep
    system_call SYS_YIELD
%assign r 0
%rep 16
    lea rdx, [r12 + r]
    movq rax, xmm %+ r
    cmp rax, rdx
    jne .fail
    pshufd xmm %+ r, xmm %+ r, 0xEE ; the high half down (SSE2 only: runs on any x86-64)
    movq rax, xmm %+ r
    cmp rax, rdx
    jne .fail
%assign r r + 1
%endrep
    dec ebx
    jnz .loop
    exit 0
.fail:
    exit 1
.bad_argument:
    exit 2
