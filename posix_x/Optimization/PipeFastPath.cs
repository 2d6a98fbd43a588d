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
    /// It applies when the count is small (bytes staged on the kernel stack) and the descriptor is the right end of a
    /// pipe; when the caller is its process's only thread its descriptor cannot be closed meanwhile and no reference
    /// is taken (TryRead, TryWrite), otherwise the general path's lookup takes one and hands the description here
    /// (TryHeld: hackbench's threads, and any threaded program's pipes). A read waits here as the general path would (the pipe's own Take: end of stream, EAGAIN and restarts
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
        /// fails (nothing was done: the general path takes the call). Inlined, as TryWrite: a process of several threads
        /// fails the guards on every call, and paid a call's frame for it.</summary>
        [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
        public static bool TryRead(ulong descriptor, ulong buffer, ulong count, out ulong result)
        {
            result = 0;
            PipeEnd end = PipeEndOf(descriptor, count, buffer);
            if (end == null || !end.IsReadEnd)
                return false;
            result = Read(end, buffer, count);
            return true;
        }

        /// <summary>write(descriptor, buffer, count) when it can finish at once; false: nothing was done.</summary>
        [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
        public static bool TryWrite(ulong descriptor, ulong buffer, ulong count, out ulong result)
        {
            result = 0;
            PipeEnd end = PipeEndOf(descriptor, count, buffer);
            return end != null && !end.IsReadEnd && Write(end, buffer, count, out result);
        }

        /// <summary>
        /// The same for a description the caller holds a reference to (a process with several threads, whose descriptor
        /// another thread may close meanwhile: the general path's lookup took the reference): read or write without an
        /// offset; false when the guards fail or a write cannot finish at once (nothing was done).
        /// </summary>
        public static bool TryHeld(OpenFile file, ulong buffer, ulong count, bool write, out ulong result)
        {
            result = 0;
            if (count - 1 >= MaximumTransfer || !UserMemory.IsUserRange(buffer, count) || file is not PipeEnd end || end.IsReadEnd == write)
                return false;
            if (write)
                return Write(end, buffer, count, out result);
            result = Read(end, buffer, count);
            return true;
        }

        // The transfers, past the guards (1 to MaximumTransfer bytes, a user range, an end of the right direction). Apart
        // from the guards: their staging's stack frame is not paid by a call that the guards send elsewhere.
        [System.Runtime.CompilerServices.SkipLocalsInit]   // the staging bytes are written before they are read
        [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.NoInlining)]
        private static ulong Read(PipeEnd end, ulong buffer, ulong count)
        {
            byte* staging = stackalloc byte[MaximumTransfer];
            int taken = end.Pipe.Take(staging, (int)count, mayWait: true, end.NonBlocking, out Error error);
            s_reads++;
            // The bytes are out of the pipe; as in the general path (and on Linux), a fault now loses them.
            return taken == 0 ? SystemCallResult.From(error)
                : UserMemory.CopyToUser(buffer, staging, (ulong)taken) ? (ulong)taken : SystemCallResult.From(Error.BadAddress);
        }

        [System.Runtime.CompilerServices.SkipLocalsInit]
        [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.NoInlining)]
        private static bool Write(PipeEnd end, ulong buffer, ulong count, out ulong result)
        {
            result = 0;
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
