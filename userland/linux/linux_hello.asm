; A Linux x86-64 program, as any static Linux binary is built: Linux system call numbers, no Exo-OS brand in
; its ELF header (EI_OSABI 0), so the kernel gives it the Linux personality. It writes a line, checks that
; getpid answers, that calls the Linux table does not have yet return -ENOSYS (including 31, a native Exo-OS
; number that means shmctl to Linux) and that a bad descriptor and a bad pointer are refused, then exits
; through exit_group with 0, or with the number of the first check that failed.
bits 64
default rel

%define LINUX_WRITE 1
%define LINUX_GETPID 39
%define LINUX_SHMCTL 31
%define LINUX_EXIT_GROUP 231
%define ENOSYS -38
%define EBADF -9
%define EFAULT -14

section .rodata
greeting: db "hello from a Linux binary (Linux personality)", 10
greeting_length equ $ - greeting

section .text
global _start
_start:
    mov eax, LINUX_WRITE
    mov edi, 1
    lea rsi, [greeting]
    mov edx, greeting_length
    syscall
    mov edi, 1
    cmp rax, greeting_length
    jne .fail

    mov eax, LINUX_GETPID
    syscall
    mov edi, 2
    test rax, rax
    jle .fail

    mov eax, LINUX_SHMCTL               ; Exo-OS's IPC call number must not reach the native table
    xor edi, edi
    syscall
    mov edi, 3
    cmp rax, ENOSYS
    jne .fail

    mov eax, 999                        ; beyond every table
    syscall
    mov edi, 4
    cmp rax, ENOSYS
    jne .fail

    mov eax, LINUX_WRITE                ; descriptor 7 does not exist
    mov edi, 7
    lea rsi, [greeting]
    mov edx, 1
    syscall
    mov edi, 5
    cmp rax, EBADF
    jne .fail

    mov eax, LINUX_WRITE                ; a kernel address
    mov edi, 1
    mov rsi, 0xFFFF800000000000
    mov edx, 16
    syscall
    mov edi, 6
    cmp rax, EFAULT
    jne .fail

    xor edi, edi
.fail:
    mov eax, LINUX_EXIT_GROUP
    syscall
    ud2
