; Demand paging: after an unmap the page is gone (its reservation too), so touching it again must end the
; program with a page fault. Exits with 1 if map or unmap failed, 2 if the touch did not fault.
%include "native.inc"
bits 64
section .text
global _start
_start:
    map_memory 0, 4096, 1
    test rax, rax
    js .failed
    mov rbx, rax
    mov byte [rbx], 1               ; faulted in
    mov rdi, rbx
    mov esi, 4096
    system_call SYS_MEMORY_UNMAP
    test rax, rax
    jnz .failed
    mov byte [rbx], 1               ; must fault
    exit 2
.failed:
    exit 1
