; User-mode to user-mode benchmarks (make bench), reported with the bench-report system call in make bench's
; format; the unit is the TSC, which counts instructions under QEMU's -icount. Each row: warm-up, then
; SAMPLES samples of a batch, median and minimum of the per-operation values.
;   ipc.rtt          call + reply with four words in registers, against ipc_echo
;   ipc.rtt_64       64 bytes each way: written into a page shared with the server, call, read back
;   ipc.zero_copy_1M 1 MiB handed over as a memory capability: the server maps it, reads a word per page,
;                    unmaps and closes it
;   proc.spawn       spawn exit0 from the boot image, wait for it, close its handle
%include "native.inc"
bits 64

SAMPLES equ 64
%include "bench.inc"

%macro timed 3                      ; row name label, batch size, operation (a subroutine)
    mov qword [rel sample_index], 0
%%warm:
    mov r14d, %2
%%warm_loop:
    call %3
    dec r14d
    jnz %%warm_loop
%%sample:
    lfence
    rdtsc
    shl rdx, 32
    or rax, rdx
    mov r13, rax
    mov r14d, %2
%%loop:
    call %3
    dec r14d
    jnz %%loop
    lfence
    rdtsc
    shl rdx, 32
    or rax, rdx
    sub rax, r13
    xor edx, edx
    mov ecx, %2
    div rcx
    mov rcx, [rel sample_index]
    lea rdx, [rel samples]
    mov [rdx + rcx * 8], rax
    inc rcx
    mov [rel sample_index], rcx
    cmp rcx, SAMPLES
    jb %%sample
    lea rdi, [rel %1]
    mov esi, %1_length
    mov r8, SAMPLES * %2
    call report
%endmacro

section .text
global _start
_start:
    system_call SYS_ENDPOINT_CREATE
    test rax, rax
    js .failed
    mov rbx, rax
    mov [rel grants], rax
    lea rdi, [rel echo_name]
    mov esi, echo_name_length
    lea rdx, [rel grants]
    mov r10d, 1
    system_call SYS_PROCESS_SPAWN
    test rax, rax
    js .failed
    mov r12, rax
    ; the page shared with the server, for ipc.rtt_64
    mov edi, 4096
    system_call SYS_MEMORY_OBJECT_CREATE
    mov r15, rax
    mov rdi, r15
    xor esi, esi
    mov edx, 1
    system_call SYS_MEMORY_OBJECT_MAP
    mov [rel shared], rax
    mov rdi, rbx
    mov esi, 6
    mov r9, r15
    system_call SYS_IPC_CALL
    test rax, rax
    jnz .failed
    ; the megabyte for ipc.zero_copy_1M
    mov edi, 1 << 20
    system_call SYS_MEMORY_OBJECT_CREATE
    test rax, rax
    js .failed
    mov [rel megabyte], rax

    timed rtt_name, 200, op_rtt
    timed rtt64_name, 200, op_rtt_64
    timed zero_copy_name, 4, op_zero_copy
    timed spawn_name, 1, op_spawn

    mov rdi, rbx                    ; stop the server, then wait for it
    mov esi, 2
    xor r9d, r9d
    system_call SYS_IPC_CALL
    mov rdi, r12
    system_call SYS_PROCESS_WAIT
    exit 0
.failed:
    exit 1

op_rtt:
    mov rdi, rbx
    mov esi, 1
    mov edx, 1
    mov r10d, 2
    mov r8d, 3
    xor r9d, r9d
    system_call SYS_IPC_CALL
    ret

op_rtt_64:
    mov rdi, [rel shared]
%assign q 0
%rep 8
    mov qword [rdi + q * 8], q
%assign q q + 1
%endrep
    mov rdi, rbx
    mov esi, 7
    xor r9d, r9d
    system_call SYS_IPC_CALL
    mov rdi, [rel shared]
    xor eax, eax
%assign q 0
%rep 8
    add rax, [rdi + 64 + q * 8]
%assign q q + 1
%endrep
    mov [rel sink], rax
    ret

op_zero_copy:
    mov rdi, rbx
    mov esi, 8
    mov rdx, 0x30000000
    mov r10d, 1 << 20
    xor r8d, r8d
    mov r9, [rel megabyte]
    system_call SYS_IPC_CALL
    ret

op_spawn:
    lea rdi, [rel exit0_name]
    mov esi, exit0_name_length
    xor edx, edx
    xor r10d, r10d
    system_call SYS_PROCESS_SPAWN
    test rax, rax
    js .done
    push rax
    mov rdi, rax
    system_call SYS_PROCESS_WAIT
    pop rdi
    system_call SYS_HANDLE_CLOSE
.done:
    ret

section .rodata
echo_name: db "ipc_echo"
echo_name_length equ $ - echo_name
exit0_name: db "exit0"
exit0_name_length equ $ - exit0_name
rtt_name: db "ipc.rtt"
rtt_name_length equ $ - rtt_name
rtt64_name: db "ipc.rtt_64"
rtt64_name_length equ $ - rtt64_name
zero_copy_name: db "ipc.zero_copy_1M"
zero_copy_name_length equ $ - zero_copy_name
spawn_name: db "proc.spawn"
spawn_name_length equ $ - spawn_name

section .data
grants: dq 0
shared: dq 0
megabyte: dq 0
sink: dq 0
sample_index: dq 0

