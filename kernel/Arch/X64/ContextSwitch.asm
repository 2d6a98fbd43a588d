; The windowed context switch. A voluntary switch (a thread yields or blocks inside the kernel) saves only
; the callee-saved window, RBX RBP R12-R15 and RSP: the System V calling convention has already spilled
; everything else, including every XMM register, at the call. A preempted thread was interrupted, so the
; interrupt entry (InterruptEntry.asm) already saved its full frame and SSE state on its own stack; the
; scheduler then switches from inside the interrupt handler with this same routine.
bits 64
section .text

; void ExoSwitchStack(ulong* saveStackPointer /*rdi*/, ulong newStackPointer /*rsi*/)
global ExoSwitchStack
ExoSwitchStack:
    push rbp
    push rbx
    push r12
    push r13
    push r14
    push r15
    mov [rdi], rsp
; Resumes a stack saved by ExoSwitchStack or ExoEnterUserMode (the same window layout): RSP = the saved
; stack; returns to whoever saved it, with RAX as the caller set it.
global ExoResumeSavedWindow
ExoResumeSavedWindow:
    mov rsp, rsi
    pop r15
    pop r14
    pop r13
    pop r12
    pop rbx
    pop rbp
    ret

; First instructions of every new thread: ExoSwitchStack "returns" here with the thread's start argument in
; R12 (prepared by Thread.PrepareStack). RSP is 16-byte aligned here, so the call keeps the ABI's alignment.
extern ExoThreadMain
global ExoThreadStart
ExoThreadStart:
    mov rdi, r12
    xor ebp, ebp
    call ExoThreadMain
.unreachable:
    ud2
    jmp .unreachable

global ExoGetThreadStartAddress
ExoGetThreadStartAddress:
    lea rax, [rel ExoThreadStart]
    ret
