; Interrupt and exception entry. Every vector has a stub that makes the stack uniform (error code, vector),
; then the common path saves the full register frame and the SSE state (interrupted code may be in the
; middle of using both), and calls the C# dispatcher with a pointer to the frame.
;
; Frame, from low to high addresses (Arch/X64/RegisterFrame.cs):
;   r15 r14 r13 r12 r11 r10 r9 r8 rbp rdi rsi rdx rcx rbx rax vector error rip cs rflags rsp ss
bits 64
%include "KernelEntry.inc"
section .text

extern ExoHandleInterrupt, ExoSaveUserExtendedState, ExoReturnToUserByInterruptReturn

%macro stub_without_error 1
interrupt_stub_%1:
    push 0
    push %1
    jmp interrupt_common
%endmacro

%macro stub_with_error 1
interrupt_stub_%1:
    push %1
    jmp interrupt_common
%endmacro

%assign vector 0
%rep 256
    %if vector == 8 || (vector >= 10 && vector <= 14) || vector == 17 || vector == 21 || vector == 29 || vector == 30
        stub_with_error vector
    %else
        stub_without_error vector
    %endif
    %assign vector vector + 1
%endrep

interrupt_common:
    test qword [rsp + 24], 3        ; interrupted CS
    jnz .from_user
    push_general_registers
    mov rdi, rsp                    ; RegisterFrame*
    sub rsp, 512                    ; FXSAVE area for the kernel code's SSE state; RSP stays 16-byte aligned
    fxsave [rsp]
    cld
    call ExoHandleInterrupt
    fxrstor [rsp]
    add rsp, 512
    pop_general_registers
    add rsp, 16                     ; vector and error code
    iretq

; From ring 3: the kernel's GS base, and the frame lands just below the thread's kernel-entry stack top
; (TSS RSP0), where a system call's frame would be; the program's SIMD state (x87, SSE, AVX) goes to the
; thread's area, as a system call's does. The way back is the one every frame takes to ring 3.
.from_user:
    swapgs
    push_general_registers
    call ExoSaveUserExtendedState
    mov rdi, rsp
    cld
    call ExoHandleInterrupt
    jmp ExoReturnToUserByInterruptReturn

; The stubs' addresses, for building the IDT in C#.
section .rodata
align 8
global ExoInterruptStubTable
ExoInterruptStubTable:
%assign vector 0
%rep 256
    dq interrupt_stub_ %+ vector
    %assign vector vector + 1
%endrep

section .text
; void ExoLoadDescriptorTables(gdtPointer, idtPointer, tssSelector): loads GDT, reloads every segment
; register from it, loads the IDT and the task register.
global ExoLoadDescriptorTables
ExoLoadDescriptorTables:
    lgdt [rdi]
    lidt [rsi]
    mov ax, 0x10
    mov ds, ax
    mov es, ax
    mov ss, ax
    xor eax, eax
    mov fs, ax
    mov gs, ax
    ltr dx
    pop rax                         ; far return to reload CS with the kernel code selector
    push 0x08
    push rax
    retfq

; Returns the IDT stub table's address.
global ExoGetInterruptStubTable
ExoGetInterruptStubTable:
    lea rax, [rel ExoInterruptStubTable]
    ret

; Deliberate faults for the tests: an access to an address that is never mapped.
global ExoTouchAddress
ExoTouchAddress:
    mov rax, [rdi]
    ret
