; Memory benchmarks (make bench), reported like ipc_bench's rows (bench.inc).
;   mem.page_fault   first touch of anonymous memory, per page: one sample maps a fresh 1 MiB (256 pages,
;                    only reserved), times writing one byte to each page (each write faults, the kernel maps
;                    a zeroed frame), then unmaps; mapping and unmapping are not timed. The Linux reference
;                    (tools/bench/linux-reference/src/mem.c) does the same with mmap, huge pages off.
%include "native.inc"
bits 64

SAMPLES equ 64
WARM_UP equ 3                       ; regions touched before the samples
PAGES equ 256
%include "bench.inc"

section .text
global _start
_start:
    mov ebx, WARM_UP
.warm:
    call touch_region
    dec ebx
    jnz .warm
    xor ebx, ebx
.sample:
    call touch_region
    lea rdx, [rel samples]
    mov [rdx + rbx * 8], rax
    inc rbx
    cmp rbx, SAMPLES
    jb .sample
    lea rdi, [rel page_fault_name]
    mov esi, page_fault_name_length
    mov r8, SAMPLES * PAGES
    call report
    exit 0

; touch_region() -> rax: instructions per first touch (rounded to nearest, as the Linux side)
touch_region:
    map_memory 0, PAGES * 4096, 1
    test rax, rax
    js .failed
    mov r12, rax
    lfence
    rdtsc
    shl rdx, 32
    or rax, rdx
    mov r13, rax
    mov rcx, r12
    lea rsi, [r12 + PAGES * 4096]
.touch:
    mov byte [rcx], 1
    add rcx, 4096
    cmp rcx, rsi
    jb .touch
    lfence
    rdtsc
    shl rdx, 32
    or rax, rdx
    sub rax, r13
    add rax, PAGES / 2
    xor edx, edx
    mov ecx, PAGES
    div rcx
    mov r13, rax
    mov rdi, r12
    mov esi, PAGES * 4096
    system_call SYS_MEMORY_UNMAP
    mov rax, r13
    ret
.failed:
    exit 1

section .rodata
page_fault_name: db "mem.page_fault"
page_fault_name_length equ $ - page_fault_name
