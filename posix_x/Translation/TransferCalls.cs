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
    /// Copies between two open files inside the kernel, without the bytes passing through the program: sendfile
    /// (busybox's cat and cp try it first). The bytes go through one kernel staging buffer, a piece at a time; a
    /// short read ends the copy, and what was copied before an error counts, as Linux reports it.
    /// </summary>
    public static unsafe class TransferCalls
    {
        private const ulong StagingSize = 64 * 1024;
        private const ulong MaximumTransfer = 0x7FFFF000;   // Linux's MAX_RW_COUNT

        internal static void Register()
        {
            LinuxSystemCalls.Register(Sendfile, &DoSendFile, CallPath.Hybrid);
        }

        // sendfile(out, in, offset pointer or null, count): from 'in' at *offset (its own offset untouched, *offset
        // moved) or at its offset (moved), to 'out' at its offset.
        private static ulong DoSendFile(RegisterFrame* frame)
        {
            OpenFile output = DescriptorContext.File(frame->Argument0);
            OpenFile input = DescriptorContext.File(frame->Argument1);
            ulong done = 0;
            Error error = output == null || input == null || !output.CanWrite || !input.CanRead ? Error.BadHandle
                : (output.Flags & OpenFlags.Append) != 0 || input.Node.IsDirectory ? Error.Invalid
                : Error.None;
            long offset = 0;
            ulong offsetAddress = frame->Argument2;
            if (error == Error.None && offsetAddress != 0)
            {
                if (!UserMemory.CopyFromUser(&offset, offsetAddress, 8))
                    error = Error.BadAddress;
                else if (offset < 0)
                    error = Error.Invalid;
            }
            if (error == Error.None)
            {
                // A regular file without an offset given is read at its own offset, moved by what went out (not by
                // what was read), as Linux moves it.
                bool ownOffset = offsetAddress == 0 && input.Node.IsRegular;
                if (ownOffset && input.Seek(0, OpenFile.SeekCurrent, out ulong position) == Error.None)
                    offset = (long)position;
                error = Copy(output, input, offsetAddress != 0 || ownOffset, ref offset, frame->Argument3, out done);
                if (ownOffset)
                    input.Seek(offset, OpenFile.SeekSet, out _);
            }
            if (offsetAddress != 0 && (error == Error.None || done > 0) && !UserMemory.CopyToUser(offsetAddress, &offset, 8))
                error = Error.BadAddress;
            output?.Release();
            input?.Release();
            return done > 0 ? done : SystemCallResult.From(error);
        }

        private static Error Copy(OpenFile output, OpenFile input, bool positioned, ref long offset, ulong count, out ulong done)
        {
            done = 0;
            if (count > MaximumTransfer)
                count = MaximumTransfer;
            if (count == 0)
                return Error.None;
            ulong size = count < StagingSize ? count : StagingSize;
            byte* staging = (byte*)KernelHeap.AllocateUninitialized(size);
            if (staging == null)
                return Error.OutOfMemory;
            Error error = Error.None;
            IoBuffer buffer = IoBuffer.Kernel(staging);
            while (done < count)
            {
                ulong want = count - done < size ? count - done : size;
                ulong read;
                error = positioned ? input.ReadAt((ulong)offset, buffer, want, out read) : input.Read(buffer, want, out read);
                if (error != Error.None || read == 0)
                    break;
                if (positioned)
                    offset += (long)read;
                error = output.Write(buffer, read, out ulong written);
                done += written;
                if (error != Error.None || written < read)
                {
                    if (positioned)
                        offset -= (long)(read - written);   // what did not go out is not consumed
                    break;
                }
                if (read < want)
                    break;   // the end of the input, or all a pipe or terminal had
            }
            KernelHeap.Free(staging);
            return error;
        }
    }
}
