; Single x86-64 instructions that C# cannot emit, exported with the SysV calling convention.
bits 64
section .text

%macro export 1
global %1
%1:
%endmacro

export ExoOutByte           ; (port, value)
    mov edx, edi
    mov eax, esi
    out dx, al
    ret
export ExoOutWord
    mov edx, edi
    mov eax, esi
    out dx, ax
    ret
export ExoOutDword
    mov edx, edi
    mov eax, esi
    out dx, eax
    ret
export ExoInByte            ; (port) -> value
    mov edx, edi
    xor eax, eax
    in al, dx
    ret
export ExoInWord
    mov edx, edi
    xor eax, eax
    in ax, dx
    ret
export ExoInDword
    mov edx, edi
    in eax, dx
    ret
export ExoReadTimeStampCounter
    rdtsc
    shl rdx, 32
    or rax, rdx
    ret
export ExoCpuId             ; (leaf, subleaf, uint* four results)
    push rbx
    mov r8, rdx
    mov eax, edi
    mov ecx, esi
    cpuid
    mov [r8], eax
    mov [r8 + 4], ebx
    mov [r8 + 8], ecx
    mov [r8 + 12], edx
    pop rbx
    ret
export ExoReadMsr
    mov ecx, edi
    rdmsr
    shl rdx, 32
    or rax, rdx
    ret
export ExoWriteMsr          ; (msr, value)
    mov ecx, edi
    mov rax, rsi
    mov rdx, rsi
    shr rdx, 32
    wrmsr
    ret
export ExoReadCr0
    mov rax, cr0
    ret
export ExoReadCr2
    mov rax, cr2
    ret
export ExoReadCr3
    mov rax, cr3
    ret
export ExoWriteCr3
    mov cr3, rdi
    ret
export ExoReadCr4
    mov rax, cr4
    ret
export ExoStoreInterruptTable  ; (byte* tenBytes): the loaded IDT's limit (2 bytes) and base (8 bytes)
    sidt [rdi]
    ret
export ExoStoreGlobalTable     ; (byte* tenBytes): the loaded GDT's limit and base
    sgdt [rdi]
    ret
export ExoStoreTaskRegister    ; () -> the loaded task register's selector
    xor eax, eax
    str ax
    ret
export ExoWriteCr4
    mov cr4, rdi
    ret
export ExoWriteXcr0                ; (value): XSETBV with ECX = 0
    mov eax, edi
    mov rdx, rdi
    shr rdx, 32
    xor ecx, ecx
    xsetbv
    ret
export ExoInvalidatePage
    invlpg [rdi]
    ret
export ExoHalt
    hlt
    ret
export ExoDisableInterrupts
    cli
    ret
export ExoEnableInterrupts
    sti
    ret
export ExoEnableInterruptsAndHalt  ; atomically: no interrupt can slip in between sti and hlt
    sti
    hlt
    ret
export ExoReadFlags
    pushfq
    pop rax
    ret
; bool ExoDisableInterruptsSavingState(): disables interrupts; returns whether they were enabled (IF).
export ExoDisableInterruptsSavingState
    pushfq
    pop rax
    cli
    shr eax, 9
    and eax, 1
    ret
export ExoPause
    pause
    ret
export ExoReadStackPointer
    lea rax, [rsp + 8]
    ret
export ExoReadFramePointer
    mov rax, rbp
    ret

; nint* ExoGetKernelSymbols(): the symbol table that the link step embeds (tools/scripts/generate-symbol-table.sh).
extern __kernel_symbols_start, __kernel_symbols_end
export ExoGetKernelSymbols
    lea rax, [rel __kernel_symbols_start]
    lea rdx, [rel __kernel_symbols_end]
    cmp rax, rdx
    jne .present
    xor eax, eax
.present:
    ret

; void ExoGetKernelLayout(ulong* out): linker symbols that describe the kernel image (Memory/KernelLayout.cs).
extern __text_start, __text_end, __rodata_start, __rodata_end, __data_start, __bss_end
extern __boot_stack_guard, __boot_stack_bottom, __boot_stack_top, __kernel_physical_end
export ExoGetKernelLayout
    mov qword [rdi + 0 * 8], __kernel_physical_start
    mov rax, __kernel_physical_end
    mov [rdi + 1 * 8], rax
    mov rax, __text_start
    mov [rdi + 2 * 8], rax
    mov rax, __text_end
    mov [rdi + 3 * 8], rax
    mov rax, __rodata_start
    mov [rdi + 4 * 8], rax
    mov rax, __rodata_end
    mov [rdi + 5 * 8], rax
    mov rax, __data_start
    mov [rdi + 6 * 8], rax
    mov rax, __bss_end
    mov [rdi + 7 * 8], rax
    mov rax, __boot_stack_guard
    mov [rdi + 8 * 8], rax
    mov rax, __boot_stack_bottom
    mov [rdi + 9 * 8], rax
    mov rax, __boot_stack_top
    mov [rdi + 10 * 8], rax
    ret
extern __kernel_physical_start

; Serialising TSC read for benchmarks: lfence keeps earlier instructions from drifting past the read.
export ExoReadTimeStampCounterOrdered
    lfence
    rdtsc
    shl rdx, 32
    or rax, rdx
    ret

; int ExoCurrentProcessor(): this processor's index, the first word of its per-CPU block (GS base).
export ExoCurrentProcessor
    mov eax, [gs:0]
    ret
; ulong ExoReadProcessorWord(int index): word 'index' of this processor's per-CPU block.
export ExoReadProcessorWord
    mov rax, [gs:rdi*8]
    ret

; bool ExoReadHardwareRandom(ulong* value): RDRAND, retried a few times as Intel advises; false if it never
; delivered (or the caller asked on a processor without it: check CpuFeatures.Rdrand first).
export ExoReadHardwareRandom
    mov ecx, 10
.retry:
    rdrand rax
    jc .done
    dec ecx
    jnz .retry
    xor eax, eax
    ret
.done:
    mov [rdi], rax
    mov eax, 1
    ret
