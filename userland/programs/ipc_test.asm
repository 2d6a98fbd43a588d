; Capabilities and Fusion Ring calls from user mode, end to end, against ipc_echo. Exits 0 if every check
; held, else with the number of the first failed check (tests must be able to fail).
%include "native.inc"
bits 64

%macro echo_call 2                  ; handle, value for w1: call 'echo' with (1, value, value+1, value+2)
    mov rdi, %1
    mov esi, 1
    mov rdx, %2
    lea r10, [rdx + 1]
    lea r8, [rdx + 2]
    xor r9d, r9d
    system_call SYS_IPC_CALL
%endmacro

section .text
global _start
_start:
    ; 1-2: an endpoint, and the server with a copy of it (and nothing else)
    system_call SYS_ENDPOINT_CREATE
    expect_nonnegative rax, 1
    mov rbx, rax
    mov [rel grants], rax
    lea rdi, [rel echo_name]
    mov esi, echo_name_length
    lea rdx, [rel grants]
    mov r10d, 1
    system_call SYS_PROCESS_SPAWN
    expect_nonnegative rax, 2
    mov r12, rax

    ; 3-6: a call and its reply, in registers; the badge is our process id
    echo_call rbx, 10
    expect rax, 0, 3
    expect rsi, 11, 4
    expect rdx, 12, 5
    expect r10, 13, 6
    mov r14, r8
    system_call SYS_PROCESS_ID
    expect r14, rax, 7

    ; 8: a forged handle (right slot, wrong generation) is refused
    mov r14, rbx
    xor r14, 0x2000
    echo_call r14, 1
    expect rax, ERROR_BAD_HANDLE, 8
    ; 9: a handle to another kind of object is refused
    system_call SYS_NOTIFICATION_CREATE
    expect_nonnegative rax, 9
    mov r13, rax
    echo_call r13, 1
    expect rax, ERROR_BAD_HANDLE, 10
    ; 11-12: a duplicate without the write right cannot call
    mov rdi, rbx
    mov esi, RIGHT_READ
    system_call SYS_HANDLE_DUPLICATE
    expect_nonnegative rax, 11
    mov r14, rax
    echo_call r14, 1
    expect rax, ERROR_ACCESS_DENIED, 12
    ; 13-14: a closed handle is refused
    mov rdi, rbx
    mov esi, RIGHT_WRITE | RIGHT_DUPLICATE | RIGHT_REVOKE | RIGHT_GRANT
    system_call SYS_HANDLE_DUPLICATE
    expect_nonnegative rax, 13
    mov r14, rax
    mov rdi, r14
    system_call SYS_HANDLE_CLOSE
    expect rax, 0, 14
    echo_call r14, 1
    expect rax, ERROR_BAD_HANDLE, 15
    ; 16-21: revoking a capability revokes what was derived from it, and only that
    mov rdi, rbx
    mov esi, RIGHT_WRITE | RIGHT_DUPLICATE | RIGHT_REVOKE
    system_call SYS_HANDLE_DUPLICATE
    expect_nonnegative rax, 16
    mov r14, rax                    ; derived once
    mov rdi, r14
    mov esi, RIGHT_WRITE
    system_call SYS_HANDLE_DUPLICATE
    expect_nonnegative rax, 17
    mov r15, rax                    ; derived twice
    echo_call r15, 5
    expect rax, 0, 18
    mov rdi, r14
    system_call SYS_HANDLE_REVOKE
    expect rax, 0, 19
    echo_call r15, 5
    expect rax, ERROR_BAD_HANDLE, 20
    echo_call r14, 5
    expect rax, 0, 21
    ; 22: without the revoke right, no revocation
    mov rdi, r15
    system_call SYS_HANDLE_REVOKE
    expect rax, ERROR_BAD_HANDLE, 22
    mov rdi, rbx
    mov esi, RIGHT_WRITE
    system_call SYS_HANDLE_DUPLICATE
    mov rdi, rax
    system_call SYS_HANDLE_REVOKE
    expect rax, ERROR_ACCESS_DENIED, 23

    ; 24-26: a capability travels with a call (copied): the server sees a notification
    mov rdi, rbx
    mov esi, 3
    xor edx, edx
    xor r10d, r10d
    xor r8d, r8d
    mov r9, r13
    system_call SYS_IPC_CALL
    expect rax, 0, 24
    and esi, 0xFF
    expect rsi, TYPE_NOTIFICATION, 25
    expect_nonnegative rdx, 26
    ; 27: a capability without the grant right cannot be sent
    mov rdi, r13
    mov esi, RIGHT_SIGNAL | RIGHT_WAIT
    system_call SYS_HANDLE_DUPLICATE
    mov r9, rax
    mov rdi, rbx
    mov esi, 3
    system_call SYS_IPC_CALL
    expect rax, ERROR_ACCESS_DENIED, 27
    ; 28-30: a capability travels back with the reply (moved to us)
    mov rdi, rbx
    mov esi, 5
    xor r9d, r9d
    system_call SYS_IPC_CALL
    expect rax, 0, 28
    expect_nonnegative r9, 29
    mov rdi, r9
    system_call SYS_HANDLE_INFO
    and eax, 0xFF
    expect rax, 5, 30

    ; 31-35: zero-copy: 8 KiB in a memory object, handed over as a capability, summed by the server
    mov edi, 8192
    system_call SYS_MEMORY_OBJECT_CREATE
    expect_nonnegative rax, 31
    mov r14, rax
    mov rdi, r14
    xor esi, esi
    mov edx, 1
    system_call SYS_MEMORY_OBJECT_MAP
    expect_nonnegative rax, 32
    mov r15, rax
    mov [rel shared_address], rax
    xor ecx, ecx
