; Started with no capabilities: every handle it tries is refused, then it reads memory that its parent has
; mapped at that address in its own space (ipc_test's memory object at 0x10000000): a page fault must end it.
; Exits with 1 if any handle worked (which would be a hole).
%include "native.inc"
bits 64
section .text
global _start
_start:
    test rdi, rdi
    jnz .hole                       ; it was granted something
    mov ebx, 1                      ; every slot, generations 1 and 2
.next:
    mov rdi, rbx
    system_call SYS_HANDLE_INFO
    test rax, rax
    jns .hole
    mov rdi, rbx
    mov esi, 1
    system_call SYS_IPC_CALL
    test rax, rax
    jns .hole
    inc ebx
    cmp ebx, 0x2100
    jb .next
    mov rax, 0x10000000
    mov rax, [rax]                  ; not mapped here: the fault ends this process
    exit 2
.hole:
    exit 1
