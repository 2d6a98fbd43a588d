using Exo.Kernel.Arch.X64;
using Exo.Kernel.Memory;
using Exo.Kernel.Sync;

namespace Exo.Kernel.Processes
{
    /// <summary>
    /// A new program in a running process (the mechanism under Linux's execve): the caller loads it into a new
    /// address space first (so a failure leaves the process untouched), then <see cref="Replace"/> swaps the
    /// spaces, frees the old one, and renames the process. The process keeps its id, capabilities, parent and
    /// personality state; the personality resets what its rules say an exec resets. Only a process with one
    /// thread may be replaced (the caller's personality ends the others first).
    /// </summary>
    public static unsafe class ProcessExec
    {
        /// <summary>
        /// Makes 'space' (holding 'image') the calling process's: from here on the old program is gone. Called by
        /// the process's only thread, in a system call.
        /// </summary>
        public static void Replace(Process process, AddressSpace space, in ProgramImage image, byte* name, int nameLength,
            byte* commandLine, int commandLineLength)
        {
            Scheduler.Thread current = Scheduler.Scheduler.Current;
            AddressSpace old = ProcessRegistry.ReplaceAddressSpace(process, space);
            process.Image = image;
            using (InterruptMask.Enter())
            {
                current.PageTableRoot = space.Root;
                Smp.Processors.LoadRoot(Cpu.CurrentProcessor(), space.Root);
            }
            old.ReleaseUser();   // this was its only thread (a vfork parent may still hold the space: then it lives on)
            for (int i = 0; i < Process.MappedObjectCapacity; i++)
            {
                MemoryObject memory = process.MappedObjects[i];
                process.MappedObjects[i] = null;
                process.MappedObjectAddresses[i] = 0;
                memory?.Release();
            }
            using (process.MappingLock.Hold())
            {
                process.MappedBytes = 0;
                process.NextMappingAddress = Process.MappingBase;
            }
            process.SetName(name, nameLength);
            process.SetCommandLine(commandLine, commandLineLength);
        }
    }
}
