using System.Runtime.InteropServices;
using Exo.Testing;

namespace Exo.Kernel.BootTests;

/// <summary>
/// POSIX-X's vDSO (out/vdso/vdso.so, the image the kernel maps) as a dynamically linked glibc program's loader reads it.
/// Exo-OS cannot run dynamically linked programs yet (no PT_INTERP), so the build machine's own glibc dynamic linker
/// loads the image here (dlopen) and looks the symbols up with their version (dlvsym), the lookup ld.so makes for
/// the vDSO at start-up (dl_vdso_vsym: the name, version LINUX_2.6, its hash). The static glibc side runs on Exo-OS
/// itself (vdso_test, LinuxDifferentialTests). The image is only loaded, never called: its code reads the time page
/// the kernel maps below it, which a host process does not have.
/// </summary>
public sealed class VdsoDynamicLinkerTests
{
    private const int LoadNow = 2;   // RTLD_NOW

    [DllImport("libc.so.6", EntryPoint = "dlopen")]
    private static extern nint Open(string path, int flags);

    [DllImport("libc.so.6", EntryPoint = "dlvsym")]
    private static extern nint VersionedSymbol(nint handle, string name, string version);

    [DllImport("libc.so.6", EntryPoint = "dlerror")]
    private static extern nint LastError();

    public static readonly TheoryData<string> Names = new()
    {
        "__vdso_clock_gettime", "__vdso_gettimeofday", "__vdso_time", "__vdso_getcpu", "__vdso_clock_getres",
    };

    private static nint LoadImage()
    {
        var image = Path.Combine(ExoPaths.FindRepoRoot(), "out", "vdso", "vdso.so");
        Assert.True(File.Exists(image), $"no vDSO image at {image}; {ExoPaths.BuildFirstHint}");
        nint handle = Open(image, LoadNow);
        Assert.True(handle != 0, "glibc's dynamic linker refused the vDSO: " + Marshal.PtrToStringUTF8(LastError()));
        return handle;
    }

    [Theory]
    [MemberData(nameof(Names))]
    public void Glibcs_dynamic_linker_finds_the_symbol_with_version_LINUX_2_6(string name)
    {
        nint handle = LoadImage();
        Assert.True(VersionedSymbol(handle, name, "LINUX_2.6") != 0,
            $"dlvsym({name}, LINUX_2.6): {Marshal.PtrToStringUTF8(LastError())}");
    }

    /// <summary>The lookup above tells versions apart: a version the image does not define finds nothing.</summary>
    [Fact]
    public void A_version_the_image_does_not_define_finds_nothing()
    {
        nint handle = LoadImage();
        Assert.Equal(0, VersionedSymbol(handle, "__vdso_clock_gettime", "LINUX_2.5"));
    }
}
