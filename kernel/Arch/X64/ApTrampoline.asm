; Start-up code for the application processors. The boot CPU copies the bytes between ExoApTrampolineStart
; and ExoApTrampolineEnd to physical TRAMPOLINE_BASE (below 1 MiB, page-aligned: the SIPI vector is its page
; number), fills the data words at the end, maps that page at the same virtual address in the kernel's page
; tables, and sends INIT-SIPI-SIPI. The AP goes real mode -> protected mode -> long mode with the kernel's
; page tables, then calls ExoApMain(index) on its own kernel stack.
; Claim handshake: the boot CPU writes the parameters, then the APIC id of the processor they are for into
; data_claim. The AP's first act is to swap its own APIC id there for CLAIMED; when that fails (the boot CPU
; gave up on it and swapped in ABANDONED, or has moved on to the next processor) it halts in real mode, before
; reading a parameter or touching paging. So a processor that starts late under a loaded emulator can never run
; with the next processor's index and stack, nor fault on a trampoline page that is no longer mapped.
; The code runs at TRAMPOLINE_BASE, not where it is linked: every address is TRAMPOLINE_BASE + offset.
TRAMPOLINE_BASE equ 0x8000
CLAIMED   equ 0xFFFFFFFF            ; the values of data_claim besides an APIC id: kept equal to Smp/Processors.cs
ABANDONED equ 0xFFFFFFFE
%define AT(label) (TRAMPOLINE_BASE + (label - ExoApTrampolineStart))

section .rodata
align 16
global ExoApTrampolineStart, ExoApTrampolineEnd, ExoApTrampolineData

bits 16
ExoApTrampolineStart:
    cli
    cld
    xor ax, ax
    mov ds, ax
    mov es, ax
    mov ss, ax
    mov eax, 1
    cpuid
    shr ebx, 24                         ; this processor's initial APIC id
    mov eax, ebx
    mov ecx, CLAIMED
    lock cmpxchg [AT(data_claim)], ecx
    jne .not_ours
    lgdt [AT(trampoline_gdt_pointer)]
    mov eax, cr0
    or eax, 1
    mov cr0, eax
    jmp dword 0x08:AT(protected_mode)
.not_ours:                              ; started too late: the boot CPU no longer expects this processor
    cli
    hlt
    jmp .not_ours

bits 32
protected_mode:
    mov ax, 0x10
    mov ds, ax
    mov es, ax
    mov ss, ax
    mov eax, cr4
    or eax, (1 << 5) | (1 << 7) | (1 << 9) | (1 << 10)   ; PAE, global pages, OSFXSR, OSXMMEXCPT
    mov cr4, eax
    mov eax, [AT(data_cr3)]
    mov cr3, eax
    mov ecx, 0xC0000080
    rdmsr
    or eax, 1 << 8                                       ; long mode
    or eax, [AT(data_efer_extra)]                        ; no-execute, when the boot CPU has it on
    wrmsr
    mov eax, cr0
    and eax, ~(1 << 2)
    or eax, (1 << 31) | (1 << 16) | (1 << 1) | 1
    mov cr0, eax
    jmp 0x18:AT(long_mode)

bits 64
long_mode:
    mov ax, 0x10
    mov ds, ax
    mov es, ax
    mov ss, ax
    mov rsp, [AT(data_stack)]
    mov edi, [AT(data_index)]
    mov rax, [AT(data_entry)]
    xor ebp, ebp
    call rax
.halt:
    cli
    hlt
    jmp .halt

align 8
trampoline_gdt:
    dq 0
    dq 0x00CF9A000000FFFF       ; 0x08: 32-bit code
    dq 0x00CF92000000FFFF       ; 0x10: data
    dq 0x00AF9A000000FFFF       ; 0x18: 64-bit code
trampoline_gdt_pointer:
    dw 4 * 8 - 1
    dd AT(trampoline_gdt)

align 8
ExoApTrampolineData:            ; filled by the boot CPU before each start-up (Smp/Processors.cs)
data_cr3:        dq 0
data_stack:      dq 0
data_entry:      dq 0
data_index:      dq 0
data_efer_extra: dq 0
data_claim:      dd ABANDONED, 0    ; the APIC id of the processor the parameters are for, CLAIMED or ABANDONED
ExoApTrampolineEnd:

section .text
global ExoGetApTrampoline        ; byte* (byte** end, byte** data)
ExoGetApTrampoline:
    lea rax, [rel ExoApTrampolineEnd]
    mov [rdi], rax
    lea rax, [rel ExoApTrampolineData]
    mov [rsi], rax
    lea rax, [rel ExoApTrampolineStart]
    ret

global ExoGetApMainAddress
extern ExoApMain
ExoGetApMainAddress:
    lea rax, [rel ExoApMain]
    ret
