"""Where a storage operation's instructions go, by kind of work (profile.py --categories): how much of it is IPC between
the services (the issue's question) against copies, the file system's and the driver's own work and POSIX-X.

Rules, first match wins, on (program, function) as profile.py names them:
  program    the benchmark program itself (its loop and glibc's wrappers)
  copies     every copy and fill: the kernel's copies to and from user memory and between shared areas, the services'
             memmove and AVX copies, zeroing
  interrupts the kernel's interrupt entry, the local APIC and MSI routing (the disk's completion interrupt)
  posix      POSIX-X: the Linux call's translation, descriptor lookup, the VFS and the ringfs mount's page cache
  fs         extfs's file system work: ext4 (extents, inodes, directories, bitmaps, checksums), its block cache
  driver     virtio_blk's device work: the virtqueue and the device's requests
  ipc        everything else, which is the cost of being three processes: system call entries and exits, capability
             lookups, notifications, wake-ups, the scheduler and switches, and the channel and protocol code on both
             sides (rings, encoding and checking requests and replies)
"""
import re

RULES = [
    ("program", r"^(storage|\?)$", r"^(?!kernel$)"),
    ("copies", r"", r"Copy|Memmove|Buffer__Memory|SpanHelpers__Fill|AvxCopy"),
    ("interrupts", r"^exo$", r"interrupt_|InterruptDispatcher|LocalApic|MessageInterrupts|Arch_X64_Cpu|ExoInByte"),
    ("posix", r"^exo$", r"Exo_PosixX_(?!Vfs_Remote_RemoteChannel)"),
    ("fs", r"^extfs$", r"Exo_Storage_Ext|ExtServer|BlockDeviceClient__(Transfer|Read|Write)"),
    ("driver", r"^virtio_blk$", r"Drivers_Virtio|BlockServer__(Start|Drain|Fail)"),
    ("ipc", r"", r""),
]

COMPILED = [(name, re.compile(program), re.compile(symbol)) for name, program, symbol in RULES]


def category(image, symbol):
    for name, program, pattern in COMPILED:
        if program.search(image) and pattern.search(symbol):
            return name
    return "ipc"
