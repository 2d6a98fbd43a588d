; Ring 3 <-> ring 0. SYSCALL arrives here with RCX = user RIP, R11 = user RFLAGS, interrupts masked (SFMASK).
; The kernel stack for system calls is the current thread's, taken from its processor's GS block
; (gs:16, set when the thread entered user mode); the user RSP is kept in gs:8 meanwhile.
; System call ABI (native): number in RAX, arguments in RDI RSI RDX R10 R8 R9, result in RAX;
; RCX and R11 are clobbered (by SYSCALL itself), every other register is preserved.
; GS: in ring 3 the GS base is the program's own and the kernel's per-processor block waits in
; IA32_KERNEL_GS_BASE; SWAPGS exchanges them on every crossing (here, in ExoEnterUserMode, and in the interrupt
; entry when the interrupted code was ring 3).
bits 64
section .text

extern ExoSystemCall
global ExoSystemCallEntry
ExoSystemCallEntry:
    swapgs
    mov [gs:8], rsp
    mov rsp, [gs:16]
    push qword [gs:8]               ; user RSP
    push rcx                        ; user RIP
    push r11                        ; user RFLAGS
    push rdi
    push rsi
    push rdx
    push r10
    push r8
    push r9
    push rax                        ; the number; 10 pushes keep RSP 16-byte aligned for the call
    ; The program's SSE state: the C# kernel uses XMM registers freely, so it is saved in the thread's own
    ; area (gs:32). XSAVEOPT writes only state the thread changed since its last restore from that area, and
    ; nothing for state still in its initial configuration (a thread that never used SSE).
    ; Every thread that runs ring-3 code has an area, so there is no null check.
    mov r11, [gs:32]
    mov eax, 3                      ; x87 | SSE
    xor edx, edx
    cmp byte [rel ExoExtendedStateMode], 2
    jne .other_save
    xsaveopt [r11]
.saved:
    mov rdx, [rsp + 32]             ; the third argument again (the save used EDX)
    mov rcx, r10                    ; fourth argument: the SysV register
    mov r9, [rsp]                   ; the number as sixth argument: (a0, a1, a2, a3, a4, number)
    call [gs:40]                    ; the running thread's personality: ExoSystemCall, or the Linux table
    mov [rsp], rax                  ; the result, while EAX/EDX serve the restore
    mov r11, [gs:32]
    mov eax, 3
    xor edx, edx
    cmp byte [rel ExoExtendedStateMode], 0
    je .fxrstor
    xrstor [r11]
.restored:
    pop rax
    pop r9
    pop r8
    pop r10
    pop rdx
    pop rsi
    pop rdi
    pop r11
    pop rcx
    pop rsp
    swapgs
    o64 sysret

.other_save:                        ; processors without XSAVEOPT (out of the common path)
    cmp byte [rel ExoExtendedStateMode], 1
    jne .fxsave
    xsave [r11]
    jmp .saved
.fxsave:
    fxsave [r11]
    jmp .saved
.fxrstor:
    fxrstor [r11]
    jmp .restored

; How user SSE state is saved: 0 FXSAVE, 1 XSAVE, 2 XSAVEOPT (set once by ProcessorSetup).
section .data
global ExoExtendedStateMode
ExoExtendedStateMode: db 0
section .text
global ExoSetExtendedStateMode      ; (byte mode)
ExoSetExtendedStateMode:
    mov [rel ExoExtendedStateMode], dil
    ret

; ulong ExoEnterUserMode(ulong entry, ulong userStack, ulong* kernelStackSave, ulong argument0, ulong argument1):
; saves the callee-saved window and RSP in ExoSwitchStack's layout (ExoReturnFromUserMode resumes it), then IRETQ
; to ring 3 with interrupts enabled, RDI = argument0 and RSI = argument1 (every other register zero).
; Returns the value the program exited with.
global ExoEnterUserMode
ExoEnterUserMode:
    push rbp
    push rbx
    push r12
    push r13
    push r14
    push r15
    mov [rdx], rsp

    push 0x20 | 3                   ; SS: user data
    push rsi                        ; RSP
    push 0x202                      ; RFLAGS: IF
    push 0x28 | 3                   ; CS: user code, 64-bit
    push rdi                        ; RIP
    mov rdi, rcx                    ; the program's two start arguments
    mov rsi, r8
    xor eax, eax
    xor ebx, ebx
    xor ecx, ecx
    xor edx, edx
    xor ebp, ebp
    xor r8d, r8d
    xor r9d, r9d
    xor r10d, r10d
    xor r11d, r11d
    xor r12d, r12d
    xor r13d, r13d
    xor r14d, r14d
    xor r15d, r15d
    ; No kernel data may reach the program through SSE/x87 registers: start them in their reset state.
    fninit
    push 0x1F80
    ldmxcsr [rsp]
    add rsp, 8
    xorps xmm0, xmm0
    xorps xmm1, xmm1
    xorps xmm2, xmm2
    xorps xmm3, xmm3
    xorps xmm4, xmm4
    xorps xmm5, xmm5
    xorps xmm6, xmm6
    xorps xmm7, xmm7
    xorps xmm8, xmm8
    xorps xmm9, xmm9
    xorps xmm10, xmm10
    xorps xmm11, xmm11
    xorps xmm12, xmm12
    xorps xmm13, xmm13
    xorps xmm14, xmm14
    xorps xmm15, xmm15
    swapgs                          ; the program's GS base in, the kernel's block aside
    iretq

; void ExoReturnFromUserMode(ulong savedKernelStack, ulong result): resumes the kernel context saved by
; ExoEnterUserMode, which then returns 'result'. Used by the exit system call and by user faults.
global ExoReturnFromUserMode
extern ExoResumeSavedWindow
ExoReturnFromUserMode:
    mov rax, rsi
    mov rsi, rdi
    jmp ExoResumeSavedWindow

section .text
global ExoGetSystemCallEntry
ExoGetSystemCallEntry:
    lea rax, [rel ExoSystemCallEntry]
    ret

