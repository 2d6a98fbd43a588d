; Child of driver_test: handles [I/O ports 0x70-0x71, ready notification, go notification, anything...].
; It enables the ports and reads the CMOS, signals 'ready', then loses the capability. With three handles its
; parent revokes it while it waits for 'go'; with four it closes its own handle; with five it keeps reading
; while its parent revokes it (on another processor when there is one: the revocation must reach that
; processor's TSS at once). Every time the next IN must fault (#GP ends the process); exits 1-6 otherwise.
%include "native.inc"
bits 64

section .text
global _start
_start:
    cmp rdi, 3
    jb .no_handles
    mov rbx, rdi
    mov r12, [rsi]
    mov r13, [rsi + 8]
    mov r14, [rsi + 16]
    mov rdi, r12
    system_call SYS_IO_PORT_ENABLE
    test rax, rax
    jnz .not_enabled
    call read_seconds
    mov rdi, r13
    mov esi, 1
    system_call SYS_NOTIFICATION_SIGNAL
    cmp rbx, 5
    jae .read_until_revoked
    cmp rbx, 4
    jb .wait_for_revoke
    mov rdi, r12
    system_call SYS_HANDLE_CLOSE
    test rax, rax
    jnz .not_closed
    call read_seconds             ; must fault: the capability is closed
    exit 4
.wait_for_revoke:
    mov rdi, r14
    system_call SYS_NOTIFICATION_WAIT
    call read_seconds             ; must fault: the parent revoked the capability
    exit 5
.read_until_revoked:
    mov r15d, 1 << 22             ; a bound, so that a revocation that never arrives is a failure, not a hang
.read_again:
    call read_seconds
    dec r15d
    jnz .read_again
    exit 6
.no_handles:
    exit 1
.not_enabled:
    exit 2
.not_closed:
    exit 3

read_seconds:
    xor eax, eax
    out 0x70, al
    in al, 0x71
    ret
