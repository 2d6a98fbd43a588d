; Exo-OS boot stub: from the boot loader's 32-bit protected mode to the C# kernel in 64-bit long mode.
; Entered by a multiboot1 loader (QEMU -kernel, EAX = 0x2BADB002) or a multiboot2 loader (GRUB,
; EAX = 0x36D76289); EBX holds the boot information's physical address in both cases.

bits 32

extern __kernel_physical_start, __load_end_physical, __bss_end_physical
extern __boot_stack_top
extern KernelMain

KERNEL_VIRTUAL_BASE equ 0xFFFFFFFF80000000

; ---------------------------------------------------------------- boot loader headers
section .multiboot
align 4
multiboot1_header:
    MB1_MAGIC equ 0x1BADB002
    MB1_FLAGS equ (1 << 0) | (1 << 1) | (1 << 16)     ; align modules, memory map, a.out kludge addresses
    dd MB1_MAGIC
    dd MB1_FLAGS
    dd -(MB1_MAGIC + MB1_FLAGS)
    dd multiboot1_header                               ; header_addr
    dd __kernel_physical_start                         ; load_addr
    dd __load_end_physical                             ; load_end_addr
    dd __bss_end_physical                              ; bss_end_addr
    dd _start                                          ; entry_addr

align 8
multiboot2_header:
    MB2_MAGIC equ 0xE85250D6
    dd MB2_MAGIC
    dd 0                                               ; i386 protected mode
    dd multiboot2_header_end - multiboot2_header
    dd -(MB2_MAGIC + 0 + (multiboot2_header_end - multiboot2_header))
align 8
    ; framebuffer tag (optional): keep a 1024x768x32 linear framebuffer for the later desktop
    dw 5, 1
    dd 20
    dd 1024, 768, 32
align 8
    ; modules page-aligned
    dw 6, 0
    dd 8
align 8
    dw 0, 0
    dd 8
multiboot2_header_end:

; ---------------------------------------------------------------- 32-bit entry
section .boot.text
global _start
_start:
    cli
    cld
    mov edi, eax                    ; boot magic, first argument of KernelMain
    mov esi, ebx                    ; boot information (physical), second argument
    mov esp, boot_stack_low_top

    ; Long mode is required: CPUID 0x80000001 EDX bit 29.
    mov eax, 0x80000000
    cpuid
    cmp eax, 0x80000001
    jb no_long_mode
    mov eax, 0x80000001
    cpuid
    test edx, 1 << 29
    jz no_long_mode
    mov ebp, edx                    ; keep the extended features: bit 20 is NX

    ; Boot page tables: identity map of the first 4 GiB and the kernel window at -2 GiB, with 2 MiB pages.
    ; The kernel replaces them with its own 4 KiB tables early on.
    mov eax, boot_pdpt_low
    or eax, 0x3
    mov [boot_pml4], eax
    mov eax, boot_pdpt_high
    or eax, 0x3
    mov [boot_pml4 + 511 * 8], eax

    xor ecx, ecx
.fill_pdpt:
    mov eax, ecx
    shl eax, 12
    add eax, boot_page_directories
    or eax, 0x3
    mov [boot_pdpt_low + ecx * 8], eax
    inc ecx
    cmp ecx, 4
    jb .fill_pdpt
    mov eax, boot_page_directories
    or eax, 0x3
    mov [boot_pdpt_high + 510 * 8], eax          ; -2 GiB -> physical 0
    add eax, 4096
    mov [boot_pdpt_high + 511 * 8], eax          ; -1 GiB -> physical 1 GiB

    xor ecx, ecx                                  ; 2048 entries of 2 MiB = 4 GiB
.fill_pd:
    mov eax, ecx
    shl eax, 21
    or eax, 0x83                                  ; present, writable, 2 MiB page
    mov [boot_page_directories + ecx * 8], eax
    mov eax, ecx
    shr eax, 11                                   ; high 32 bits of the physical address
    mov [boot_page_directories + ecx * 8 + 4], eax
    inc ecx
    cmp ecx, 2048
    jb .fill_pd

    ; CR4: PAE, OSFXSR and OSXMMEXCPT (compiled C# uses SSE).
    mov eax, cr4
    or eax, (1 << 5) | (1 << 9) | (1 << 10)
    mov cr4, eax
    mov eax, boot_pml4
    mov cr3, eax

    ; EFER: long mode enable, and no-execute enable when the CPU has it.
    mov ecx, 0xC0000080
    rdmsr
    or eax, 1 << 8
    test ebp, 1 << 20
    jz .no_nx
    or eax, 1 << 11
.no_nx:
    wrmsr

    ; CR0: paging, protection, write-protect in ring 0, monitor coprocessor; clear emulation (SSE needs it).
    mov eax, cr0
    and eax, ~(1 << 2)
    or eax, (1 << 31) | (1 << 16) | (1 << 1) | (1 << 0)
    mov cr0, eax

    lgdt [boot_gdt_pointer]
    jmp 0x08:long_mode_entry

no_long_mode:
    ; Nothing to print to yet that is guaranteed; stop.
    hlt
    jmp no_long_mode

bits 64
long_mode_entry:
    mov ax, 0x10
    mov ds, ax
    mov es, ax
    mov ss, ax
    xor eax, eax
    mov fs, ax
    mov gs, ax
    mov rax, higher_half_entry
    jmp rax

; ---------------------------------------------------------------- boot data (physical addresses)
section .boot.data
align 16
boot_gdt:
    dq 0
    dq 0x00AF9A000000FFFF                         ; 0x08: 64-bit code, ring 0
    dq 0x00CF92000000FFFF                         ; 0x10: data, ring 0
boot_gdt_end:
boot_gdt_pointer:
    dw boot_gdt_end - boot_gdt - 1
    dd boot_gdt

section .boot.bss nobits
alignb 4096
global boot_pml4
boot_pml4:              resb 4096
boot_pdpt_low:          resb 4096
boot_pdpt_high:         resb 4096
boot_page_directories:  resb 4 * 4096
boot_stack_low:         resb 4096
boot_stack_low_top:

; ---------------------------------------------------------------- higher half
section .text
higher_half_entry:
    mov rsp, __boot_stack_top
    xor ebp, ebp
    mov edi, edi                                  ; zero-extend the two 32-bit arguments
    mov esi, esi
    call KernelMain                               ; RSP is 16-byte aligned here, as the ABI wants
.halt:
    cli
    hlt
    jmp .halt
