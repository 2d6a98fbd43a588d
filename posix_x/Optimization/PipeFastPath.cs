using Exo.Kernel.Memory;
using Exo.Kernel.Syscalls;
using Exo.PosixX.KernelInterface;
using Exo.PosixX.Vfs;
using Exo.PosixX.Vfs.Pipes;

namespace Exo.PosixX.Optimization
{
    /// <summary>
    /// The fast path of read and write on a pipe (the hybrid path's most frequent case: a shell's pipelines, and any
    /// two processes talking through pipes a few bytes at a time), written like seL4's fastpath: cheap guards first,
    /// each giving the call back to the general path (FileCalls.Transfer) untouched, then the transfer itself.
    /// It applies when the count is small (bytes staged on the kernel stack), the caller is its process's only thread
    /// (its descriptor cannot be closed meanwhile: no reference is taken) and the descriptor is the right end of a
    /// pipe. A read waits here as the general path would (the pipe's own Take: end of stream, EAGAIN and restarts
    /// alike); a write is taken only when a reader remains and the bytes fit now, and anything else (waiting for room,
    /// EPIPE and SIGPIPE, a bad pointer) is the general path's. The result is the same as there.
    /// </summary>
    public static unsafe class PipeFastPath
    {
        /// <summary>The largest transfer taken here: what stages on the stack (at most PIPE_BUF, so a write is atomic).</summary>
        public const int MaximumTransfer = 256;

        private static ulong s_reads, s_writes;
        public static ulong Reads => s_reads;
        public static ulong Writes => s_writes;

        /// <summary>read(descriptor, buffer, count), waiting in the pipe's Take as the general path would; false when a guard
        /// fails (nothing was done: the general path takes the call).</summary>
        [System.Runtime.CompilerServices.SkipLocalsInit]   // the staging bytes are written before they are read
        public static bool TryRead(ulong descriptor, ulong buffer, ulong count, out ulong result)
        {
            result = 0;
            PipeEnd end = PipeEndOf(descriptor, count, buffer);
            if (end == null || !end.IsReadEnd)
                return false;
            byte* staging = stackalloc byte[MaximumTransfer];
            int taken = end.Pipe.Take(staging, (int)count, mayWait: true, end.NonBlocking, out Error error);
            // The bytes are out of the pipe; as in the general path (and on Linux), a fault now loses them.
            result = taken == 0 ? SystemCallResult.From(error)
                : UserMemory.CopyToUser(buffer, staging, (ulong)taken) ? (ulong)taken : SystemCallResult.From(Error.BadAddress);
            s_reads++;
            return true;
        }

        /// <summary>write(descriptor, buffer, count) when it can finish at once; false: nothing was done.</summary>
        [System.Runtime.CompilerServices.SkipLocalsInit]
        public static bool TryWrite(ulong descriptor, ulong buffer, ulong count, out ulong result)
        {
            result = 0;
            PipeEnd end = PipeEndOf(descriptor, count, buffer);
            if (end == null || end.IsReadEnd)
                return false;
            byte* staging = stackalloc byte[MaximumTransfer];
            if (!UserMemory.CopyFromUser(staging, buffer, count) || !end.Pipe.PutNow(staging, (int)count))
                return false;   // a bad pointer (EFAULT), no reader (EPIPE) or no room (wait): the general path's
            result = count;
            s_writes++;
            return true;
        }

        // The guards both directions share: a small, non-empty transfer within the user half, the caller its process's
        // only thread, and the descriptor an open pipe end opened for its direction (a pipe end's mode is its direction).
        [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
        private static PipeEnd PipeEndOf(ulong descriptor, ulong count, ulong buffer)
        {
            if (count - 1 >= MaximumTransfer || descriptor > int.MaxValue || !UserMemory.IsUserRange(buffer, count))
                return null;
            Exo.Kernel.Processes.Process process = Exo.Kernel.Scheduler.Scheduler.Current.Process;
            if (System.Threading.Volatile.Read(ref process.LiveThreads) != 1)
                return null;
            FileDescriptorTable descriptors = System.Runtime.CompilerServices.Unsafe.As<LinuxProcess>(process.PersonalityState).Descriptors;
            return descriptors.PeekFromOnlyThread((int)descriptor) as PipeEnd;
        }
    }
}
