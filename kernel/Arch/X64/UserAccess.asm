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

; ulong ExoCopyUserWide(void* destination, void* source, ulong length): 0, or the fault vector + 1. 'length' is a
; nonzero multiple of 512. Sixteen YMM registers a round, 16 bytes an instruction where rep movsq moves 8 (a MiB read
; was 131,000 instructions of copy, about 70,000 now). Only when XCR0 enables AVX (UserMemory.EnableWideCopies), in a
; system call: the program's YMM state was saved on entry and is restored on the way out, so the registers are free,
; but an interrupt's FXSAVE (InterruptEntry.asm) keeps only their low halves: a switch to another thread in the middle
; would hand back other upper halves. Interrupts are therefore masked for each 4 KiB (a few hundred instructions), and
; a fault anywhere in the loop (a page not mapped in yet, copy-on-write, a bad page) is recovered, never served:
; UserMemory then copies the whole range again with ExoCopyUser, which maps pages in.
global ExoCopyUserWide
ExoCopyUserWide:
    add rdi, rdx
    add rsi, rdx
    neg rdx                             ; counts up from -length to 0
    xor eax, eax
    cmp byte [rel ExoSmapEnabled], 0
    je ExoCopyUserWide.page
    stac
ExoCopyUserWide.page:
    pushfq
    cli
global ExoCopyUserWideAccess, ExoCopyUserWideAccessEnd, ExoCopyUserWideRecover   ; a range of the fault fixup table
ExoCopyUserWideAccess:
    vmovdqu ymm0, [rsi + rdx + 0]
    vmovdqu ymm1, [rsi + rdx + 32]
    vmovdqu ymm2, [rsi + rdx + 64]
    vmovdqu ymm3, [rsi + rdx + 96]
    vmovdqu ymm4, [rsi + rdx + 128]
    vmovdqu ymm5, [rsi + rdx + 160]
    vmovdqu ymm6, [rsi + rdx + 192]
    vmovdqu ymm7, [rsi + rdx + 224]
    vmovdqu ymm8, [rsi + rdx + 256]
    vmovdqu ymm9, [rsi + rdx + 288]
    vmovdqu ymm10, [rsi + rdx + 320]
    vmovdqu ymm11, [rsi + rdx + 352]
    vmovdqu ymm12, [rsi + rdx + 384]
    vmovdqu ymm13, [rsi + rdx + 416]
    vmovdqu ymm14, [rsi + rdx + 448]
    vmovdqu ymm15, [rsi + rdx + 480]
    vmovdqu [rdi + rdx + 0], ymm0
    vmovdqu [rdi + rdx + 32], ymm1
    vmovdqu [rdi + rdx + 64], ymm2
    vmovdqu [rdi + rdx + 96], ymm3
    vmovdqu [rdi + rdx + 128], ymm4
    vmovdqu [rdi + rdx + 160], ymm5
    vmovdqu [rdi + rdx + 192], ymm6
    vmovdqu [rdi + rdx + 224], ymm7
    vmovdqu [rdi + rdx + 256], ymm8
    vmovdqu [rdi + rdx + 288], ymm9
    vmovdqu [rdi + rdx + 320], ymm10
    vmovdqu [rdi + rdx + 352], ymm11
    vmovdqu [rdi + rdx + 384], ymm12
    vmovdqu [rdi + rdx + 416], ymm13
    vmovdqu [rdi + rdx + 448], ymm14
    vmovdqu [rdi + rdx + 480], ymm15
    add rdx, 512
    test edx, 4095
    jnz ExoCopyUserWideAccess
ExoCopyUserWideAccessEnd:
    popfq                               ; interrupts may come between pages
    test rdx, rdx
    jnz ExoCopyUserWide.page
    jmp ExoCopyUserWide.finish
ExoCopyUserWideRecover:                 ; RSP as in the loop: the flags saved before it on top
    popfq
ExoCopyUserWide.finish:
    vzeroupper
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
