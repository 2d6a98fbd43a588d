; Ring 3 <-> ring 0 for system calls, and the ways back to ring 3.
;
; SYSCALL arrives with RCX = user RIP, R11 = user RFLAGS and interrupts masked (SFMASK). The entry switches
; to the running thread's kernel-entry stack (from the processor's GS block), saves the complete register
; frame (RegisterFrame, the same layout an interrupt from ring 3 saves at the same place) and the program's
; SIMD state (x87, SSE, AVX: the XSAVE components XCR0 enables), and calls the handler of the thread's
; personality with the frame: handler(RegisterFrame*) -> RAX. Handlers read any argument from the frame and may change any register a program sees on return.
; Before returning, one exit path looks at the thread's pending-work word (kill, rescheduling, a changed
; frame; later signals): if any is set, ExoReturnToUserWork does it, in a loop, and says how to leave.
; The fast way out is SYSRET, which needs RCX = RIP and R11 = RFLAGS: the frame's RCX and R11 slots hold
; exactly those unless a handler changed the frame, and a handler that does marks pending work, so a changed
; frame always leaves by IRETQ (ExoReturnToUserByInterruptReturn) after being sanitized.
;
; System call ABI (native and Linux): number in RAX, arguments in RDI RSI RDX R10 R8 R9, result in RAX;
; RCX and R11 are clobbered (by SYSCALL itself), every other register, SSE and AVX included, is preserved.
; GS: in ring 3 the GS base is the program's own and the kernel's per-processor block waits in
; IA32_KERNEL_GS_BASE; SWAPGS exchanges them on every crossing.
bits 64
%include "KernelEntry.inc"
section .text

extern ExoReturnToUserWork

