using Exo.Kernel.Arch.X64;
using Exo.Kernel.Memory;

namespace Exo.Kernel.Processes
{
    /// <summary>
    /// What a program finds on its stack and in its registers at its first instruction, per personality.
    /// Native: RDI = the number of its handles, RSI = their address (64-bit values in grant order), followed by
    /// its command line (a 64-bit length, the bytes, a zero byte). Linux, as the x86-64 System V ABI and Linux's
    /// execve lay it out: RSP 16-byte aligned at argc, then the argv pointers and a null, the envp pointers and a
    /// null, the auxiliary vector (type/value pairs ending with AT_NULL); above them the strings, AT_RANDOM's 16
    /// bytes and the platform name; every other register zero (RDX too: no exit handler from a loader).
    /// </summary>
    public static unsafe class StartStack
    {
        // Auxiliary vector types (Linux's include/uapi/linux/auxvec.h and asm/auxvec.h).
        public const ulong AtNull = 0, AtPhdr = 3, AtPhent = 4, AtPhnum = 5, AtPagesz = 6, AtBase = 7, AtFlags = 8,
            AtEntry = 9, AtUid = 11, AtEuid = 12, AtGid = 13, AtEgid = 14, AtPlatform = 15, AtHwcap = 16, AtClktck = 17,
            AtSecure = 23, AtRandom = 25, AtHwcap2 = 26, AtExecfn = 31, AtSysinfoEhdr = 33, AtMinsigstksz = 51;
        /// <summary>
        /// Pairs written at most, AT_NULL included (AT_SYSINFO_EHDR only when the personality mapped a vDSO,
        /// AT_MINSIGSTKSZ only once the personality said how big its signal frames are).
        /// </summary>
        public const int MaximumAuxiliaryPairs = 21;

        /// <summary>
        /// AT_MINSIGSTKSZ: the stack a Linux signal frame takes at most (its fpstate's size is the processor's
        /// XSAVE area), set by POSIX-X at boot; 0 leaves the pair out.
        /// </summary>
        public static ulong MinimumSignalStackSize;
        /// <summary>Linux's USER_HZ: the unit of times() and /proc's clock ticks.</summary>
        public const ulong ClockTicksPerSecond = 100;
        private const int ProgramHeaderSize = 56;
        private const string Platform = "x86_64";

        /// <summary>
        /// The native start: the process's handles and command line below the stack top; its registers in 'frame'.
        /// </summary>
        public static bool BuildNative(Process process, out RegisterFrame frame)
        {
            AddressSpace space = process.AddressSpace;
            int handleCount = process.Handles.Count;
            ulong commandBytes = ((ulong)process.CommandLineLength + 8 + 1 + 15) & ~15UL;
            ulong array = (process.Image.StackTop - commandBytes - 8 * (ulong)handleCount) & ~15UL;
            bool written = true;
            for (int i = 0; i < handleCount; i++)
            {
                process.Handles.TryGetAt(i, out Capabilities.Handle handle, out _);
                ulong value = handle.Value;
                written &= space.CopyInto(array + 8 * (ulong)i, (byte*)&value, 8);
            }
            ulong command = array + 8 * (ulong)handleCount;
            ulong length = (ulong)process.CommandLineLength;
            written &= space.CopyInto(command, (byte*)&length, 8);
            written &= space.CopyInto(command + 8, process.CommandLine, (ulong)process.CommandLineLength + 1);
            frame = RegisterFrame.StartAt(process.Image.Entry, array - 16, (ulong)handleCount, array);
            return written;
        }

        /// <summary>
        /// The Linux start: 'arguments' (argv, envp) and the auxiliary vector below the stack top; its registers
        /// in 'frame'. 'executableName' is AT_EXECFN (the path it was started by). False if the strings and
        /// tables do not fit the stack.
        /// </summary>
        public static bool BuildLinux(Process process, ArgumentVector arguments, byte* executableName, int executableNameLength,
            ulong vdsoBase, out RegisterFrame frame)
            => BuildLinux(process.AddressSpace, process.Image, arguments, executableName, executableNameLength, vdsoBase, out frame);

