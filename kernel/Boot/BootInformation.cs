namespace Exo.Kernel.Boot
{
    public enum MemoryRegionType : uint
    {
        Available = 1,
        Reserved = 2,
        AcpiReclaimable = 3,
        AcpiNonVolatile = 4,
        Defective = 5,
    }

    public struct MemoryRegion
    {
        public ulong Base;
        public ulong Length;
        public MemoryRegionType Type;
        public ulong End => Base + Length;
    }

    public unsafe struct BootModule
    {
        public const int NameCapacity = 64;
        public ulong Start;     // physical
        public ulong End;       // physical, exclusive
        public int NameLength;
        public fixed byte Name[NameCapacity];
    }

    public struct Framebuffer
    {
        public ulong Address;   // physical
        public uint Pitch, Width, Height;
        public byte BitsPerPixel, Type;
    }

    /// <summary>
    /// What the boot loader told us, copied out of its structures (which live in memory the kernel will
    /// reuse) into fixed storage: memory map, modules, command line, framebuffer, ACPI root pointer.
    /// Limits are explicit; entries beyond them are counted in <see cref="DroppedEntries"/>.
    /// </summary>
    public unsafe struct BootInformation
    {
        public const int MemoryRegionCapacity = 64;
        public const int ModuleCapacity = 16;
        public const int CommandLineCapacity = 256;
        public const int RsdpCapacity = 36;

        public const uint Multiboot1Magic = 0x2BADB002;
        public const uint Multiboot2Magic = 0x36D76289;

        public int Protocol;                   // 1 or 2
        public ulong InformationStart;         // physical range of the loader's structure, to reserve
        public ulong InformationEnd;
        public int MemoryRegionCount;
        public fixed byte MemoryRegionStorage[MemoryRegionCapacity * 24];
        public int ModuleCount;
        public fixed byte ModuleStorage[ModuleCapacity * 88];
        public int CommandLineLength;
        public fixed byte CommandLine[CommandLineCapacity];
        public ulong CommandLinePhysical;      // where the loader put it (reserved too)
        public Framebuffer Framebuffer;
        public bool HasFramebuffer;
        public int RsdpLength;
        public fixed byte Rsdp[RsdpCapacity];
        public int DroppedEntries;

        public MemoryRegion* Regions
        {
            get { fixed (byte* storage = MemoryRegionStorage) return (MemoryRegion*)storage; }
        }

        public BootModule* Modules
        {
            get { fixed (byte* storage = ModuleStorage) return (BootModule*)storage; }
        }

        internal void AddRegion(ulong regionBase, ulong length, uint type)
        {
            if (MemoryRegionCount >= MemoryRegionCapacity)
            {
                DroppedEntries++;
                return;
            }
            MemoryRegion* region = Regions + MemoryRegionCount++;
            region->Base = regionBase;
            region->Length = length;
            region->Type = type >= 1 && type <= 5 ? (MemoryRegionType)type : MemoryRegionType.Reserved;
        }

        internal void AddModule(ulong start, ulong end, byte* name)
        {
            if (ModuleCount >= ModuleCapacity)
            {
                DroppedEntries++;
                return;
            }
            BootModule* module = Modules + ModuleCount++;
            module->Start = start;
            module->End = end;
            module->NameLength = CopyString(name, module->Name, BootModule.NameCapacity);
        }

        internal void SetCommandLine(byte* text)
        {
            fixed (byte* destination = CommandLine)
                CommandLineLength = CopyString(text, destination, CommandLineCapacity);
        }

        internal static int CopyString(byte* source, byte* destination, int capacity)
        {
            int length = 0;
            if (source != null)
                while (length < capacity - 1 && source[length] != 0)
                {
                    destination[length] = source[length];
                    length++;
                }
            destination[length] = 0;
            return length;
        }
    }

    /// <summary>
    /// Reads multiboot1 and multiboot2 boot information. Addresses inside the structures are physical;
    /// 'physicalOffset' is added to reach them (0 while the boot identity map is in place).
    /// Returns null on success, or what was wrong.
    /// </summary>
    public static unsafe class BootInformationParser
    {
        private const uint MaximumMultiboot2Size = 1 << 20;

        public static string Parse(uint magic, ulong informationPhysical, ulong physicalOffset, BootInformation* result)
        {
            if (informationPhysical == 0)
                return "no boot information";
            byte* information = (byte*)(informationPhysical + physicalOffset);
            if (magic == BootInformation.Multiboot2Magic)
                return ParseMultiboot2(information, informationPhysical, physicalOffset, result);
            if (magic == BootInformation.Multiboot1Magic)
                return ParseMultiboot1(information, informationPhysical, physicalOffset, result);
            return "unknown boot loader magic";
        }

        private static string ParseMultiboot2(byte* information, ulong informationPhysical, ulong physicalOffset, BootInformation* result)
        {
            result->Protocol = 2;
            uint totalSize = *(uint*)information;
            if (totalSize < 16 || totalSize > MaximumMultiboot2Size)
                return "multiboot2 information has an impossible size";
            result->InformationStart = informationPhysical;
            result->InformationEnd = informationPhysical + totalSize;
            uint offset = 8;
            while (offset + 8 <= totalSize)
            {
                byte* tag = information + offset;
                uint type = *(uint*)tag;
                uint size = *(uint*)(tag + 4);
                if (size < 8 || offset + size > totalSize)
                    return "multiboot2 tag overruns the information";
                if (type == 0)
                    return null;
                switch (type)
                {
                    case 1:
                        result->SetCommandLine(tag + 8);
                        result->CommandLinePhysical = informationPhysical + offset + 8;
                        break;
                    case 3:
                        if (size >= 17)
                            result->AddModule(*(uint*)(tag + 8), *(uint*)(tag + 12), tag + 16);
                        break;
                    case 6:
                        {
                            uint entrySize = *(uint*)(tag + 8);
                            if (entrySize < 24)
                                return "multiboot2 memory map entries are too small";
                            for (uint entry = 16; entry + entrySize <= size; entry += entrySize)
                                result->AddRegion(*(ulong*)(tag + entry), *(ulong*)(tag + entry + 8), *(uint*)(tag + entry + 16));
                            break;
                        }
                    case 8:
                        if (size >= 31)
                        {
                            result->HasFramebuffer = true;
                            result->Framebuffer.Address = *(ulong*)(tag + 8);
                            result->Framebuffer.Pitch = *(uint*)(tag + 16);
                            result->Framebuffer.Width = *(uint*)(tag + 20);
                            result->Framebuffer.Height = *(uint*)(tag + 24);
                            result->Framebuffer.BitsPerPixel = tag[28];
                            result->Framebuffer.Type = tag[29];
                        }
                        break;
                    case 14:
                    case 15:
                        // Prefer the ACPI 2.0 pointer when both are present.
                        if (type == 15 || result->RsdpLength == 0)
                        {
                            int length = (int)(size - 8) < BootInformation.RsdpCapacity ? (int)(size - 8) : BootInformation.RsdpCapacity;
                            for (int i = 0; i < length; i++)
                                result->Rsdp[i] = tag[8 + i];
                            result->RsdpLength = length;
                        }
                        break;
                }
                offset += (size + 7) & ~7u;
            }
            return "multiboot2 information has no end tag";
        }

        private static string ParseMultiboot1(byte* information, ulong informationPhysical, ulong physicalOffset, BootInformation* result)
        {
            result->Protocol = 1;
            result->InformationStart = informationPhysical;
            result->InformationEnd = informationPhysical + 120;
            uint flags = *(uint*)information;
            if ((flags & (1 << 2)) != 0)
            {
                uint commandLine = *(uint*)(information + 16);
                if (commandLine != 0)
                {
                    result->SetCommandLine((byte*)(commandLine + physicalOffset));
                    result->CommandLinePhysical = commandLine;
                }
            }
            if ((flags & (1 << 3)) != 0)
            {
                uint count = *(uint*)(information + 20);
                byte* modules = (byte*)(*(uint*)(information + 24) + physicalOffset);
                for (uint i = 0; i < count; i++)
                {
                    byte* module = modules + i * 16;
                    uint name = *(uint*)(module + 8);
                    result->AddModule(*(uint*)module, *(uint*)(module + 4), name == 0 ? null : (byte*)(name + physicalOffset));
                }
            }
            if ((flags & (1 << 6)) != 0)
            {
                uint length = *(uint*)(information + 44);
                byte* map = (byte*)(*(uint*)(information + 48) + physicalOffset);
                uint offset = 0;
                while (offset + 24 <= length)
                {
                    uint size = *(uint*)(map + offset);
                    if (size < 20)
                        return "multiboot1 memory map entry is too small";
                    result->AddRegion(*(ulong*)(map + offset + 4), *(ulong*)(map + offset + 12), *(uint*)(map + offset + 20));
                    offset += size + 4;
                }
            }
            else if ((flags & 1) != 0)
            {
                // Only the basic lower/upper sizes: conventional memory and memory above 1 MiB.
                result->AddRegion(0, (ulong)*(uint*)(information + 4) * 1024, 1);
                result->AddRegion(0x100000, (ulong)*(uint*)(information + 8) * 1024, 1);
            }
            else
            {
                return "multiboot1 information has no memory map";
            }
            return null;
        }
    }
}
