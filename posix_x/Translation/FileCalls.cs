using Exo.Kernel.Arch.X64;
using Exo.Kernel.Memory;
using Exo.Kernel.Syscalls;
using Exo.PosixX.KernelInterface;
using static Exo.PosixX.Abi.LinuxSystemCallNumber;

namespace Exo.PosixX.Translation
{
    /// <summary>
    /// Linux file calls. Until the VFS and descriptor table land, descriptors 1 and 2 are the console (write,
    /// writev), and readlink knows /proc/self/exe; every other descriptor is EBADF.
    /// </summary>
    public static unsafe class FileCalls
    {
        private const int MaximumVectors = 1024;   // IOV_MAX

        internal static void Register()
        {
            LinuxSystemCalls.Register(Write, &DoWrite, CallPath.Hybrid);
            LinuxSystemCalls.Register(Writev, &DoWriteVector, CallPath.Hybrid);
            LinuxSystemCalls.Register(Readlink, &DoReadLink, CallPath.Hybrid);
        }

        private static ulong DoWrite(RegisterFrame* frame)
            => frame->Argument0 == 1 || frame->Argument0 == 2 ? ConsoleCalls.WriteFromUser(frame->Argument1, frame->Argument2)
                : SystemCallResult.From(Error.BadHandle);

        private struct IoVector { public ulong Base, Length; }

        private static ulong DoWriteVector(RegisterFrame* frame)
        {
            ulong descriptor = frame->Argument0, vectors = frame->Argument1, count = frame->Argument2;
            if (descriptor != 1 && descriptor != 2)
                return SystemCallResult.From(Error.BadHandle);
            if (count > MaximumVectors)
                return SystemCallResult.From(Error.Invalid);
            ulong total = 0;
            for (ulong i = 0; i < count; i++)
            {
                IoVector vector;
                if (!UserMemory.CopyFromUser(&vector, vectors + i * 16, 16))
                    return total == 0 ? SystemCallResult.From(Error.BadAddress) : total;
                if (vector.Length == 0)
                    continue;
                ulong written = ConsoleCalls.WriteFromUser(vector.Base, vector.Length);
                if ((long)written < 0)
                    return total == 0 ? written : total;
                total += written;
                if (written < vector.Length)
                    break;
            }
            return total;
        }

        private static ulong DoReadLink(RegisterFrame* frame)
        {
            const int capacity = 64;
            byte* path = stackalloc byte[capacity];
            int length = 0;
            for (; length < capacity; length++)
            {
                if (!UserMemory.CopyFromUser(path + length, frame->Argument0 + (ulong)length, 1))
                    return SystemCallResult.From(Error.BadAddress);
                if (path[length] == 0)
                    break;
            }
            if (!Is(path, length, "/proc/self/exe"))
                return SystemCallResult.From(Error.NotFound);
            Exo.Kernel.Processes.Process process = LinuxProcess.Current.Process;
            byte* target = stackalloc byte[capacity];
            target[0] = (byte)'/';
            for (int i = 0; i < process.NameLength; i++)
                target[1 + i] = process.Name[i];
            ulong size = (ulong)process.NameLength + 1;
            if (frame->Argument2 < size)
                size = frame->Argument2;
            return UserMemory.CopyToUser(frame->Argument1, target, size) ? size : SystemCallResult.From(Error.BadAddress);
        }

        private static bool Is(byte* text, int length, string expected)
        {
            if (length != expected.Length)
                return false;
            for (int i = 0; i < length; i++)
                if (text[i] != expected[i])
                    return false;
            return true;
        }
    }
}