.fill:
    lea rax, [rcx + 1]
    mov [r15 + rcx * 8], rax
    inc ecx
    cmp ecx, 1024
    jb .fill
    mov rdi, rbx
    mov esi, 4
    mov rdx, 0x20000000
    mov r10d, 1024
    xor r8d, r8d
    mov r9, r14
    system_call SYS_IPC_CALL
    expect rax, 0, 33
    expect rsi, 1024 * 1025 / 2, 34
    ; a memory object cannot be mapped writable through a read-only handle
    mov rdi, r14
    mov esi, RIGHT_MAP | RIGHT_READ
    system_call SYS_HANDLE_DUPLICATE
    mov rdi, rax
    xor esi, esi
    mov edx, 1
    system_call SYS_MEMORY_OBJECT_MAP
    expect rax, ERROR_ACCESS_DENIED, 35

    ; 36-38: bad arguments get clear errors
    mov rdi, -1
    system_call SYS_IPC_CALL
    expect rax, ERROR_BAD_HANDLE, 36
    xor edi, edi
    system_call SYS_MEMORY_OBJECT_CREATE
    expect rax, ERROR_INVALID, 37
    mov rdi, rbx
    system_call SYS_IPC_RECEIVE     ; the server bound the endpoint: we may not receive on it
    expect rax, ERROR_ACCESS_DENIED, 38

    ; 39: a process with no capabilities reaches nothing, and cannot read our memory
    lea rdi, [rel probe_name]
    mov esi, probe_name_length
    xor edx, edx
    xor r10d, r10d
    system_call SYS_PROCESS_SPAWN
    expect_nonnegative rax, 39
    mov rdi, rax
    system_call SYS_PROCESS_WAIT
    mov rcx, 0x10000000E            ; ended by a page fault (vector 14) after all its refusals
    expect rax, rcx, 40

    ; 41-42: 20000 calls in a row, each reply checked
    mov r14d, 20000
.many:
    echo_call rbx, r14
    expect rax, 0, 41
    lea rcx, [r14 + 1]
    expect rsi, rcx, 42
    dec r14
    jnz .many

    ; 43-45: the server dies mid-conversation: the caller learns it, and later calls too
    mov rdi, rbx
    mov esi, 2
    xor r9d, r9d
    system_call SYS_IPC_CALL
    expect rax, ERROR_PEER_GONE, 43
    echo_call rbx, 1
    expect rax, ERROR_PEER_GONE, 44
    mov rdi, r12
    system_call SYS_PROCESS_WAIT
    expect rax, 0, 45

    jmp passed_exit

fail_and_pass_routines

section .rodata
echo_name: db "ipc_echo"
echo_name_length equ $ - echo_name
probe_name: db "probe_handles"
probe_name_length equ $ - probe_name
passed: db "ipc_test: capabilities and calls checked", 10
passed_length equ $ - passed
failed: db "ipc_test: a check failed (see the exit status)", 10
failed_length equ $ - failed

section .data
grants: dq 0
shared_address: dq 0
