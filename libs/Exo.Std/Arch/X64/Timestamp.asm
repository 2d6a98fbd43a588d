; Exo.Std's time-stamp counter read (Benchmark.ReadTimestamp), bound with [DllImport("*"), SuppressGCTransition].
bits 64
default rel
section .text

; ulong ExoStdReadTimestamp(): LFENCE then RDTSC, as make bench's programs time (userland/programs/ipc_bench.asm):
; the fence keeps RDTSC from running before the earlier instructions have completed. Under QEMU's -icount the
; counter counts instructions.
global ExoStdReadTimestamp
ExoStdReadTimestamp:
    lfence
    rdtsc
    shl rdx, 32
    or rax, rdx
    ret

; ulong ExoStdReadTimeStampCounter(): RDTSC alone, for MonotonicClock (the kernel's clock reads it the same way).
global ExoStdReadTimeStampCounter
ExoStdReadTimeStampCounter:
    rdtsc
    shl rdx, 32
    or rax, rdx
    ret
