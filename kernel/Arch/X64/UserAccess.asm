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
    je .copy
    stac
.copy:
    rep movsb
.recover:
    cmp byte [rel ExoSmapEnabled], 0
    je .done
    clac
.done:
    ret

; ulong ExoFillUser(void* destination, ulong length): zeroes user memory; 0, or the fault vector + 1.
global ExoFillUser
ExoFillUser:
    mov rcx, rsi
    xor eax, eax
    cmp byte [rel ExoSmapEnabled], 0
    je .fill
    stac
.fill:
    rep stosb
.recover:
    cmp byte [rel ExoSmapEnabled], 0
    je .done
    clac
.done:
    ret

section .rodata
align 8
global ExoUserAccessFixups, ExoUserAccessFixupsEnd
ExoUserAccessFixups:
    dq ExoCopyUser.copy, ExoCopyUser.recover
    dq ExoFillUser.fill, ExoFillUser.recover
ExoUserAccessFixupsEnd:

section .text
global ExoGetUserAccessFixups       ; ulong* (ulong** end)
ExoGetUserAccessFixups:
    lea rax, [rel ExoUserAccessFixupsEnd]
    mov [rdi], rax
    lea rax, [rel ExoUserAccessFixups]
    ret

global ExoSetSmapEnabled            ; (byte enabled)
ExoSetSmapEnabled:
    mov [rel ExoSmapEnabled], dil
    ret
