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
            for (int i = 0; i < LegacyRegionSize + HeaderSize; i++)
                area[i] = 0;
            *(ushort*)area = ResetControlWord;
            *(uint*)(area + 24) = ResetMxcsr;
        }

        /// <summary>A copy of another thread's saved state (a fork child starts with its parent's registers).</summary>
        public static void Copy(byte* destination, byte* source)
        {
            for (int i = 0; i < LegacyRegionSize + HeaderSize; i++)
                destination[i] = source[i];
        }
    }
}