; One entry per way of saving the SIMD state (the processor's best, chosen once for LSTAR): no test of the
; mode on the way in or out. The dispatch and exit are the same in each.
%macro system_call_entry 3              ; name, save instruction, restore instruction
global %1
%1:
    swapgs
    mov [gs:GS_USER_STACK_SCRATCH], rsp
    mov rsp, [gs:GS_KERNEL_ENTRY_STACK]
    push USER_DATA_SELECTOR             ; SS
    push qword [gs:GS_USER_STACK_SCRATCH]   ; RSP
    push r11                            ; RFLAGS
    push USER_CODE_SELECTOR             ; CS
    push rcx                            ; RIP
    push rax                            ; the error code's place: the system call number
    push SYSTEM_CALL_VECTOR
    push_general_registers              ; 22 words in all: RSP stays 16-byte aligned for the call
    ; The program's SIMD state goes to the thread's own area (the C# kernel uses XMM registers freely; it is
    ; compiled for x86-64-v2, so it never writes YMM registers: no VEX code).
    ; XSAVEOPT writes only what the thread changed since its last restore from that area.
    mov r11, [gs:GS_EXTENDED_STATE]
    mov eax, -1                         ; every component XCR0 enables (x87, SSE, AVX)
    mov edx, eax
    %2 [r11]
    inc qword [gs:GS_SYSTEM_CALL_COUNT]
    mov rax, [rsp + FRAME_ERROR]
    mov r11, [gs:GS_SYSTEM_CALL_TABLE]
    mov rdi, rsp
    cmp rax, [r11]
    jae %%unknown
    inc qword [r11 + TABLE_COUNTS + rax * 8]
    call [r11 + TABLE_HANDLERS + rax * 8]
%%returned:
    mov [rsp + FRAME_RAX], rax
    mov r11, [gs:GS_PENDING_WORK]
    cmp dword [r11], 0
    jne %%work
%%restore:
    mov r11, [gs:GS_EXTENDED_STATE]
    mov eax, -1
    mov edx, eax
    %3 [r11]
    pop_general_registers               ; RCX and R11 come back as the frame's RIP and RFLAGS
    mov rsp, [rsp + FRAME_RSP - FRAME_VECTOR]
    swapgs
    o64 sysret
%%unknown:
    call [r11 + 8]                      ; a number past the table: the personality's unknown-call handler
    jmp %%returned
%%work:
    mov rdi, rsp
    call ExoReturnToUserWork            ; 0: leave by SYSRET; else by IRETQ (the frame changed)
    test eax, eax
    jz %%restore
    jmp ExoReturnToUserByInterruptReturn
%endmacro

system_call_entry ExoSystemCallEntryXsaveopt, xsaveopt, xrstor
system_call_entry ExoSystemCallEntryXsave, xsave, xrstor
system_call_entry ExoSystemCallEntryFxsave, fxsave, fxrstor

; The entry for this processor's way of saving SIMD state: 0 FXSAVE, 1 XSAVE, 2 XSAVEOPT.
global ExoGetSystemCallEntry
ExoGetSystemCallEntry:                  ; ulong (byte mode)
    lea rax, [rel ExoSystemCallEntryFxsave]
    cmp dil, 1
    jb .done
    lea rax, [rel ExoSystemCallEntryXsave]
    je .done
    lea rax, [rel ExoSystemCallEntryXsaveopt]
.done:
    ret

; Leaves the kernel for ring 3 from the complete frame at RSP (interrupts masked, GS = the kernel's block):
; the thread's SIMD state from its area, every register from the frame, then IRETQ, which can restore any
; frame SYSRET cannot (a changed RIP, RFLAGS with TF, a frame saved by an interrupt). The frame has been
; sanitized (RegisterFrame.SanitizeForUserMode) or was saved by the CPU on entry from ring 3.
global ExoReturnToUserByInterruptReturn
ExoReturnToUserByInterruptReturn:
    mov r11, [gs:GS_EXTENDED_STATE]
    mov eax, -1
    mov edx, eax
    cmp byte [rel ExoExtendedStateMode], 0
    je .fxrstor
    xrstor [r11]
.restored:
    pop_general_registers
    add rsp, 16                         ; vector and error code
    swapgs
    iretq
.fxrstor:
    fxrstor [r11]
    jmp .restored

; How user SIMD state is saved: 0 FXSAVE, 1 XSAVE, 2 XSAVEOPT (set once by ProcessorSetup).
section .data
global ExoExtendedStateMode
ExoExtendedStateMode: db 0
section .text
global ExoSetExtendedStateMode      ; (byte mode)
ExoSetExtendedStateMode:
    mov [rel ExoExtendedStateMode], dil
    ret

; Saves the running user thread's SIMD state in its area (an interrupt from ring 3: InterruptEntry.asm).
; Clobbers RAX, RDX, R11.
global ExoSaveUserExtendedState
ExoSaveUserExtendedState:
    mov r11, [gs:GS_EXTENDED_STATE]
    mov eax, -1
    mov edx, eax
    cmp byte [rel ExoExtendedStateMode], 1
    jb .fxsave
    je .xsave
    xsaveopt [r11]
    ret
.xsave:
    xsave [r11]
    ret
.fxsave:
    fxsave [r11]
    ret

; ulong ExoEnterUserMode(RegisterFrame* frame, ulong* kernelContextSave, ulong kernelEntryStackTop):
; saves the callee-saved window and RSP in ExoSwitchStack's layout (ExoReturnFromUserMode resumes it), copies
; the frame to its place just below the kernel-entry stack top (where system calls and interrupts from ring 3
; will save it) and leaves for ring 3 from it. Interrupts masked, the frame sanitized, the thread's SIMD area
; set. Returns the value the thread left ring 3 for good with.
global ExoEnterUserMode
ExoEnterUserMode:
    push rbp
    push rbx
    push r12
    push r13
    push r14
    push r15
    mov [rsi], rsp
    lea rsp, [rdx - FRAME_SIZE]
    mov rsi, rdi
    mov rdi, rsp
    mov ecx, FRAME_SIZE / 8
    cld
    rep movsq
    jmp ExoReturnToUserByInterruptReturn

; void ExoReturnFromUserMode(ulong savedKernelStack, ulong result): resumes the kernel context saved by
; ExoEnterUserMode, which then returns 'result'. How a thread leaves ring 3 for good (exit, a fault, a kill).
global ExoReturnFromUserMode
extern ExoResumeSavedWindow
ExoReturnFromUserMode:
    mov rax, rsi
    mov rsi, rdi
    jmp ExoResumeSavedWindow

; The layout constants above, for the C# side to check at boot (UserMode.CheckEntryLayout).
section .rodata
global ExoEntryLayout
ExoEntryLayout:
    dq FRAME_SIZE, FRAME_RAX, FRAME_ERROR, FRAME_RIP, FRAME_RSP, SYSTEM_CALL_VECTOR
    dq GS_KERNEL_ENTRY_STACK, GS_EXTENDED_STATE, GS_SYSTEM_CALL_TABLE, GS_PENDING_WORK, GS_SYSTEM_CALL_COUNT
    dq USER_CODE_SELECTOR, USER_DATA_SELECTOR, TABLE_CAPACITY, TABLE_COUNTS
section .text
global ExoGetEntryLayout
ExoGetEntryLayout:
    lea rax, [rel ExoEntryLayout]
    ret

