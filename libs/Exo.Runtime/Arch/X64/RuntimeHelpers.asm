; Runtime entry points that compiled C# calls with conventions C# cannot express.
; There is no garbage collector, so write barriers are plain stores; they must still keep every register
; the JIT expects to survive them.

bits 64
default rel
section .text

; void RhpAssignRef(object* destination /*rdi*/, object value /*rsi*/)
global RhpAssignRef, RhpCheckedAssignRef
RhpAssignRef:
RhpCheckedAssignRef:
    mov [rdi], rsi
    ret

; Copies one reference from [rsi] to [rdi] and advances both by 8 (the JIT relies on the advance).
global RhpByRefAssignRef
RhpByRefAssignRef:
    mov rcx, [rsi]
    mov [rdi], rcx
    add rdi, 8
    add rsi, 8
    ret

; Reverse P/Invoke frames (entry into C# from native code): no GC, no thread state to publish.
global RhpReversePInvoke, RhpReversePInvokeReturn, RhpPInvoke, RhpPInvokeReturn
RhpReversePInvoke:
RhpReversePInvokeReturn:
RhpPInvoke:
RhpPInvokeReturn:
    ret

; Interface dispatch. Compiled code calls through a dispatch cell with the cell's address in r11 and the
; arguments in place. A cache of (cell, receiver's type) -> target answers most calls in 14 instructions; a miss
; resolves the target in C# (Exo.Runtime's InterfaceDispatch: about 150 instructions with the register saves),
; remembers it, and tail-jumps to it with every argument register restored.
;
; The cache: DispatchCacheEntries entries of {cell, type, target, unused}, indexed by a hash of cell and type. An
; entry is written once: a miss claims an empty one (cell 0 -> 1 with LOCK CMPXCHG), writes type and target, then
; publishes the cell last. x86 keeps stores in order and loads in order, so a reader that sees the cell sees the
; type and target written before it; an entry taken by another pair stays with it (that pair resolves each time,
; as every call did before). Shared by every processor and thread of the program (or of the kernel).
DispatchCacheEntries equ 256
DispatchCacheMask equ DispatchCacheEntries - 1

section .bss
alignb 64
DispatchCache: resb DispatchCacheEntries * 32
section .text

extern ExoResolveInterfaceDispatch                  ; C#: Internal/Runtime/InterfaceDispatch.cs
global RhpInitialDynamicInterfaceDispatch, RhpInitialInterfaceDispatch
RhpInitialDynamicInterfaceDispatch:
RhpInitialInterfaceDispatch:
    test rdi, rdi
    jz .resolve                                    ; null receiver: the C# path throws
    mov r10, r11
    xor r10, [rdi]                                 ; cell ^ the receiver's MethodTable
    shr r10, 4
    and r10d, DispatchCacheMask
    shl r10d, 5
    lea rax, [rel DispatchCache]
    add r10, rax
    cmp [r10], r11
    jne .resolve
    mov rax, [rdi]
    cmp [r10 + 8], rax
    jne .resolve
    jmp [r10 + 16]
.resolve:
    push rbp
    mov rbp, rsp
    push rdi
    push rsi
    push rdx
    push rcx
    push r8
    push r9
    push r11
    sub rsp, 8 + 8 * 16                            ; xmm0-7, keeping RSP 16-byte aligned at the call
    movdqu [rsp + 0x00], xmm0
    movdqu [rsp + 0x10], xmm1
    movdqu [rsp + 0x20], xmm2
    movdqu [rsp + 0x30], xmm3
    movdqu [rsp + 0x40], xmm4
    movdqu [rsp + 0x50], xmm5
    movdqu [rsp + 0x60], xmm6
    movdqu [rsp + 0x70], xmm7
    mov rsi, r11                                   ; (object this, cell)
    call ExoResolveInterfaceDispatch
    ; Remember it (the receiver is not null here: a null one threw). rdi, rsi, rdx, rcx, r8 are restored below.
    mov rcx, [rbp - 56]                            ; the cell (saved r11)
    mov r8, [rbp - 8]                              ; the receiver (saved rdi)
    mov r8, [r8]                                   ; its MethodTable
    mov rdx, rcx
    xor rdx, r8
    shr rdx, 4
    and edx, DispatchCacheMask
    shl edx, 5
    lea rsi, [rel DispatchCache]
    add rsi, rdx
    mov rdx, rax                                   ; the target
    xor eax, eax
    mov edi, 1
    lock cmpxchg [rsi], rdi                        ; claim an empty entry (0 -> 1, a value no cell has)
    jne .taken
    mov [rsi + 8], r8
    mov [rsi + 16], rdx
    mov [rsi], rcx                                 ; publish: the cell last
.taken:
    mov rax, rdx
    movdqu xmm0, [rsp + 0x00]
    movdqu xmm1, [rsp + 0x10]
    movdqu xmm2, [rsp + 0x20]
    movdqu xmm3, [rsp + 0x30]
    movdqu xmm4, [rsp + 0x40]
    movdqu xmm5, [rsp + 0x50]
    movdqu xmm6, [rsp + 0x60]
    movdqu xmm7, [rsp + 0x70]
    add rsp, 8 + 8 * 16
    pop r11
    pop r9
    pop r8
    pop rcx
    pop rdx
    pop rsi
    pop rdi
    pop rbp
    jmp rax

; GC polls that the compiler inserts around native calls: there is no collector to wait for.
global RhpGcPoll
RhpGcPoll:
    ret

; nint* ExoGetModuleHeaders(nint** end): the linker-collected pointers to each module's ReadyToRun header.
extern __modules_start, __modules_end
global ExoGetModuleHeaders
ExoGetModuleHeaders:
    lea rax, [rel __modules_end]
    mov [rdi], rax
    lea rax, [rel __modules_start]
    ret

; C library entry points the compiler may call for block operations.
global memset, memcpy, memmove
memset:                                            ; (rdi dest, esi value, rdx count) -> dest
    mov r8, rdi
    mov eax, esi
    mov rcx, rdx
    rep stosb
    mov rax, r8
    ret
memcpy:
memmove:                                           ; (rdi dest, rsi src, rdx count) -> dest
    mov rax, rdi
    mov rcx, rdx
    cmp rdi, rsi
    jbe .forward
    lea r8, [rsi + rdx]
    cmp rdi, r8
    jae .forward
    lea rsi, [rsi + rdx - 1]                       ; overlapping, destination above: copy backwards
    lea rdi, [rdi + rdx - 1]
    std
    rep movsb
    cld
    ret
.forward:
    rep movsb
    ret

; Stack-protector cookie for methods with stackalloc; the kernel seeds it from RDTSC at start-up.
section .data
global RhpTrapThreads
RhpTrapThreads: dd 0
align 8
global __security_cookie
__security_cookie: dq 0x2B992DDFA232
