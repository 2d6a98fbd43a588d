; The first instructions of every C# user program. The kernel enters at _start with RDI = the number of
; handles the parent granted, RSI = a pointer to them (64-bit values on the initial stack) and RSP 16-byte
; aligned; every other register is zero. Compiled C# needs, before its first instruction: an aligned stack,
; an allocator for 'new' and the runtime's start-up (static bases, eager class constructors), which
; ExoStdStart (Exo.Std ProgramStartup.cs) does. Then the program's Main runs through the compiler's
; __managed__Main wrapper, and its return value becomes the exit status.
bits 64
default rel
section .text

extern ExoStdStart, ExoStdExit, __managed__Main, __security_cookie
global _start
_start:
    xor ebp, ebp                    ; ends the frame-pointer chain for backtraces
    and rsp, -16                    ; the ABI's alignment at the call below, whatever the kernel chose
    ; The stack-protector cookie (methods with stackalloc check it) differs on every run, like the kernel's.
    rdtsc
    shl rdx, 32
    or rax, rdx
    xor [rel __security_cookie], rax
    call ExoStdStart                ; (handle count, handles): RDI and RSI as the kernel left them
    xor edi, edi                    ; argc = 0, argv = null: Main takes no arguments
    xor esi, esi
    call __managed__Main
    mov edi, eax
    call ExoStdExit                 ; flushes the console's line, then SYS_EXIT (status); never returns
.unreachable:
    ud2
    jmp .unreachable
