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
    /// (busybox's cat and cp try it first) and copy_file_range (coreutils' cp and install, python's shutil). The bytes
    /// go through one kernel staging buffer, a piece at a time; a short read ends the copy, and what was copied before
    /// an error counts, as Linux reports it.
    /// </summary>
    public static unsafe class TransferCalls
    {
        private const ulong StagingSize = 64 * 1024;
        private const ulong MaximumTransfer = 0x7FFFF000;   // Linux's MAX_RW_COUNT

        internal static void Register()
        {
            LinuxSystemCalls.Register(Sendfile, &DoSendFile, CallPath.Hybrid);
            LinuxSystemCalls.Register(CopyFileRange, &DoCopyFileRange, CallPath.Hybrid);
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
                long outputOffset = 0;
                error = Copy(output, false, ref outputOffset, input, offsetAddress != 0 || ownOffset, ref offset, frame->Argument3, out done);
                if (ownOffset)
                    input.Seek(offset, OpenFile.SeekSet, out _);
            }
            if (offsetAddress != 0 && (error == Error.None || done > 0) && !UserMemory.CopyToUser(offsetAddress, &offset, 8))
                error = Error.BadAddress;
            output?.Release();
            input?.Release();
            return done > 0 ? done : SystemCallResult.From(error);
        }

        // copy_file_range(in, in offset pointer or null, out, out offset pointer or null, count, flags): between two regular
        // files of one file system (EXDEV otherwise: the caller copies itself, as on Linux between file systems); each
        // side at *offset (the file's own offset untouched, *offset moved) or at the file's offset (moved). Checked as
        // Linux checks: EINVAL for flags, EBADF for a side not open for its direction or an O_APPEND output, EISDIR,
        // EINVAL for other kinds of file or overlapping ranges of one file, EOVERFLOW for a negative offset, EFAULT.
        private static ulong DoCopyFileRange(RegisterFrame* frame)
        {
            ulong inputAddress = frame->Argument1, outputAddress = frame->Argument3, count = frame->Argument4;
            OpenFile input = DescriptorContext.File(frame->Argument0);
            OpenFile output = DescriptorContext.File(frame->Argument2);
            long inputOffset = 0, outputOffset = 0;
            ulong done = 0;
            Error error = frame->Argument5 != 0 ? Error.Invalid
                : input == null || output == null || !input.CanRead || !output.CanWrite || (output.Flags & OpenFlags.Append) != 0 ? Error.BadHandle
                : input.Node.IsDirectory || output.Node.IsDirectory ? Error.IsADirectory
                : !input.Node.IsRegular || !output.Node.IsRegular ? Error.Invalid
                : Error.None;
            if (error == Error.None)
                error = OffsetOf(input, inputAddress, out inputOffset);
            if (error == Error.None)
                error = OffsetOf(output, outputAddress, out outputOffset);
            if (count > MaximumTransfer)
                count = MaximumTransfer;
            if (error == Error.None && input.Node == output.Node
                && inputOffset < outputOffset + (long)count && outputOffset < inputOffset + (long)count)
                error = Error.Invalid;   // overlapping ranges of one file
            if (error == Error.None && input.Node.FileSystem != output.Node.FileSystem)
                error = Error.CrossDevice;
            if (error == Error.None)
                error = Copy(output, true, ref outputOffset, input, true, ref inputOffset, count, out done);
            if (error == Error.None || done > 0)
            {
                // What was copied moves each side's offset: the one given by pointer, else the file's own.
                if (!MoveOffset(input, inputAddress, inputOffset) || !MoveOffset(output, outputAddress, outputOffset))
                    error = done > 0 ? error : Error.BadAddress;
            }
            output?.Release();
            input?.Release();
            return done > 0 ? done : SystemCallResult.From(error);
        }

        // A side's starting offset: *pointer (EFAULT, EINVAL if negative) or the file's own.
        private static Error OffsetOf(OpenFile file, ulong address, out long offset)
        {
            offset = 0;
            if (address == 0)
            {
                Error error = file.Seek(0, OpenFile.SeekCurrent, out ulong position);
                offset = (long)position;
                return error;
            }
            long given;
            if (!UserMemory.CopyFromUser(&given, address, 8))
                return Error.BadAddress;
            offset = given;
            return given < 0 ? Error.Overflow : Error.None;   // as Linux's range check reports it
        }

        private static bool MoveOffset(OpenFile file, ulong address, long offset)
        {
            if (address != 0)
                return UserMemory.CopyToUser(address, &offset, 8);
            file.Seek(offset, OpenFile.SeekSet, out _);
            return true;
        }

        // From 'input' (at 'offset' when 'positioned', else at its own offset) to 'output' (at 'outputOffset' when
        // 'outputPositioned', else at its own offset); each given offset moved by what went out.
        private static Error Copy(OpenFile output, bool outputPositioned, ref long outputOffset, OpenFile input, bool positioned,
            ref long offset, ulong count, out ulong done)
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
                ulong written;
                error = outputPositioned ? output.WriteAt((ulong)outputOffset, buffer, read, out written) : output.Write(buffer, read, out written);
                if (outputPositioned)
                    outputOffset += (long)written;
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
