using Exo.Kernel.Arch.X64;
using Exo.Kernel.Memory;
using Exo.Kernel.Memory.Heap;
using Exo.Kernel.Syscalls;
using Exo.PosixX.KernelInterface;
using Exo.PosixX.Vfs;
using static Exo.PosixX.Abi.LinuxSystemCallNumber;

namespace Exo.PosixX.Translation
{
    /// <summary>
    /// Copies between two open files inside the kernel: sendfile (busybox's cat, cp and others copy with it first and
    /// fall back to read and write only when it fails). Linux's rules: the input open for reading and the output for
    /// writing (EBADF), an output with O_APPEND refused (EINVAL), an offset pointer only for an input that can seek
    /// (ESPIPE), a negative offset EINVAL, at most MAX_RW_COUNT bytes a call; the input's offset (or *offset) and the
    /// output's move past what was written.
    /// </summary>
    public static unsafe class TransferCalls
    {
        private const int ChunkSize = 4096;

        internal static void Register()
        {
            LinuxSystemCalls.Register(Sendfile, &DoSendFile, CallPath.Hybrid);
        }

        // sendfile(out_fd, in_fd, offset, count). Linux's order: the offset read (EFAULT), the input (EBADF; ESPIPE
        // for an offset on what cannot seek; EINVAL for a negative one), then the output (EBADF; EINVAL with O_APPEND).
        private static ulong DoSendFile(RegisterFrame* frame)
        {
            ulong offsetPointer = frame->Argument2;
            ulong position = 0;
            if (offsetPointer != 0 && !UserMemory.CopyFromUser(&position, offsetPointer, 8))
                return SystemCallResult.From(Error.BadAddress);
            OpenFile input = DescriptorContext.File(frame->Argument1);
            if (input == null)
                return SystemCallResult.From(Error.BadHandle);
            OpenFile output = null;
            Error error = !input.CanRead ? Error.BadHandle
                : offsetPointer != 0 && !CanSeek(input) ? Error.IllegalSeek
                : offsetPointer != 0 && (long)position < 0 ? Error.Invalid
                : (output = DescriptorContext.File(frame->Argument0)) == null || !output.CanWrite ? Error.BadHandle
                : (output.Flags & OpenFlags.Append) != 0 ? Error.Invalid
                : input.Node.IsDirectory ? Error.Invalid
                : Error.None;
            ulong done = 0;
            if (error == Error.None)
            {
                ulong count = frame->Argument3 < FileCalls.MaximumTransfer ? frame->Argument3 : FileCalls.MaximumTransfer;
                error = Copy(input, output, offsetPointer != 0, ref position, count, out done);
                if (offsetPointer != 0 && !UserMemory.CopyToUser(offsetPointer, &position, 8))
                    error = Error.BadAddress;
            }
            input.Release();
            output?.Release();
            return SystemCallResult.From(error, done);
        }

        // Whether pread works on it (Linux's FMODE_PREAD): a zero-byte pread tells, ESPIPE for pipes and terminals.
        private static bool CanSeek(OpenFile file) => file.ReadAt(0, IoBuffer.Kernel(null), 0, out _) != Error.IllegalSeek;

        /// <summary>
        /// Copies up to 'count' bytes from 'input' (at 'position' if 'positioned', else at its own offset) to 'output' at
        /// its offset, through a kernel page. What was read but not written goes back: 'position' or the input's offset
        /// stays just past what the output took. An error after some bytes were copied is not reported (the next call
        /// meets it again), as with read and write.
        /// </summary>
        private static Error Copy(OpenFile input, OpenFile output, bool positioned, ref ulong position, ulong count, out ulong done)
        {
            done = 0;
            byte* chunk = (byte*)KernelHeap.AllocateUninitialized(ChunkSize);
            if (chunk == null)
                return Error.OutOfMemory;
            Error error = Error.None;
            while (done < count)
            {
                ulong want = count - done < ChunkSize ? count - done : ChunkSize;
                ulong read;
                error = positioned ? input.ReadAt(position, IoBuffer.Kernel(chunk), want, out read) : input.Read(IoBuffer.Kernel(chunk), want, out read);
                if (error != Error.None || read == 0)
                    break;
                error = output.Write(IoBuffer.Kernel(chunk), read, out ulong written);
                done += written;
                position += written;
                if (written < read && !positioned && input.Node.IsRegular)
                    input.Seek(-(long)(read - written), OpenFile.SeekCurrent, out _);
                if (error != Error.None || written < read)
                    break;
            }
            KernelHeap.Free(chunk);
            return done > 0 ? Error.None : error;
        }
    }
}
