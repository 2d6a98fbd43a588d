namespace Exo.Kernel.Arch.X64
{
    /// <summary>
    /// A thread's saved x87/SSE/AVX state in the XSAVE standard layout (or FXSAVE's without XSAVE): the legacy
    /// 512-byte region, a 64-byte header whose XSTATE_BV says which components hold saved values, then AVX's upper
    /// YMM halves where CPUID leaf 0xD puts them. Which components are saved and how big the area is are the
    /// processor's (ProcessorSetup.EnableOnThisProcessor sets them from CPUID, after XSETBV); an area is one page.
    /// Saved with XSAVEOPT (or XSAVE), not XSAVEC/XSAVES: their compacted layout is not the one a Linux signal
    /// frame carries, and this one is, so a frame's image is a copy of the area.
    /// </summary>
    public static unsafe class ExtendedState
    {
        public const int LegacyRegionSize = 512;
        public const int HeaderSize = 64;
        /// <summary>What a thread's area holds at most: a page (UserMode allocates one frame per thread).</summary>
        public const int AreaCapacity = 4096;
        /// <summary>XSAVE components (XCR0 bits) the kernel knows: x87, SSE, AVX (the upper halves of YMM0-15).</summary>
        public const ulong X87 = 1, Sse = 2, Avx = 4;
        private const ushort ResetControlWord = 0x037F;   // FNINIT's x87 control word
        private const uint ResetMxcsr = 0x1F80;           // all SIMD exceptions masked, round to nearest
        private const uint DefaultMxcsrMask = 0xFFBF;     // when the processor reports none: every bit but DAZ

        // The legacy region (FXSAVE's layout) and the header.
        private const int MxcsrOffset = 24, MxcsrMaskOffset = 28, X87RegistersOffset = 32, XmmRegistersOffset = 160, XmmRegistersSize = 256;
        public const int StateBitmapOffset = LegacyRegionSize;            // XSTATE_BV
        private const int CompactionBitmapOffset = LegacyRegionSize + 8;  // XCOMP_BV: 0 in the standard layout
        private const int HeaderReservedOffset = LegacyRegionSize + 16;   // the header's last 48 bytes: all 0

        private static int s_size;   // set by Configure before any user thread runs
        private static ulong s_components;
        private static int s_avxOffset, s_avxSize;

        /// <summary>The bytes of an area XSAVE writes (CPUID 0xD's EBX for the components enabled), or FXSAVE's plus a header.</summary>
        public static int Size => s_size;
        /// <summary>The components saved (XCR0); 0 when the state is saved with FXSAVE.</summary>
        public static ulong Components => s_components;
        /// <summary>Where AVX's upper YMM halves are in an area, and their size (0 without AVX).</summary>
        public static int AvxOffset => s_avxOffset;
        public static int AvxSize => s_avxSize;

        /// <summary>
        /// The layout ProcessorSetup found (the same on every processor): 'components' enabled in XCR0, 'size' the
        /// area XSAVE writes for them. False if it does not fit an area.
        /// </summary>
        public static bool Configure(ulong components, int size, int avxOffset, int avxSize)
        {
            if (size < LegacyRegionSize + HeaderSize || size > AreaCapacity
                || ((components & Avx) != 0 && (avxOffset < LegacyRegionSize + HeaderSize || avxOffset + avxSize > size)))
                return false;
            s_components = components;
            s_size = size;
            s_avxOffset = (components & Avx) != 0 ? avxOffset : 0;
            s_avxSize = (components & Avx) != 0 ? avxSize : 0;
            return true;
        }

        /// <summary>
        /// The state a new program (or a signal handler) starts with, as after FNINIT and a reset MXCSR, every
        /// register zero: XSTATE_BV 0 makes XRSTOR load the initial configuration of every component, except MXCSR,
        /// which it always reads; an FXRSTOR reads the control words written here.
        /// </summary>
        public static void InitializeResetState(byte* area)
        {
            Memory.BlockMemory.Zero(area, (ulong)s_size);
            *(ushort*)area = ResetControlWord;
            *(uint*)(area + MxcsrOffset) = ResetMxcsr;
        }

        /// <summary>A copy of another thread's saved state (a fork child starts with its parent's registers).</summary>
        public static void Copy(byte* destination, byte* source)
        {
            Memory.BlockMemory.Copy(destination, source, (ulong)s_size);
        }

        public static bool SavedWithXsave => s_components != 0;

        /// <summary>
        /// Writes out, in place, the components XSAVE(OPT) left out because they were in their initial state (their
        /// XSTATE_BV bit 0: the bytes are stale), so that every byte of the area is the thread's state (a signal
        /// frame's image of it). The bitmap is not changed: XRSTOR loads the same state either way.
        /// </summary>
        public static void WriteInitialComponents(byte* area)
        {
            if (!SavedWithXsave)
                return;   // FXSAVE writes everything
            ulong inUse = *(ulong*)(area + StateBitmapOffset);
            if ((inUse & X87) == 0)
            {
                Memory.BlockMemory.Zero(area, MxcsrOffset);   // control, status, tag words, last instruction and operand
                *(ushort*)area = ResetControlWord;
                Memory.BlockMemory.Zero(area + X87RegistersOffset, XmmRegistersOffset - X87RegistersOffset);
            }
            if ((inUse & Sse) == 0)
                Memory.BlockMemory.Zero(area + XmmRegistersOffset, XmmRegistersSize);
            if ((s_components & Avx) != 0 && (inUse & Avx) == 0)
                Memory.BlockMemory.Zero(area + s_avxOffset, (ulong)s_avxSize);
        }

        /// <summary>The MXCSR bits this processor accepts (FXSAVE's MXCSR_MASK in a saved area; its default if 0).</summary>
        public static uint MxcsrMask(byte* area)
        {
            uint mask = *(uint*)(area + MxcsrMaskOffset);
            return mask != 0 ? mask : DefaultMxcsrMask;
        }

        /// <summary>
        /// Makes a saved image a program supplied (sigreturn, already copied into 'area') safe for XRSTOR or FXRSTOR
        /// to load, or says it is not, as the processor would fault on it: MXCSR with a reserved bit, or (with
        /// XSAVE) a header naming a component not enabled, a compacted layout or non-zero reserved bytes. Only
        /// components in 'requested' are taken from the image; the others start in their initial state.
        /// 'mxcsrMask' is MxcsrMask of the thread's area before the image replaced it.
        /// </summary>
        public static bool AcceptImage(byte* area, ulong requested, uint mxcsrMask)
        {
            if ((requested & (Sse | Avx)) == 0)
                *(uint*)(area + MxcsrOffset) = ResetMxcsr;   // MXCSR belongs to SSE and AVX: neither is taken
            else if ((*(uint*)(area + MxcsrOffset) & ~mxcsrMask) != 0)
                return false;
            *(uint*)(area + MxcsrMaskOffset) = mxcsrMask;
            if (!SavedWithXsave)
                return true;
            ulong inUse = *(ulong*)(area + StateBitmapOffset);
            if ((inUse & ~s_components) != 0 || *(ulong*)(area + CompactionBitmapOffset) != 0)
                return false;
            for (int offset = HeaderReservedOffset; offset < LegacyRegionSize + HeaderSize; offset += 8)
                if (*(ulong*)(area + offset) != 0)
                    return false;
            *(ulong*)(area + StateBitmapOffset) = inUse & requested;
            return true;
        }

        /// <summary>
        /// Loads an FXSAVE-format image (a legacy signal frame, already in 'area''s first 512 bytes): x87 and SSE
        /// from it, every other component in its initial state. False if the processor would fault on it.
        /// </summary>
        public static bool AcceptLegacyImage(byte* area, uint mxcsrMask)
        {
            Memory.BlockMemory.Zero(area + LegacyRegionSize, (ulong)(s_size - LegacyRegionSize));
            if (SavedWithXsave)
                *(ulong*)(area + StateBitmapOffset) = X87 | Sse;
            return AcceptImage(area, X87 | Sse, mxcsrMask);
        }
    }
}
