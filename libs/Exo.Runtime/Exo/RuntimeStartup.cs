using System.Runtime;
using System.Runtime.InteropServices;
using Internal.Runtime;

namespace Exo.Runtime
{
    /// <summary>
    /// What the NativeAOT runtime does at start-up, for a freestanding image: give every type with
    /// reference-type static fields its static base object (compiled code reaches those fields through it),
    /// and run the eager class constructors. Call once, after <see cref="ObjectAllocator.Install"/> and
    /// before any code touches a reference-type static field.
    /// </summary>
    public static unsafe class RuntimeStartup
    {
        private const uint ReadyToRunSignature = 0x00525452; // "RTR"
        private const int GCStaticRegionSection = 201;
        private const int EagerClassConstructorSection = 205;
        private const nint StaticBaseUninitialized = 1;
        private const nint StaticBaseHasPreinitializedData = 2;
        private const nint StaticBaseFlagsMask = 3;


        [DllImport("*", EntryPoint = "ExoGetModuleHeaders"), SuppressGCTransition]
        private static extern nint* GetModuleHeaders(nint** end);

        public static void Initialize()
        {
            ExportedEntryPoints.Root();

            nint* end;
            nint* headers = GetModuleHeaders(&end);
            for (nint* header = headers; header < end; header++)
            {
                if (*header == 0)
                    continue;
                ReadyToRunHeader* readyToRun = (ReadyToRunHeader*)*header;
                if (readyToRun->Signature != ReadyToRunSignature)
                    RuntimeFailure.Fail("module header has no ReadyToRun signature", null);
                InitializeStaticBases(readyToRun);
            }
            for (nint* header = headers; header < end; header++)
            {
                if (*header != 0)
                    RunEagerClassConstructors((ReadyToRunHeader*)*header);
            }
        }

        // The region is an array of 32-bit relative pointers to static base slots. A slot starts out holding
        // a relative pointer to the type's MethodTable with flag bits, followed by a relative pointer to
        // preinitialised data if there is any; it ends up holding the address of the static base object.
        private static void InitializeStaticBases(ReadyToRunHeader* header)
        {
            ModuleSection* section = FindSection(header, GCStaticRegionSection);
            if (section == null)
                return;
            for (int* entry = (int*)section->Start; entry < (int*)section->End; entry++)
            {
                nint* slot = (nint*)ReadRelativePointer(entry);
                nint value = (nint)ReadRelativePointer((int*)slot);
                if ((value & StaticBaseUninitialized) == 0)
                    continue;
                MethodTable* type = (MethodTable*)(value & ~StaticBaseFlagsMask);
                byte* instance = (byte*)ObjectAllocator.AllocateZeroed(type->BaseSize);
                *(MethodTable**)instance = type;
                if ((value & StaticBaseHasPreinitializedData) != 0)
                {
                    // The compiler evaluated the initial values: copy them over the fields.
                    byte* data = ReadRelativePointer((int*)slot + 1);
                    uint size = type->BaseSize - (uint)(2 * sizeof(nint));
                    for (uint i = 0; i < size; i++)
                        instance[sizeof(nint) + i] = data[i];
                }
                *slot = (nint)instance;
            }
        }

        private static byte* ReadRelativePointer(int* location) => (byte*)location + *location;

        private static void RunEagerClassConstructors(ReadyToRunHeader* header)
        {
            ModuleSection* section = FindSection(header, EagerClassConstructorSection);
            if (section == null)
                return;
            // 32-bit relative pointers to the constructors, like the static base region.
            for (int* constructor = (int*)section->Start; constructor < (int*)section->End; constructor++)
                ((delegate*<void>)ReadRelativePointer(constructor))();
        }

        private static ModuleSection* FindSection(ReadyToRunHeader* header, int sectionId)
        {
            ModuleSection* sections = (ModuleSection*)(header + 1);
            for (int i = 0; i < header->NumberOfSections; i++)
                if (sections[i].SectionId == sectionId)
                    return &sections[i];
            return null;
        }

        [StructLayout(LayoutKind.Sequential)]
        private struct ReadyToRunHeader
        {
            public uint Signature;
            public ushort MajorVersion;
            public ushort MinorVersion;
            public uint Flags;
            public ushort NumberOfSections;
            public byte EntrySize;
            public byte EntryType;
        }

        [StructLayout(LayoutKind.Sequential)]
        private struct ModuleSection
        {
            public int SectionId;
            public int Flags;
            public nint Start;
            public nint End;
        }
    }
}
