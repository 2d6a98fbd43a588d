#!/usr/bin/env python3
"""Symbolizes exo_profile's output (tools/profile/exo_profile.c): guest instructions per function, for finding where a
benchmark's instructions go.

  profile.py PROFILE ELF... [--top N] [--per COUNT | --per-call-of SYMBOL] [--categories]

ELF: the kernel's (out/exo.elf) and the unstripped programs (out/userland-cs/NAME.elf, C programs' NAME.elf). Kernel
addresses go to the ELF that covers them; user programs share addresses, so a block goes to the program whose bytes at
its address are the block's first bytes. --per divides every figure by COUNT (operations in the profiled window), --per-call-of by the
calls of SYMBOL (one per operation). Each
function's line: its instructions, its share, and how often a block began at its first byte (calls). --categories adds
the split by kind of work of categories.py (IPC between the services, copies, the file system's, the driver's, POSIX-X's)."""
import bisect
import subprocess
import sys
from collections import defaultdict


class Image:
    def __init__(self, path):
        self.path = path
        self.name = path.rsplit("/", 1)[-1].removesuffix(".elf")
        self.segments = []   # (start, end, bytes) of executable PT_LOAD segments
        with open(path, "rb") as f:
            data = f.read()
        phoff = int.from_bytes(data[32:40], "little")
        phentsize = int.from_bytes(data[54:56], "little")
        phnum = int.from_bytes(data[56:58], "little")
        for i in range(phnum):
            h = data[phoff + i * phentsize: phoff + (i + 1) * phentsize]
            kind, flags = int.from_bytes(h[0:4], "little"), int.from_bytes(h[4:8], "little")
            offset, vaddr, filesz = (int.from_bytes(h[8:16], "little"), int.from_bytes(h[16:24], "little"),
                                     int.from_bytes(h[32:40], "little"))
            if kind == 1 and flags & 1:
                self.segments.append((vaddr, vaddr + filesz, data[offset:offset + filesz]))
        names = subprocess.run(["nm", "-n", "--defined-only", path], capture_output=True, text=True).stdout
        self.addresses, self.names, self.starts = [], [], set()
        for line in names.splitlines():
            parts = line.split()
            if len(parts) == 3 and parts[1] in "tTwW":
                self.addresses.append(int(parts[0], 16))
                self.names.append(parts[2])
                self.starts.add(int(parts[0], 16))

    def bytes_at(self, address, length):
        for start, end, data in self.segments:
            if start <= address < end:
                return data[address - start: address - start + length]
        return None

    def symbol(self, address):
        i = bisect.bisect_right(self.addresses, address) - 1
        return self.names[i] if i >= 0 else f"0x{address:x}"


def main(argv):
    top, per, per_symbol, split, files = 40, 1.0, None, False, []
    i = 0
    while i < len(argv):
        if argv[i] == "--top":
            top = int(argv[i + 1]); i += 2
        elif argv[i] == "--per":
            per = float(argv[i + 1]); i += 2
        elif argv[i] == "--categories":
            split = True; i += 1
        elif argv[i] == "--per-call-of":
            per_symbol = argv[i + 1]; i += 2
        else:
            files.append(argv[i]); i += 1
    if len(files) < 2:
        print(__doc__, file=sys.stderr)
        return 2
    images = [Image(path) for path in files[1:]]
    by_symbol, by_image, calls, total = defaultdict(int), defaultdict(int), defaultdict(int), 0
    for line in open(files[0]):
        address, instructions, executions, first = line.split()
        address, count = int(address, 16), int(instructions) * int(executions)
        first = bytes.fromhex(first)
        total += count
        owner = None
        for image in images:
            found = image.bytes_at(address, len(first))
            if found is not None and (found == first or found[:4] == first[:4] or address >= 0xffff800000000000):
                owner = image
                break
        key = (owner.name, owner.symbol(address)) if owner else ("?", "user" if address < 0x800000000000 else "kernel")
        by_symbol[key] += count
        if owner and address in owner.starts:
            calls[key] += int(executions)   # a block at the function's first byte: a call (or a jump back to it)
        by_image[key[0]] += count
    if per_symbol is not None:
        per = float(sum(count for (image, symbol), count in calls.items() if symbol == per_symbol)) or 1.0
    print(f"total {total / per:,.0f} instructions" + (f" per operation ({per:g} operations)" if per != 1 else ""))
    for name, count in sorted(by_image.items(), key=lambda item: -item[1]):
        print(f"  {name:24} {count / per:14,.0f}  {100 * count / total:5.1f} %")
    if split:
        from categories import category
        by_category = defaultdict(int)
        for (image, symbol), count in by_symbol.items():
            by_category[category(image, symbol)] += count
        print()
        for name, count in sorted(by_category.items(), key=lambda item: -item[1]):
            print(f"  {name:24} {count / per:14,.0f}  {100 * count / total:5.1f} %")
    print()
    for (image, symbol), count in sorted(by_symbol.items(), key=lambda item: -item[1])[:top]:
        print(f"{count / per:12,.0f} {100 * count / total:5.1f} % {calls[(image, symbol)] / per:8.1f} calls  {image}: {symbol}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
