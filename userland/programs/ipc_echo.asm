; The Fusion Ring test server: serves calls on the endpoint it was granted (its first handle) until told to
; stop. Commands (word 0), replies in words 0-3 (and a handle):
;   1 echo:       reply (w1 + 1, w2 + 1, w3 + 1, the caller's badge)
;   2 exit:       exit(0) without replying (the caller must get "peer gone")
;   3 info:       reply (handle info of the received handle, the received handle value, 0, 0)
;   4 sum:        map the received memory object read-only at 'address' w1, reply the sum of its first w2 qwords
;   5 give:       create a notification and send it back with the reply (moved)
;   6 map shared: map the received memory object writable; reply its address
;   7 shared 64:  in the shared page: copy the 64-byte request at +0 to the response at +64, each qword + 1
;   8 take:       map the received memory object read-only at w1, read one qword per page, unmap, close
;                 the handle; reply the sum (a zero-copy hand-over of w2 bytes)
;   other:        reply (-22)
%include "native.inc"
bits 64
section .text
global _start
_start:
    cmp rdi, 1
    jb .no_endpoint
    mov rbx, [rsi]                  ; the endpoint
    xor r15d, r15d                  ; the shared page, once mapped
    mov rdi, rbx
    system_call SYS_IPC_RECEIVE
.serve:
    test rax, rax
    js .receive_failed
    cmp rsi, 1
    je .echo
    cmp rsi, 2
    je .exit
    cmp rsi, 3
    je .info
    cmp rsi, 4
    je .sum
    cmp rsi, 5
    je .give
    cmp rsi, 6
    je .map_shared
    cmp rsi, 7
    je .shared_64
    cmp rsi, 8
    je .take
    mov rsi, -22
    xor r9d, r9d
    jmp .reply

.echo:
    lea rsi, [rdx + 1]
    lea rdx, [r10 + 1]
    lea r10, [r8 + 1]
    mov r8, rdi
    xor r9d, r9d
.reply:
    mov rdi, rbx
    system_call SYS_IPC_REPLY_RECEIVE
    jmp .serve

.exit:
    exit 0

.info:
    mov r12, r9
    mov rdi, r9
    system_call SYS_HANDLE_INFO
    mov rsi, rax
    mov rdx, r12
    xor r9d, r9d
    jmp .reply

.sum:
    mov r12, rdx                    ; address to map at
    mov r13, r10                    ; qwords to add
    mov r14, r9
    mov rdi, r9
    mov rsi, rdx
    xor edx, edx                    ; read-only
    system_call SYS_MEMORY_OBJECT_MAP
    test rax, rax
    js .sum_failed
    xor esi, esi
    xor ecx, ecx
.sum_loop:
    add rsi, [rax + rcx * 8]
    inc rcx
    cmp rcx, r13
    jb .sum_loop
    push rsi
    mov rdi, r14
    system_call SYS_HANDLE_CLOSE
    pop rsi
    xor r9d, r9d
    jmp .reply
.sum_failed:
    mov rsi, rax
    xor r9d, r9d
    jmp .reply

.give:
    system_call SYS_NOTIFICATION_CREATE
    mov r9, rax
    bts r9, 32                      ; MOVE_HANDLE: move it, the server keeps nothing
    xor esi, esi
    jmp .reply

.map_shared:
    mov rdi, r9
    xor esi, esi
    mov edx, 1
    system_call SYS_MEMORY_OBJECT_MAP
    mov r15, rax
    mov rsi, rax
    xor r9d, r9d
    jmp .reply

.shared_64:
%assign q 0
%rep 8
    mov rax, [r15 + q * 8]
    inc rax
    mov [r15 + 64 + q * 8], rax
%assign q q + 1
%endrep
    xor esi, esi
    xor r9d, r9d
    jmp .reply

.take:
    mov r12, rdx                    ; address
    mov r13, r10                    ; length
    mov r14, r9
    mov rdi, r9
    mov rsi, rdx
    xor edx, edx
    system_call SYS_MEMORY_OBJECT_MAP
    test rax, rax
    js .sum_failed
    xor esi, esi
    xor ecx, ecx
.take_loop:
    add rsi, [rax + rcx]
    add rcx, 4096
    cmp rcx, r13
    jb .take_loop
    push rsi
    mov rdi, r12
    mov rsi, r13
    system_call SYS_MEMORY_UNMAP
    mov rdi, r14
    system_call SYS_HANDLE_CLOSE
    pop rsi
    xor r9d, r9d
    jmp .reply

.receive_failed:
    exit 3
.no_endpoint:
    exit 2
