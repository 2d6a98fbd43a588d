; Demand paging of anonymous memory (SYS_MEMORY_MAP only reserves; the first touch maps a zeroed frame).
; Exits with 0 if every check passed, else with the number of the first check that failed. The kernel test
; also counts the pages faulted in (a handful, not the 8 MiB mapped). The faults that must end a program
; are in demand_write_read_only, demand_outside, demand_after_unmap and demand_execute.
%include "native.inc"
bits 64

MIB equ 1 << 20

%macro unmap 2                      ; address, length -> rax
    mov rdi, %1
    mov rsi, %2
    system_call SYS_MEMORY_UNMAP
%endmacro

%macro check 1                      ; fails with this check's number unless the flags say "equal"
    jne failed_%1
%endmacro

section .text
global _start
_start:
    ; 1: a large range is granted at once (it is only reserved)
    map_memory 0, 8 * MIB, 1
    test rax, rax
    js failed_1
    mov rbx, rax
    ; 2: untouched pages read as zero, at the start, the middle and the last word
    cmp qword [rbx], 0
    check 2
    cmp qword [rbx + 4 * MIB + 24], 0
    check 2
    cmp qword [rbx + 8 * MIB - 8], 0
    check 2
    ; 3: writes persist (each page keeps its own frame)
    mov rax, 0x1122334455667788
    mov [rbx + 8], rax
    mov [rbx + 100 * 4096 + 16], rax
    not rax
    mov [rbx + 8 * MIB - 8], rax
    mov rax, 0x1122334455667788
    cmp [rbx + 8], rax
    check 3
    cmp [rbx + 100 * 4096 + 16], rax
    check 3
    not rax
    cmp [rbx + 8 * MIB - 8], rax
    check 3
    cmp qword [rbx], 0              ; the rest of a touched page is still zero
    check 3
    ; 4: the kernel reads a never-touched page for a system call (a spawn whose name is five zero bytes):
    ; the copy faults the page in, so the answer is "no such program", not "bad address"
    lea rdi, [rbx + 6 * MIB]
    mov esi, 5
    xor edx, edx
    xor r10d, r10d
    system_call SYS_PROCESS_SPAWN
    cmp rax, ERROR_NOT_FOUND
    check 4
    ; 5: a reserved page never touched can be unmapped, and its address mapped again
    lea r12, [rbx + 2 * MIB]
    unmap r12, 4096
    test rax, rax
    check 5
    map_memory r12, 4096, 1
    cmp rax, r12
    check 5
    cmp qword [r12], 0
    check 5
    ; 6: mapping over reserved pages is refused
    map_memory rbx, 4096, 1
    cmp rax, ERROR_OUT_OF_MEMORY
    check 6
    ; 7: the quota counts reservations: 8 + 3 x 16 MiB fit in 64 MiB, one more 16 MiB does not
    map_memory 0, 16 * MIB, 1
    test rax, rax
    js failed_7
    mov r13, rax
    map_memory 0, 16 * MIB, 1
    test rax, rax
    js failed_7
    map_memory 0, 16 * MIB, 0
    test rax, rax
    js failed_7
    map_memory 0, 16 * MIB, 1
    cmp rax, ERROR_OUT_OF_MEMORY
    check 7
    ; 8: unmapping refunds the quota, touched pages and reservations alike
    mov byte [r13 + 5 * 4096], 1
    unmap r13, 16 * MIB
    test rax, rax
    check 8
    map_memory 0, 16 * MIB, 1
    test rax, rax
    js failed_8
    cmp qword [rax + 5 * 4096], 0   ; fresh memory, zero again
    check 8
    exit 0

%assign n 1
%rep 8
failed_ %+ n:
    exit n
%assign n n + 1
%endrep
