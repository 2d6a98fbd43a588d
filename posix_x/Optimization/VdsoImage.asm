; The vDSO (posix_x/Optimization/vdso.c, built and checked by tools/scripts/build-vdso.sh into vdso.so, found
; through nasm's -I) inside the kernel image. Page aligned and padded with zeros to a whole page, so that its pages
; can be mapped into every Linux process as they are (Optimization/Vdso.cs): one physical copy, shared by all, and
; no other byte of the kernel on those pages.
section .rodata.vdso progbits alloc noexec nowrite align=4096
global ExoVdsoImageStart, ExoVdsoImageEnd
ExoVdsoImageStart:
    incbin "vdso.so"
ExoVdsoImageEnd:
    align 4096, db 0

section .text
bits 64
; byte* ExoGetVdsoImage(byte** end): the image's first byte (page aligned); its end in *end (not page aligned).
global ExoGetVdsoImage
ExoGetVdsoImage:
    lea rax, [rel ExoVdsoImageEnd]
    mov [rdi], rax
    lea rax, [rel ExoVdsoImageStart]
    ret
