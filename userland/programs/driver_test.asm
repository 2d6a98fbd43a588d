; A user-mode driver, end to end: started by the kernel with the root resource as its first handle, it makes
; and uses an I/O port range (the CMOS RTC at 0x70-0x71), an interrupt line (the RTC's periodic interrupt,
; IRQ 8, through a notification) and a physical range (the HPET's registers at 0xFED00000), checks that the
; kernel refuses its own ports, lines, RAM and APICs, wrong types and missing rights, and that a revoked or
; closed port capability makes IN fault again (io_revoked). Exits 0 if every check held, else with the number
; of the first that failed (tests must be able to fail).
%include "native.inc"
bits 64

%define RTC_INTERRUPTS 5
%define HPET_BASE 0xFED00000

%macro create 4                     ; handle, kind, base, length -> rax
    mov rdi, %1
    mov esi, %2
    mov rdx, %3
    mov r10, %4
    system_call SYS_RESOURCE_CREATE
%endmacro

%macro cmos_read 1                  ; register -> al
    mov al, %1
    out 0x70, al
    in al, 0x71
%endmacro

%macro cmos_write 2                 ; register, value in a register other than al
    mov al, %1
    out 0x70, al
    mov al, %2
    out 0x71, al
%endmacro

%macro handle_type 3                ; handle, expected type, check number
    mov rdi, %1
    system_call SYS_HANDLE_INFO
    movzx eax, al
    expect rax, %2, %3
%endmacro

%macro spawn_child 2                ; grants label, count -> rax
    lea rdi, [rel child_name]
    mov esi, child_name_length
    lea rdx, [rel %1]
    mov r10d, %2
    system_call SYS_PROCESS_SPAWN
%endmacro

section .text
global _start
_start:
    ; 1-2: the kernel gave us the root resource first (started without it, the first handle is the console)
    test rdi, rdi
    jz .no_root
    mov r12, [rsi]
    mov rdi, r12
    system_call SYS_HANDLE_INFO
    and eax, 0xFF
    cmp eax, TYPE_RESOURCE
    je .has_root
.no_root:
    mov edi, 1
    jmp fail
.has_root:
    handle_type r12, TYPE_RESOURCE, 2

    ; ---- I/O ports ----
    ; 3-10: the kernel's own ports, malformed ranges, unknown kinds and wrong handles are refused
    create r12, RESOURCE_IO_PORTS, 0x3F8, 8     ; COM1, the kernel console
    expect rax, ERROR_ACCESS_DENIED, 3
    create r12, RESOURCE_IO_PORTS, 0x1F, 2      ; ends on the PIC's first port
    expect rax, ERROR_ACCESS_DENIED, 4
    create r12, RESOURCE_IO_PORTS, 0xCFC, 4     ; PCI configuration data
    expect rax, ERROR_ACCESS_DENIED, 5
    create r12, RESOURCE_IO_PORTS, 0xF4, 1      ; QEMU's exit device
    expect rax, ERROR_ACCESS_DENIED, 6
    create r12, RESOURCE_IO_PORTS, 0x70, 0
    expect rax, ERROR_INVALID, 7
    create r12, RESOURCE_IO_PORTS, 0xFFFF, 2
    expect rax, ERROR_INVALID, 8
    create r12, 9, 0x70, 2
    expect rax, ERROR_INVALID, 9
    system_call SYS_NOTIFICATION_CREATE
    expect_nonnegative rax, 10
    mov r15, rax
    create r15, RESOURCE_IO_PORTS, 0x70, 2       ; a notification is no root resource
    expect rax, ERROR_BAD_HANDLE, 10
    ; 11: a root handle without Manage creates nothing
    mov rdi, r12
    mov esi, RIGHT_DUPLICATE
    system_call SYS_HANDLE_DUPLICATE
    expect_nonnegative rax, 11
    create rax, RESOURCE_IO_PORTS, 0x70, 2
    expect rax, ERROR_ACCESS_DENIED, 11
    ; 12-13: the RTC's ports
    create r12, RESOURCE_IO_PORTS, 0x70, 2
    expect_nonnegative rax, 12
    mov r13, rax
    mov [rel grants], rax
    mov [rel close_grants], rax
    mov [rel spin_grants], rax
    handle_type r13, TYPE_IO_PORT_RANGE, 13
    ; 14-15: enabling needs Read and Write on an I/O port range
    mov rdi, r13
    mov esi, RIGHT_READ
    system_call SYS_HANDLE_DUPLICATE
    expect_nonnegative rax, 14
    mov rdi, rax
    system_call SYS_IO_PORT_ENABLE
    expect rax, ERROR_ACCESS_DENIED, 14
    mov rdi, r15
    system_call SYS_IO_PORT_ENABLE
    expect rax, ERROR_BAD_HANDLE, 15
    ; 16-17: enabled, the CMOS answers: seconds (BCD or binary) are below 0x60
    mov rdi, r13
    system_call SYS_IO_PORT_ENABLE
    expect rax, 0, 16
    cmos_read 0x00
    movzx eax, al
    cmp eax, 0x60
    jb .seconds_ok
    mov edi, 17
    jmp fail
.seconds_ok:

    ; ---- interrupts ----
    ; 20-24: the kernel's lines and malformed ones are refused
    create r12, RESOURCE_INTERRUPT, 0, 1          ; the PIT
    expect rax, ERROR_ACCESS_DENIED, 20
    create r12, RESOURCE_INTERRUPT, 4, 1          ; COM1
    expect rax, ERROR_ACCESS_DENIED, 21
    create r12, RESOURCE_INTERRUPT, 2, 1          ; the cascade
    expect rax, ERROR_ACCESS_DENIED, 22
    create r12, RESOURCE_INTERRUPT, 16, 1
    expect rax, ERROR_INVALID, 23
    create r12, RESOURCE_INTERRUPT, 8, 2
    expect rax, ERROR_INVALID, 24
    ; 25-27: the RTC's line, once only
    create r12, RESOURCE_INTERRUPT, 8, 1
    expect_nonnegative rax, 25
    mov r14, rax
    handle_type r14, TYPE_INTERRUPT, 26
    create r12, RESOURCE_INTERRUPT, 8, 1
    expect rax, ERROR_BUSY, 27
    ; 28-31: binding checks its handles and bits
    mov rdi, r14
    mov rsi, r15
    xor edx, edx
    system_call SYS_INTERRUPT_BIND
    expect rax, ERROR_INVALID, 28
    mov rdi, r13
    mov rsi, r15
    mov edx, 4
    system_call SYS_INTERRUPT_BIND
    expect rax, ERROR_BAD_HANDLE, 29
    mov rdi, r15
    system_call SYS_INTERRUPT_ACKNOWLEDGE
    expect rax, ERROR_BAD_HANDLE, 30
    mov rdi, r14
    mov rsi, r15
    mov edx, 4
    system_call SYS_INTERRUPT_BIND
    expect rax, 0, 31
    ; the RTC's periodic interrupt at 64 Hz: rate 10 in register A, PIE in register B, C read to clear
    cmos_read 0x0A
    and al, 0xF0
    or al, 0x0A
    mov bl, al
    cmos_write 0x0A, bl
    cmos_read 0x0C
    cmos_read 0x0B
    mov [rel register_b], al
    or al, 0x40
    mov bl, al
    cmos_write 0x0B, bl
    ; 32-34: each interrupt signals bit 2; the device says it was periodic; the acknowledgement unmasks
    mov ebp, RTC_INTERRUPTS
.next_interrupt:
    mov rdi, r15
    system_call SYS_NOTIFICATION_WAIT
    test rax, 4
    jnz .signalled
    mov edi, 32
    jmp fail
.signalled:
    cmos_read 0x0C
    test al, 0x40
    jnz .periodic
    mov edi, 33
    jmp fail
.periodic:
    mov rdi, r14
    system_call SYS_INTERRUPT_ACKNOWLEDGE
    expect rax, 0, 34
    dec ebp
    jnz .next_interrupt
    ; 35-36: quiet the RTC, give the line back; then it can be taken again
    mov bl, [rel register_b]
    cmos_write 0x0B, bl
    cmos_read 0x0C
    mov rdi, r14
    system_call SYS_HANDLE_CLOSE
    expect rax, 0, 35
    create r12, RESOURCE_INTERRUPT, 8, 1
    expect_nonnegative rax, 36
    mov rdi, rax
    system_call SYS_HANDLE_CLOSE

    ; ---- physical ranges ----
    ; 40-45: RAM, the APICs and malformed ranges are refused
    create r12, RESOURCE_PHYSICAL, 0x100000, 0x1000      ; RAM
    expect rax, ERROR_ACCESS_DENIED, 40
    create r12, RESOURCE_PHYSICAL, 0xFEE00000, 0x1000    ; the local APIC
    expect rax, ERROR_ACCESS_DENIED, 41
    create r12, RESOURCE_PHYSICAL, 0xFEC00000, 0x1000    ; the I/O APIC
    expect rax, ERROR_ACCESS_DENIED, 42
    create r12, RESOURCE_PHYSICAL, HPET_BASE + 0x10, 0x1000
    expect rax, ERROR_INVALID, 43
    create r12, RESOURCE_PHYSICAL, HPET_BASE, 0
    expect rax, ERROR_INVALID, 44
    mov rcx, 1 << 40
    create r12, RESOURCE_PHYSICAL, HPET_BASE, rcx
    expect rax, ERROR_INVALID, 45
    ; 46-48: the HPET's page; mapping needs a physical range with Map
    create r12, RESOURCE_PHYSICAL, HPET_BASE, 0x1000
    expect_nonnegative rax, 46
    mov r14, rax
    handle_type r14, TYPE_PHYSICAL_RANGE, 46
    mov rdi, r13
    xor esi, esi
    xor edx, edx
    system_call SYS_PHYSICAL_MAP
    expect rax, ERROR_BAD_HANDLE, 47
    mov rdi, r14
    mov esi, RIGHT_READ
    system_call SYS_HANDLE_DUPLICATE
    expect_nonnegative rax, 48
    mov rdi, rax
    xor esi, esi
    xor edx, edx
    system_call SYS_PHYSICAL_MAP
    expect rax, ERROR_ACCESS_DENIED, 48
    ; 49-51: mapped, the HPET's capabilities register reads from ring 3: a vendor id, a period up to 100 ns
    mov rdi, r14
    xor esi, esi
    xor edx, edx
    system_call SYS_PHYSICAL_MAP
    expect_nonnegative rax, 49
    mov ebx, [rax]
    mov ecx, [rax + 4]
    shr ebx, 16
    test ebx, ebx
    jz .bad_vendor
    cmp ebx, 0xFFFF
    jne .vendor_ok
.bad_vendor:
    mov edi, 50
    jmp fail
.vendor_ok:
    test ecx, ecx
    jz .bad_period
    cmp ecx, 100000000
    jbe .period_ok
.bad_period:
    mov edi, 51
    jmp fail
.period_ok:

    ; ---- revocation ----
    ; 60-64: io_revoked gets a copy of the port capability, enables it and reads; we revoke what we gave it;
    ; its next IN faults (#GP, vector 13), while our own capability still works
    system_call SYS_NOTIFICATION_CREATE
    expect_nonnegative rax, 60
    mov [rel grants + 8], rax
    mov [rel close_grants + 8], rax
    mov [rel spin_grants + 8], rax
    mov rbx, rax
    system_call SYS_NOTIFICATION_CREATE
    expect_nonnegative rax, 60
    mov [rel grants + 16], rax
    mov [rel close_grants + 16], rax
    mov [rel close_grants + 24], rax
    mov [rel spin_grants + 16], rax
    mov [rel spin_grants + 24], rax
    mov [rel spin_grants + 32], rax
    spawn_child grants, 3
    expect_nonnegative rax, 61
    mov r14, rax
    mov rdi, rbx
    system_call SYS_NOTIFICATION_WAIT
    expect rax, 1, 62
    mov rdi, r13
    system_call SYS_HANDLE_REVOKE
    expect rax, 0, 63
    mov rdi, [rel grants + 16]
    mov esi, 1
    system_call SYS_NOTIFICATION_SIGNAL
    mov rdi, r14
    system_call SYS_PROCESS_WAIT
    mov rcx, FAULT_STATUS_BASE + 13
    expect rax, rcx, 64
    cmos_read 0x00
    movzx eax, al
    cmp eax, 0x60
    jb .still_ours
    mov edi, 65
    jmp fail
.still_ours:
    ; 66-68: the same child with a fourth handle closes its own copy instead: its next IN faults too, after
    ; it had read once (it signalled)
    spawn_child close_grants, 4
    expect_nonnegative rax, 66
    mov rdi, rax
    system_call SYS_PROCESS_WAIT
    mov rcx, FAULT_STATUS_BASE + 13
    expect rax, rcx, 67
    mov rdi, rbx
    system_call SYS_NOTIFICATION_POLL
    expect rax, 1, 68

    ; 69-71: with a fifth handle it keeps reading while we revoke: its IN faults without a switch
    spawn_child spin_grants, 5
    expect_nonnegative rax, 69
    mov r14, rax
    mov rdi, rbx
    system_call SYS_NOTIFICATION_WAIT
    expect rax, 1, 70
    mov rdi, r13
    system_call SYS_HANDLE_REVOKE
    mov rdi, r14
    system_call SYS_PROCESS_WAIT
    mov rcx, FAULT_STATUS_BASE + 13
    expect rax, rcx, 71
    jmp passed_exit

fail_and_pass_routines

section .rodata
child_name: db "io_revoked"
child_name_length equ $ - child_name
passed: db "driver_test: I/O ports, RTC interrupts, HPET mapping and refusals checked", 10
passed_length equ $ - passed
failed: db "driver_test: a check failed (see the exit status)", 10
failed_length equ $ - failed

section .data
grants: dq 0, 0, 0
close_grants: dq 0, 0, 0, 0
spin_grants: dq 0, 0, 0, 0, 0
register_b: db 0
