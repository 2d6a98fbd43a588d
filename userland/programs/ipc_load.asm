; The IPC load test: one ipc_echo server, four ipc_load_client processes calling it at once (1000000 calls
; in all, on every processor there is), then the server is stopped. Exits 0 if every client checked every
; reply and exited 0, else 10 + the first failing client's index (its status is logged).
%include "native.inc"
bits 64
CLIENTS equ 4
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
    xor r13d, r13d
.spawn:
    lea rdi, [rel client_name]
    mov esi, client_name_length
    lea rdx, [rel grants]
    mov r10d, 1
    system_call SYS_PROCESS_SPAWN
    test rax, rax
    js .failed
    lea rcx, [rel clients]
    mov [rcx + r13 * 8], rax
    inc r13d
    cmp r13d, CLIENTS
    jb .spawn
    xor r13d, r13d
.wait:
    lea rcx, [rel clients]
    mov rdi, [rcx + r13 * 8]
    system_call SYS_PROCESS_WAIT
    test rax, rax
    jz .client_ok
    mov rdi, rax
    system_call SYS_DEBUG_LOG
    lea edi, [r13 + 10]
    system_call SYS_EXIT
.client_ok:
    inc r13d
    cmp r13d, CLIENTS
    jb .wait
    mov rdi, rbx                    ; stop the server
    mov esi, 2
    xor r9d, r9d
    system_call SYS_IPC_CALL
    mov rdi, r12
    system_call SYS_PROCESS_WAIT
    test rax, rax
    jnz .failed
    write_string passed, passed_length
    exit 0
.failed:
    exit 1

section .rodata
echo_name: db "ipc_echo"
echo_name_length equ $ - echo_name
client_name: db "ipc_load_client"
client_name_length equ $ - client_name
passed: db "ipc_load: 1000000 calls from 4 processes, every reply checked", 10
passed_length equ $ - passed

section .data
grants: dq 0
clients: times CLIENTS dq 0