        /// <summary>The same, into a space not yet any process's (execve builds the new program's stack before it commits).</summary>
        public static bool BuildLinux(AddressSpace space, in ProgramImage image, ArgumentVector arguments, byte* executableName,
            int executableNameLength, ulong vdsoBase, out RegisterFrame frame)
        {
            frame = default;
            ulong position = image.StackTop - 8;                       // an 8-byte zero end marker at the very top
            ulong zero = 0;
            bool written = space.CopyInto(position, (byte*)&zero, 8);

            position -= (ulong)executableNameLength + 1;              // AT_EXECFN's string
            ulong executableNameAddress = position;
            written &= space.CopyInto(position, executableName, (ulong)executableNameLength);
            written &= space.CopyInto(position + (ulong)executableNameLength, (byte*)&zero, 1);

            position -= (ulong)arguments.Length;                      // argv's, then envp's strings
            ulong strings = position;
            written &= space.CopyInto(strings, arguments.Bytes, (ulong)arguments.Length);

            byte* platform = stackalloc byte[8];
            for (int i = 0; i < Platform.Length; i++)
                platform[i] = (byte)Platform[i];
            platform[Platform.Length] = 0;
            position -= (ulong)Platform.Length + 1;
            ulong platformAddress = position;
            written &= space.CopyInto(platformAddress, platform, (ulong)Platform.Length + 1);

            position = (position - 16) & ~15UL;                       // AT_RANDOM: 16 unpredictable bytes
            ulong randomAddress = position;
            ulong* random = stackalloc ulong[2];
            random[0] = HardwareRandom.Next();
            random[1] = HardwareRandom.Next();
            written &= space.CopyInto(randomAddress, (byte*)random, 16);

            ulong* auxiliary = stackalloc ulong[2 * MaximumAuxiliaryPairs];
            int pairs = 0;
            if (vdsoBase != 0)
                AddPair(auxiliary, ref pairs, AtSysinfoEhdr, vdsoBase);
            if (MinimumSignalStackSize != 0)
                AddPair(auxiliary, ref pairs, AtMinsigstksz, MinimumSignalStackSize);   // where Linux puts it: after the vDSO
            AddPair(auxiliary, ref pairs, AtHwcap, CpuFeatures.Leaf1Edx);
            AddPair(auxiliary, ref pairs, AtPagesz, 4096);
            AddPair(auxiliary, ref pairs, AtClktck, ClockTicksPerSecond);
            AddPair(auxiliary, ref pairs, AtPhdr, image.ProgramHeaderAddress);
            AddPair(auxiliary, ref pairs, AtPhent, ProgramHeaderSize);
            AddPair(auxiliary, ref pairs, AtPhnum, image.ProgramHeaderCount);
            AddPair(auxiliary, ref pairs, AtBase, image.InterpreterBase);   // the dynamic linker's base (0: a static program)
            AddPair(auxiliary, ref pairs, AtFlags, 0);
            AddPair(auxiliary, ref pairs, AtEntry, image.Entry);
            AddPair(auxiliary, ref pairs, AtUid, 0);
            AddPair(auxiliary, ref pairs, AtEuid, 0);
            AddPair(auxiliary, ref pairs, AtGid, 0);
            AddPair(auxiliary, ref pairs, AtEgid, 0);
            AddPair(auxiliary, ref pairs, AtSecure, 0);
            AddPair(auxiliary, ref pairs, AtRandom, randomAddress);
            AddPair(auxiliary, ref pairs, AtHwcap2, 0);
            AddPair(auxiliary, ref pairs, AtExecfn, executableNameAddress);
            AddPair(auxiliary, ref pairs, AtPlatform, platformAddress);
            AddPair(auxiliary, ref pairs, AtNull, 0);

            // argc, argv[], null, envp[], null, auxv: RSP lands 16-byte aligned on argc.
            int argumentCount = arguments.ArgumentCount, environmentCount = arguments.EnvironmentCount;
            ulong tableWords = 1 + (ulong)argumentCount + 1 + (ulong)environmentCount + 1 + 2 * (ulong)pairs;
            ulong stackPointer = (position - tableWords * 8) & ~15UL;
            if (stackPointer < image.StackTop - ProgramLoader.StackBytes + 4096)
                return false;   // the strings leave the program no stack to run on
            ulong word = stackPointer;
            ulong count = (ulong)argumentCount;
            written &= space.CopyInto(word, (byte*)&count, 8);
            word += 8;
            ulong stringAddress = strings;
            byte* bytes = arguments.Bytes;
            int offset = 0;
            for (int i = 0; i < argumentCount + environmentCount; i++)
            {
                if (i == argumentCount)
                {
                    written &= space.CopyInto(word, (byte*)&zero, 8);   // argv's null
                    word += 8;
                }
                ulong address = stringAddress + (ulong)offset;
                written &= space.CopyInto(word, (byte*)&address, 8);
                word += 8;
                while (bytes[offset] != 0)
                    offset++;
                offset++;
            }
            if (environmentCount == 0)
            {
                written &= space.CopyInto(word, (byte*)&zero, 8);       // argv's null (no environment)
                word += 8;
            }
            written &= space.CopyInto(word, (byte*)&zero, 8);           // envp's null
            word += 8;
            written &= space.CopyInto(word, (byte*)auxiliary, 16 * (ulong)pairs);
            frame = RegisterFrame.StartAt(image.InterpreterEntry != 0 ? image.InterpreterEntry : image.Entry, stackPointer);   // a dynamic program starts in its linker
            return written;
        }

        private static void AddPair(ulong* auxiliary, ref int pairs, ulong type, ulong value)
        {
            auxiliary[2 * pairs] = type;
            auxiliary[2 * pairs + 1] = value;
            pairs++;
        }
    }
}
