using Exo.Kernel.Arch.X64;
using Exo.Kernel.Memory;
using static Exo.Kernel.Tests.KernelTestRunner;

namespace Exo.Kernel.Tests
{
    public static unsafe class PagingTests
    {
        private const ulong TestVirtualAddress = 0xFFFFFF0000000000;

        public static void Run()
        {
            Test("kernel_in_higher_half", &KernelInHigherHalf);
            Test("section_permissions", &SectionPermissions);
            Test("direct_map_translates", &DirectMapTranslates);
            Test("null_page_unmapped", &NullPageUnmapped);
            Test("stack_guard_page_unmapped", &StackGuardUnmapped);
            Test("map_write_read_unmap", &MapWriteReadUnmap);
            Test("write_to_read_only_faults", &WriteToReadOnlyFaults);
        }

        private static void KernelInHigherHalf()
        {
            ulong code = (ulong)(delegate*<void>)&KernelInHigherHalf;
            Check(code >= KernelLayout.VirtualBase, "code runs in the higher half", code);
            ulong stack = Cpu.ReadStackPointer();
            Check(stack >= KernelLayout.VirtualBase, "stack in the higher half", stack);
            Check((Cpu.ReadCr3() & ~0xFFFUL) == KernelPageTables.Root, "the kernel's own page tables are active", Cpu.ReadCr3());
        }

        private static void SectionPermissions()
        {
            ulong flags;
            Check(KernelPageTables.TryTranslate(KernelLayout.TextStart, out _, out flags), "text mapped");
            Check((flags & KernelPageTables.Writable) == 0, "text not writable", flags);
            Check((flags & KernelPageTables.NoExecute) == 0, "text executable", flags);
            Check(KernelPageTables.TryTranslate(KernelLayout.ReadOnlyStart, out _, out flags), "read-only data mapped");
            Check((flags & KernelPageTables.Writable) == 0, "read-only data not writable", flags);
            Check(KernelPageTables.TryTranslate(KernelLayout.DataStart, out _, out flags), "data mapped");
            Check((flags & KernelPageTables.Writable) != 0, "data writable", flags);
            if (KernelPageTables.NoExecuteEnabled)
            {
                Check((flags & KernelPageTables.NoExecute) != 0, "data not executable", flags);
                Check(KernelPageTables.TryTranslate(KernelLayout.DirectMapBase, out _, out flags) && (flags & KernelPageTables.NoExecute) != 0, "direct map not executable", flags);
            }
            Check((flags & KernelPageTables.User) == 0, "kernel pages are supervisor-only", flags);
        }

        private static void DirectMapTranslates()
        {
            ulong frame = PhysicalMemory.AllocateFrame();
            if (!Check(frame != 0, "a frame to translate"))
                return;
            Check(KernelPageTables.TryTranslate((ulong)PhysicalMemory.ToVirtual(frame) + 123, out ulong physical, out _), "direct map has the frame");
            Equal(frame + 123, physical, "direct map translation");
            Check(KernelPageTables.TryTranslate(KernelLayout.TextStart, out physical, out _), "text translates");
            Equal(KernelLayout.ToPhysical(KernelLayout.TextStart), physical, "kernel image physical address");
            PhysicalMemory.FreeFrame(frame);
        }

        private static void NullPageUnmapped()
        {
            Check(!KernelPageTables.TryTranslate(0, out _, out _), "page 0 not mapped");
            ulong value;
            Equal(15, FaultFixups.ProbeRead(8, &value), "reading near null faults with a page fault (vector 14 + 1)");
        }

        private static void StackGuardUnmapped()
        {
            Check(!KernelPageTables.TryTranslate(KernelLayout.BootStackGuard, out _, out _), "guard page under the boot stack not mapped", KernelLayout.BootStackGuard);
            Check(KernelPageTables.TryTranslate(KernelLayout.BootStackBottom, out _, out _), "stack bottom mapped");
            ulong value;
            Equal(15, FaultFixups.ProbeRead(KernelLayout.BootStackGuard + 64, &value), "touching the guard page faults");
        }

        private static void MapWriteReadUnmap()
        {
            ulong frame = PhysicalMemory.AllocateFrame();
            if (!Check(frame != 0, "a frame to map"))   // else the test would write to physical page 0
                return;
            KernelPageTables.MapPage(TestVirtualAddress, frame, true, false);
            Equal(0, FaultFixups.ProbeWrite(TestVirtualAddress + 16, 0xC0FFEE), "write through the new mapping");
            Equal(0xC0FFEE, *(ulong*)((byte*)PhysicalMemory.ToVirtual(frame) + 16), "visible through the direct map");
            KernelPageTables.UnmapPage(TestVirtualAddress);
            ulong value;
            Equal(15, FaultFixups.ProbeRead(TestVirtualAddress + 16, &value), "after unmapping, access faults");
            PhysicalMemory.FreeFrame(frame);
        }

        private static void WriteToReadOnlyFaults()
        {
            ulong before = *(ulong*)KernelLayout.TextStart;
            Equal(15, FaultFixups.ProbeWrite(KernelLayout.TextStart, 0x9090909090909090), "writing kernel text faults");
            Equal(before, *(ulong*)KernelLayout.TextStart, "kernel text unchanged");
        }
    }
}
