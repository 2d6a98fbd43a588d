; Instructions that may fault on purpose, each with a recovery address. When one of them faults, the
; exception handler (Arch/X64/FaultFixups.cs) resumes at its recovery address with RAX = vector + 1,
; instead of panicking. Used by tests and by the copies to and from user memory (UserAccess.asm).
bits 64
section .text

; ulong ExoProbeRead(ulong address, ulong* value): 0 and *value on success, vector + 1 on a fault.
global ExoProbeRead
ExoProbeRead:
    xor eax, eax
.access:
    mov rcx, [rdi]
    mov [rsi], rcx
.recover:
    ret

; ulong ExoProbeWrite(ulong address, ulong value): 0 on success, vector + 1 on a fault.
global ExoProbeWrite
ExoProbeWrite:
    xor eax, eax
.access:
    mov [rdi], rsi
.recover:
    ret

; ulong ExoProbeInvalidOpcode(): executes ud2; returns vector + 1 (7) when the fault was handled.
global ExoProbeInvalidOpcode
ExoProbeInvalidOpcode:
    xor eax, eax
.access:
    ud2
.recover:
    ret

; ulong ExoProbeDivide(ulong dividend, ulong divisor): the quotient, or 1 (divide error + 1) with the
; quotient forced to 0 when the divisor is 0 (the fault path).
global ExoProbeDivide
ExoProbeDivide:
    mov rax, rdi
    xor edx, edx
.access:
    div rsi
.recover:
    ret

; void ExoBreakpoint(): int3; the breakpoint handler counts it and execution goes on after it.
global ExoBreakpoint
ExoBreakpoint:
    int3
    ret

extern ExoCopyUserAccess, ExoCopyUserAccessTail, ExoCopyUserRecover, ExoReadUserWordAccess, ExoReadUserWordRecover
extern ExoCopyUserWideAccess, ExoCopyUserWideAccessEnd, ExoCopyUserWideRecover

; Each entry: the first faulting instruction's address, the end of the range (one byte past the start for a single
; instruction: a fault is matched by its exact start), the recovery address.
section .rodata
align 8
global ExoFaultFixupTable, ExoFaultFixupTableEnd
ExoFaultFixupTable:
    dq ExoCopyUserAccess, ExoCopyUserAccess + 1, ExoCopyUserRecover          ; UserAccess.asm: copies to and from user memory
    dq ExoCopyUserAccessTail, ExoCopyUserAccessTail + 1, ExoCopyUserRecover
    dq ExoCopyUserWideAccess, ExoCopyUserWideAccessEnd, ExoCopyUserWideRecover   ; the wide copy's whole loop
    dq ExoReadUserWordAccess, ExoReadUserWordAccess + 1, ExoReadUserWordRecover   ; a word read that never maps a page in
    dq ExoProbeRead.access, ExoProbeRead.access + 1, ExoProbeRead.recover
    dq ExoProbeWrite.access, ExoProbeWrite.access + 1, ExoProbeWrite.recover
    dq ExoProbeInvalidOpcode.access, ExoProbeInvalidOpcode.access + 1, ExoProbeInvalidOpcode.recover
    dq ExoProbeDivide.access, ExoProbeDivide.access + 1, ExoProbeDivide.recover
ExoFaultFixupTableEnd:

section .text
global ExoGetFaultFixups           ; ulong* (ulong** end)
ExoGetFaultFixups:
    lea rax, [rel ExoFaultFixupTableEnd]
    mov [rdi], rax
    lea rax, [rel ExoFaultFixupTable]
    ret
