; syscall.null for make bench: times 10000 null system calls with RDTSC (allowed in ring 3) and exits with the
; cycles per call (under -icount shift=0, instructions), or 0 if that does not fit the 32-bit exit status.
%include "native.inc"
bits 64
section .text
global _start
_start:
    lfence
    rdtsc
    shl rdx, 32
    or rax, rdx
    mov r12, rax
    mov ebx, 10000
.loop:
    system_call SYS_NULL
    dec ebx
    jnz .loop
    lfence
    rdtsc
    shl rdx, 32
    or rax, rdx
    sub rax, r12
    xor edx, edx
    mov ecx, 10000
    div rcx
    mov edi, eax
    shr rax, 32
    jz .fits
    xor edi, edi
.fits:
    system_call SYS_EXIT
    ud2
