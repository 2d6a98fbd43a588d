namespace Exo.Kernel.Arch.X64
{
    /// <summary>
    /// Which I/O permission bitmap each processor's TSS holds. A processor running a thread of a driver process
    /// (one that enabled I/O port capabilities) holds that process's bitmap; every other processor has no
    /// bitmap at all (IoMapBase beyond the TSS limit: IN/OUT from ring 3 fault). The scheduler calls
    /// <see cref="Switch"/> on every switch that involves ring-3 code; without drivers that is one load and a
    /// compare. Changing a bitmap (enable, or a close or revoke that takes ports away) rewrites it in every TSS
    /// that holds it, here or on another processor: the CPU reads the bitmap from memory at each IN/OUT (it is
    /// not cached like the TSS descriptor), so once the rewrite is done the ports fault there too, without an IPI.
    /// One lock (<see cref="Enter"/>) covers the bitmaps' contents and the per-processor state; it masks
    /// interrupts and is taken after the capability lock and a processor's scheduler lock.
    /// </summary>
    public static unsafe class IoPermissions
    {
        private const int Processors = DescriptorTables.MaximumProcessors;
        private static Sync.SpinLock s_lock;
        private static readonly IoPermissionBitmap[] s_installed = new IoPermissionBitmap[Processors];
        // The byte window each processor's TSS bitmap may have opened (all 0xFF outside it).
        private struct Windows { public fixed int Low[Processors]; public fixed int High[Processors]; }
        private static Windows s_windows;

        /// <summary>
        /// Allocates the per-processor table at boot: its class constructor would otherwise run, and allocate,
        /// at the first switch that needs it, inside the scheduler with interrupts masked.
        /// </summary>
        public static void Initialize()
        {
            s_lock.Rank = Sync.LockRank.IoPermissions;
            s_installed[0] = null;
        }

        public static void Enter() => s_lock.Enter();
        public static void Exit() => s_lock.Exit();

        /// <summary>The bitmap processor 'processor' holds now (null: none), for tests.</summary>
        public static IoPermissionBitmap InstalledOn(int processor) => s_installed[processor];

        /// <summary>
        /// Gives 'processor' (the calling one) the bitmap of the thread it now runs in ring 3, or none (null).
        /// Interrupts are masked (the scheduler's switch, or the end of a ring-3 program).
        /// </summary>
        public static void Switch(int processor, IoPermissionBitmap bitmap)
        {
            if (bitmap == null && s_installed[processor] == null)
                return;   // no driver before or after: nothing to do (only this processor writes its entry)
            s_lock.Enter();
            InstallLocked(processor, bitmap);
            s_lock.Exit();
        }

        /// <summary>Copies 'bitmap' into 'processor''s TSS (null: no bitmap). Hold the lock.</summary>
        public static void InstallLocked(int processor, IoPermissionBitmap bitmap)
        {
            byte* map = DescriptorTables.IoBitmap(processor);
            // Close first, then open: at no moment does the TSS allow more than the old or the new bitmap.
            DescriptorTables.UseIoBitmap(processor, false);
            for (int i = s_windows.Low[processor]; i < s_windows.High[processor]; i++)
                map[i] = 0xFF;
            s_windows.Low[processor] = s_windows.High[processor] = 0;
            s_installed[processor] = bitmap;
            Smp.Processors.SetLocalWord(processor, Smp.Processors.IoBitmapInstalledWord, bitmap != null ? 1UL : 0);
            if (bitmap == null || bitmap.IsEmpty)
                return;
            for (int i = bitmap.Low; i < bitmap.High; i++)
                map[i] = bitmap.ByteAt(i);
            s_windows.Low[processor] = bitmap.Low;
            s_windows.High[processor] = bitmap.High;
            DescriptorTables.UseIoBitmap(processor, true);
        }

        /// <summary>'bitmap' changed: rewrites it on every processor that holds it. Hold the lock.</summary>
        public static void RefreshLocked(IoPermissionBitmap bitmap)
        {
            for (int processor = 0; processor < Processors; processor++)
                if (s_installed[processor] == bitmap)
                    InstallLocked(processor, bitmap);
        }
    }
}
