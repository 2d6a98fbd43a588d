; Exo.Std system call stubs (the ABI is userland/programs/native.inc). C# binds them with
; [DllImport("*", EntryPoint = ...), SuppressGCTransition]: plain System V calls, no runtime transition.
; SYSCALL clobbers RCX and R11 (caller-saved in System V anyway); the kernel preserves everything else.
bits 64
default rel
section .text

; long ExoStdSystemCall(ulong number /*rdi*/, a0 /*rsi*/, a1 /*rdx*/, a2 /*rcx*/, a3 /*r8*/, a4 /*r9*/):
; moves the System V arguments into the system call registers (number in RAX, arguments RDI RSI RDX R10 R8; R9,
; the sixth, is 0). ExoStdSystemCall6(number, a0, a1, a2, a3, a4, a5 /*on the stack*/): the same with a sixth in R9.
; (R11 carries it across the moves: SYSCALL overwrites R11 anyway.)
global ExoStdSystemCall
global ExoStdSystemCall6
ExoStdSystemCall6:
    mov r11, [rsp + 8]
    jmp SystemCallArguments
ExoStdSystemCall:
    xor r11d, r11d
SystemCallArguments:
    mov rax, rdi
    mov rdi, rsi
    mov rsi, rdx
    mov rdx, rcx
    mov r10, r8
    mov r8, r9
    mov r9, r11
    syscall
    ret

; long ExoStdIpc(ulong number /*rdi*/, ulong endpoint /*rsi*/, IpcRegisters* registers /*rdx*/):
; the Fusion Ring calls pass a message in registers and return one in registers. The structure
; (Exo.Std.Ipc.IpcRegisters) holds badge, four words and a handle at offsets 0, 8..32, 40: its words and
; handle are sent, then every field is overwritten with what the kernel returned (RDI, RSI, RDX, R10, R8, R9).
; Returns the status (RAX).
global ExoStdIpc
ExoStdIpc:
    push rbx                        ; callee-saved: keeps the structure's address across SYSCALL
    mov rbx, rdx
    mov rax, rdi
    mov rdi, rsi
    mov rsi, [rbx + 8]
    mov rdx, [rbx + 16]
    mov r10, [rbx + 24]
    mov r8, [rbx + 32]
    mov r9, [rbx + 40]
    syscall
    mov [rbx + 0], rdi
    mov [rbx + 8], rsi
    mov [rbx + 16], rdx
    mov [rbx + 24], r10
    mov [rbx + 32], r8
    mov [rbx + 40], r9
    pop rbx
    ret
