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
global ExoCopyUser
ExoCopyUser:
    mov rcx, rdx
    xor eax, eax
    cmp byte [rel ExoSmapEnabled], 0
    je ExoCopyUserAccess
    stac
global ExoCopyUserAccess, ExoCopyUserRecover   ; listed in the fault fixup table (FaultProbes.asm)
ExoCopyUserAccess:
    rep movsb
ExoCopyUserRecover:
    cmp byte [rel ExoSmapEnabled], 0
    je .done
    clac
.done:
    ret

global ExoSetSmapEnabled            ; (byte enabled)
ExoSetSmapEnabled:
    mov [rel ExoSmapEnabled], dil
    ret

global ExoGetCopyUserAccess         ; () -> the address of the instruction that touches user memory
ExoGetCopyUserAccess:
    lea rax, [rel ExoCopyUserAccess]
    ret
