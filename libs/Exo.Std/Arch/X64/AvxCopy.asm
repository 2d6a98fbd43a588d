; Exo.Std.Memory.AvxCopy: large copies in 32-byte AVX moves for user programs (Exo.Runtime.WideCopy), bound with
; [DllImport("*"), SuppressGCTransition]. The kernel saves a user thread's YMM state (XCR0 has AVX when the processor
; offers it); VZEROUPPER at the end returns the upper halves to their initial state, which XSAVEOPT then skips.
bits 64
default rel
section .text

; int ExoStdAvxUsable(): 1 when the processor has AVX and the kernel enabled its state in XCR0 (OSXSAVE, XCR0 bits 1-2).
global ExoStdAvxUsable
ExoStdAvxUsable:
    push rbx
    mov eax, 1
    cpuid
    and ecx, (1 << 27) | (1 << 28)      ; OSXSAVE, AVX
    xor eax, eax
    cmp ecx, (1 << 27) | (1 << 28)
    jne .done
    xor ecx, ecx
    xgetbv
    and eax, 6                          ; SSE and AVX state enabled
    cmp eax, 6
    sete al
    movzx eax, al
.done:
    pop rbx
    ret

; 128 bytes from [rsi + OFFSET] to [rdi + OFFSET].
%macro COPY128 1
    vmovdqu ymm0, [rsi + %1]
    vmovdqu ymm1, [rsi + %1 + 32]
    vmovdqu ymm2, [rsi + %1 + 64]
    vmovdqu ymm3, [rsi + %1 + 96]
    vmovdqu [rdi + %1], ymm0
    vmovdqu [rdi + %1 + 32], ymm1
    vmovdqu [rdi + %1 + 64], ymm2
    vmovdqu [rdi + %1 + 96], ymm3
%endmacro

; void ExoStdCopyForwardAvx(byte* destination, byte* source, ulong length): length >= 128, the blocks do not overlap.
; 128 bytes a turn (11 instructions, where SSE takes 24), then the last 128 bytes again from the end, overlapping what
; was copied rather than a loop for the tail.
global ExoStdCopyForwardAvx
ExoStdCopyForwardAvx:
    lea rcx, [rdx - 128]                ; where the last whole block starts
    xor eax, eax
.block:
    COPY128 rax
    add rax, 128
    cmp rax, rcx
    jb .block
    COPY128 rcx
    vzeroupper
    ret
