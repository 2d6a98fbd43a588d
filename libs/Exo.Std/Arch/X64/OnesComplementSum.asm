; The Internet checksum's sum (RFC 1071) for Exo.Std.Net.OnesComplement, bound with [DllImport("*"), SuppressGCTransition].
bits 64
default rel
section .text

; ulong ExoStdOnesComplementSum(byte* bytes, long length): the ones' complement sum of 'length' bytes read as
; little-endian 16-bit words (a lone last byte is the low byte of its word), folded to 16 bits. An ADC chain over
; 64-bit words, as Linux's csum_partial: 11 instructions per 64 bytes where C# needs about 45 (it has no add with
; carry). A nonzero input never folds to 0, so the result is the same as RFC 1071's word-by-word sum, byte-swapped.
global ExoStdOnesComplementSum
ExoStdOnesComplementSum:
    xor eax, eax                    ; the sum
    mov rcx, rsi
    shr rcx, 6                      ; 64-byte blocks
    jz .words
    clc                             ; SHR left bit 5 of the length in CF: the first ADC must add nothing
.block:
    adc rax, [rdi]
    adc rax, [rdi + 8]
    adc rax, [rdi + 16]
    adc rax, [rdi + 24]
    adc rax, [rdi + 32]
    adc rax, [rdi + 40]
    adc rax, [rdi + 48]
    adc rax, [rdi + 56]
    lea rdi, [rdi + 64]             ; LEA and DEC leave CF alone: the carry goes on to the next block
    dec rcx
    jnz .block
    adc rax, 0
.words:
    mov rcx, rsi
    and rcx, 56
    shr rcx, 3                      ; 8-byte words left
    jz .four
.word:
    add rax, [rdi]
    adc rax, 0
    add rdi, 8
    dec rcx
    jnz .word
.four:
    test esi, 4
    jz .two
    mov edx, [rdi]
    add rax, rdx
    adc rax, 0
    add rdi, 4
.two:
    test esi, 2
    jz .one
    movzx edx, word [rdi]
    add rax, rdx
    adc rax, 0
    add rdi, 2
.one:
    test esi, 1
    jz .fold
    movzx edx, byte [rdi]
    add rax, rdx
    adc rax, 0
.fold:                              ; 64 bits to 32 to 16, each with its end-around carry
    mov rdx, rax
    shr rdx, 32
    add eax, edx
    adc eax, 0
    mov edx, eax
    shr edx, 16
    add ax, dx
    adc ax, 0
    movzx eax, ax
    ret
