namespace Exo.Kernel.Arch.X64
{
    /// <summary>
    /// A thread's saved x87/SSE state in the XSAVE (or FXSAVE) layout: the legacy 512-byte region, then for
    /// XSAVE a 64-byte header whose XSTATE_BV says which components hold saved values.
    /// </summary>
    public static unsafe class ExtendedState
    {
        public const int LegacyRegionSize = 512;
        public const int HeaderSize = 64;
        private const ushort ResetControlWord = 0x037F;   // FNINIT's x87 control word
        private const uint ResetMxcsr = 0x1F80;           // all SIMD exceptions masked, round to nearest

        /// <summary>
        /// The state a new program starts with (as after FNINIT and a reset MXCSR, every register zero): XSTATE_BV
        /// 0 makes XRSTOR load the initial configuration of x87 and SSE, except MXCSR, which it always reads; an
        /// FXRSTOR reads the control words written here.
        /// </summary>
        public static void InitializeResetState(byte* area)
        {
            Memory.BlockMemory.Zero(area, LegacyRegionSize + HeaderSize);
            *(ushort*)area = ResetControlWord;
            *(uint*)(area + 24) = ResetMxcsr;
        }

        /// <summary>A copy of another thread's saved state (a fork child starts with its parent's registers).</summary>
        public static void Copy(byte* destination, byte* source)
        {
            Memory.BlockMemory.Copy(destination, source, LegacyRegionSize + HeaderSize);
        }

        // XSAVE's header: which components hold saved values (bit 0 x87, bit 1 SSE); 0 means "in the initial state".
        private const int StateBitmapOffset = LegacyRegionSize;
        private const ulong X87 = 1, Sse = 2;
        private const int MxcsrOffset = 24, MxcsrMaskOffset = 28, X87RegistersOffset = 32, XmmRegistersOffset = 160, XmmRegistersSize = 256;
        private const uint DefaultMxcsrMask = 0xFFBF;   // when the processor reports none: every bit but DAZ

        /// <summary>
        /// The FXSAVE-format image of a saved area (a signal frame's fpstate): with XSAVE, components the
        /// processor left out because they were in their initial state are written out as that state.
        /// </summary>
        public static void ToLegacyImage(byte* area, byte* image)
        {
            for (int i = 0; i < LegacyRegionSize; i++)
                image[i] = area[i];
            if (ProcessorSetup.ExtendedStateMode == 0)
                return;   // FXSAVE writes everything
            ulong inUse = *(ulong*)(area + StateBitmapOffset);
            if ((inUse & X87) == 0)
            {
                for (int i = 0; i < 24; i++)
                    image[i] = 0;
                *(ushort*)image = ResetControlWord;
                for (int i = X87RegistersOffset; i < XmmRegistersOffset; i++)
                    image[i] = 0;
            }
            if ((inUse & Sse) == 0)
                for (int i = XmmRegistersOffset; i < XmmRegistersOffset + XmmRegistersSize; i++)
                    image[i] = 0;
            for (int i = 464; i < LegacyRegionSize; i++)
                image[i] = 0;   // software-available bytes: no extended-state description follows
        }

        /// <summary>
        /// Loads an FXSAVE-format image a program supplied (sigreturn) into a thread's area, made safe to restore:
        /// MXCSR's reserved bits cleared (they would fault in the kernel's restore), the XSAVE header naming x87
        /// and SSE as saved and nothing else.
        /// </summary>
        public static void FromLegacyImage(byte* area, byte* image)
        {
            uint mask = *(uint*)(area + MxcsrMaskOffset);
            if (mask == 0)
                mask = DefaultMxcsrMask;
            for (int i = 0; i < LegacyRegionSize; i++)
                area[i] = image[i];
            *(uint*)(area + MxcsrOffset) &= mask;
            *(uint*)(area + MxcsrMaskOffset) = mask;
            for (int i = 0; i < HeaderSize; i++)
                area[LegacyRegionSize + i] = 0;
            if (ProcessorSetup.ExtendedStateMode != 0)
                *(ulong*)(area + StateBitmapOffset) = X87 | Sse;
        }
    }
}
