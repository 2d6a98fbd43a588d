; Copies between kernel memory and user memory. The caller (Memory/UserMemory.cs) has already checked that
; the user range lies in the lower half; a fault on an unmapped or protected user page is recovered through
; the fault fixup table (FaultProbes.asm) and returned as an error, never a kernel panic.
; With SMAP on, supervisor accesses to user pages fault unless RFLAGS.AC is set: STAC/CLAC bracket exactly
; the copy. STAC does not exist without SMAP, so it is used only when ExoSmapEnabled is set.
bits 64
section .data
global ExoSmapEnabled
ExoSmapEnabled: db 0

section .text
; ulong ExoCopyUser(void* destination, void* source, ulong length): 0, or the fault vector + 1.
; Quadwords first, then the last bytes: every repetition of a string instruction is an instruction (under -icount
; a byte-wise copy of a page counted 4,096). Both copies are restartable after a demand-paging fault.
global ExoCopyUser
ExoCopyUser:
    mov rcx, rdx
    shr rcx, 3
    and edx, 7
    xor eax, eax
    cmp byte [rel ExoSmapEnabled], 0
    je ExoCopyUserAccess
    stac
global ExoCopyUserAccess, ExoCopyUserAccessTail, ExoCopyUserRecover   ; listed in the fault fixup table (FaultProbes.asm)
ExoCopyUserAccess:
    rep movsq
    mov ecx, edx
ExoCopyUserAccessTail:
    rep movsb
ExoCopyUserRecover:
    cmp byte [rel ExoSmapEnabled], 0
    je .done
    clac
.done:
    ret

; ulong ExoReadUserWord(ulong address, uint* value): 0 and *value, or the fault vector + 1. Unlike the copy, a fault
; here never maps a page in (the demand-paging handler knows only the copy's instructions): a read under a spin lock.
global ExoReadUserWord
ExoReadUserWord:
    xor eax, eax
    cmp byte [rel ExoSmapEnabled], 0
    je ExoReadUserWordAccess
    stac
global ExoReadUserWordAccess, ExoReadUserWordRecover   ; listed in the fault fixup table (FaultProbes.asm)
ExoReadUserWordAccess:
    mov ecx, [rdi]
    mov [rsi], ecx
ExoReadUserWordRecover:
    cmp byte [rel ExoSmapEnabled], 0
    je .done
    clac
.done:
    ret

global ExoSetSmapEnabled            ; (byte enabled)
ExoSetSmapEnabled:
    mov [rel ExoSmapEnabled], dil
    ret

global ExoGetCopyUserAccess         ; () -> the address of the first instruction that touches user memory
ExoGetCopyUserAccess:
    lea rax, [rel ExoCopyUserAccess]
    ret

global ExoGetCopyUserAccessTail     ; () -> the address of the second one
ExoGetCopyUserAccessTail:
    lea rax, [rel ExoCopyUserAccessTail]
    ret
