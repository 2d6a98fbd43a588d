; Exo.Std's port I/O (Exo.Std.Devices.Ports), bound with [DllImport("*"), SuppressGCTransition]: IN and OUT from ring 3,
; allowed only for the ports the process enabled with an I/O port range (IoPortRange.Enable); any other port faults.
bits 64
default rel
section .text

; byte ExoStdInByte(ushort port)
global ExoStdInByte
ExoStdInByte:
    mov edx, edi
    xor eax, eax
    in al, dx
    ret

; void ExoStdOutByte(ushort port, byte value)
global ExoStdOutByte
ExoStdOutByte:
    mov edx, edi
    mov eax, esi
    out dx, al
    ret
