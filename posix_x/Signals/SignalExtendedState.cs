using Exo.Kernel.Arch.X64;
using Exo.Kernel.Memory;

namespace Exo.PosixX.Signals
{
    /// <summary>
    /// The fpstate of a Linux x86-64 signal frame (arch/x86/kernel/fpu/signal.c, uapi asm/sigcontext.h): with
    /// XSAVE, the XSAVE standard-layout image of the interrupted code's x87/SSE/AVX state, 64-byte aligned, with
    /// struct _fpx_sw_bytes in the legacy region's software-reserved bytes (FP_XSTATE_MAGIC1, the sizes, the
    /// components) and FP_XSTATE_MAGIC2 right after the image; without XSAVE, the FXSAVE image alone.
    /// rt_sigreturn takes the whole image back when both magics are right, else the legacy region only (the
    /// other components start over in their initial state); an image the processor would fault on is a bad
    /// frame (SIGSEGV), never a fault in the kernel.
    /// </summary>
    public static unsafe class SignalExtendedState
    {
        public const uint Magic1 = 0x46505853, Magic2 = 0x46505845;   // FP_XSTATE_MAGIC1, FP_XSTATE_MAGIC2
        private const int Magic2Size = 4;
        // struct _fpx_sw_bytes: magic1, extended_size, xfeatures (8 bytes), xstate_size, 7 reserved words.
        private const int SoftwareBytesOffset = 464, SoftwareBytesSize = 48;
        private const int Magic1Offset = 0, ExtendedSizeOffset = 4, FeaturesOffset = 8, StateSizeOffset = 16;
        private const int LegacyAlignment = 16, XsaveAlignment = 64;

        /// <summary>Whether frames carry the XSAVE image (ucontext's uc_flags then has UC_FP_XSTATE).</summary>
        public static bool Extended => ExtendedState.SavedWithXsave;

        /// <summary>The bytes the fpstate takes in a frame: the image and MAGIC2 after it (FXSAVE's image without XSAVE).</summary>
        public static int Size => Extended ? ExtendedState.Size + Magic2Size : ExtendedState.LegacyRegionSize;

        /// <summary>
        /// Writes the thread's state (its saved 'area') as a frame's fpstate at 'fpState' (64-byte aligned). The
        /// area is rewritten in place on the way (stale bytes of components in their initial state written out,
        /// the software bytes filled in) without changing the state it holds. False: the stack is not writable.
        /// </summary>
        public static bool Write(byte* area, ulong fpState)
        {
            ExtendedState.WriteInitialComponents(area);
            byte* software = area + SoftwareBytesOffset;
            BlockMemory.Zero(software, SoftwareBytesSize);
            if (!Extended)
                return UserMemory.CopyToUser(fpState, area, ExtendedState.LegacyRegionSize);
            int imageSize = ExtendedState.Size;
            *(uint*)(software + Magic1Offset) = Magic1;
            *(uint*)(software + ExtendedSizeOffset) = (uint)(imageSize + Magic2Size);
            *(ulong*)(software + FeaturesOffset) = ExtendedState.Components;
            *(uint*)(software + StateSizeOffset) = (uint)imageSize;
            // As Linux: x87 and SSE always marked saved (their bytes are real now), so that a program that edits
            // only the legacy region sees its change taken back.
            *(ulong*)(area + ExtendedState.StateBitmapOffset) |= ExtendedState.X87 | ExtendedState.Sse;
            uint magic = Magic2;
            return UserMemory.CopyToUser(fpState, area, (ulong)imageSize)
                && UserMemory.CopyToUser(fpState + (ulong)imageSize, &magic, Magic2Size);
        }

        /// <summary>
        /// rt_sigreturn: the fpstate at 'fpState' becomes the thread's state (its 'area'). False: a bad frame
        /// (unreadable, misaligned, or an image the processor would refuse); the area is then in the reset state,
        /// as Linux leaves the registers after a failed restore.
        /// </summary>
        public static bool Read(byte* area, ulong fpState)
        {
            uint mxcsrMask = ExtendedState.MxcsrMask(area);
            bool accepted = (fpState & (LegacyAlignment - 1)) == 0
                && UserMemory.CopyFromUser(area, fpState, ExtendedState.LegacyRegionSize)
                && Accept(area, fpState, mxcsrMask);
            if (!accepted)
                ExtendedState.InitializeResetState(area);
            return accepted;
        }

        // The legacy region is in the area: the rest of the image too if the software bytes describe one this
        // processor can load (Linux's check_xstate_in_sigframe), else the legacy region alone.
        private static bool Accept(byte* area, ulong fpState, uint mxcsrMask)
        {
            if (!Extended)
                return ExtendedState.AcceptLegacyImage(area, mxcsrMask);
            byte* software = area + SoftwareBytesOffset;
            uint stateSize = *(uint*)(software + StateSizeOffset);
            ulong features = *(ulong*)(software + FeaturesOffset);
            if (*(uint*)(software + Magic1Offset) != Magic1
                || stateSize < ExtendedState.LegacyRegionSize + ExtendedState.HeaderSize || stateSize > (uint)ExtendedState.Size
                || stateSize > *(uint*)(software + ExtendedSizeOffset))
                return ExtendedState.AcceptLegacyImage(area, mxcsrMask);
            uint magic;
            if (!UserMemory.CopyFromUser(&magic, fpState + stateSize, Magic2Size))
                return false;
            if (magic != Magic2)
                return ExtendedState.AcceptLegacyImage(area, mxcsrMask);
            if ((fpState & (XsaveAlignment - 1)) != 0)
                return false;   // XRSTOR's alignment
            if (!UserMemory.CopyFromUser(area + ExtendedState.LegacyRegionSize, fpState + ExtendedState.LegacyRegionSize,
                    stateSize - ExtendedState.LegacyRegionSize))
                return false;
            BlockMemory.Zero(area + stateSize, (ulong)ExtendedState.Size - stateSize);
            return ExtendedState.AcceptImage(area, features & ExtendedState.Components, mxcsrMask);
        }
    }
}
