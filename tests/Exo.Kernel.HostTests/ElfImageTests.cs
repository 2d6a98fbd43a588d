using System;
using System.Collections.Generic;
using System.Runtime.InteropServices;
using Exo.Kernel.Processes;
using Xunit;

namespace Exo.Kernel.HostTests;

/// <summary>
/// Memory whose end touches an inaccessible page: data placed with Place ends exactly at the guard, so a
/// parser reading one byte past the end crashes the test run instead of silently reading a neighbour.
/// (On systems without mmap it falls back to an exactly-sized pinned array.)
/// </summary>
internal sealed unsafe class GuardedMemory : IDisposable
{
    private const int ProtectionNone = 0, ProtectionReadWrite = 3, MapPrivateAnonymous = 0x22;
    private readonly byte* _region;
    private readonly nuint _regionBytes;
    private readonly byte* _guard;
    private readonly int _capacity;
    private byte[] _fallback;

    [DllImport("libc", EntryPoint = "mmap")]
    private static extern void* Map(void* address, nuint length, int protection, int flags, int descriptor, nint offset);

    [DllImport("libc", EntryPoint = "mprotect")]
    private static extern int Protect(void* address, nuint length, int protection);

    [DllImport("libc", EntryPoint = "munmap")]
    private static extern int Unmap(void* address, nuint length);

    public GuardedMemory(int capacity)
    {
        _capacity = capacity;
        if (!OperatingSystem.IsLinux())
            return;
        int page = Environment.SystemPageSize;
        nuint dataBytes = (nuint)((capacity + page - 1) / page * page);
        _regionBytes = dataBytes + (nuint)page;
        _region = (byte*)Map(null, _regionBytes, ProtectionReadWrite, MapPrivateAnonymous, -1, 0);
        Assert.True(_region != (byte*)-1, "mmap failed");
        _guard = _region + dataBytes;
        Assert.Equal(0, Protect(_guard, (nuint)page, ProtectionNone));
    }

    /// <summary>Copies 'data' so that it ends at the guard page; returns its first byte.</summary>
    public byte* Place(byte[] data, int length)
    {
        Assert.InRange(length, 0, Math.Min(_capacity, data.Length));
        if (_region == null)
        {
            // Pinned and exactly sized: reads past the end are not caught, but stay in the process.
            _fallback = GC.AllocateArray<byte>(Math.Max(length, 1), pinned: true);
            Array.Copy(data, _fallback, length);
            fixed (byte* start = _fallback)
                return start;
        }
        byte* destination = _guard - length;
        Marshal.Copy(data, 0, (IntPtr)destination, length);
        return destination;
    }

    public byte* Place(byte[] data) => Place(data, data.Length);

    public void Dispose()
    {
        if (_region != null)
            Unmap(_region, _regionBytes);
    }
}

/// <summary>One program header as the test builder writes it.</summary>
internal record struct ProgramHeader(uint Type, uint Flags, ulong Offset, ulong Address, ulong FileSize, ulong MemorySize, ulong Alignment);

/// <summary>Builds ELF64 files field by field, so each test changes exactly what it is about.</summary>
internal sealed class ElfBuilder
{
    public const uint Load = 1, Interpreter = 3, Note = 4, Tls = 7, GnuStack = 0x6474E551;
    public const uint X = 1, W = 2, R = 4;

    public byte[] Magic = { 0x7F, (byte)'E', (byte)'L', (byte)'F' };
    public byte Class = 2, Encoding = 1, IdentVersion = 1, Abi = 0;
    public ushort Type = 2, Machine = 62, HeaderSize = 64, ProgramHeaderEntrySize = 56;
    public uint Version = 1;
    public ulong Entry;
    public ulong ProgramHeaderOffset = 64;
    public ushort? ProgramHeaderCountOverride;
    public readonly List<ProgramHeader> Headers = new();
    public int Length;

    /// <summary>
    /// A small valid static program: text (R+X, carrying the ELF and program headers) at 0x400000, data
    /// (R+W, with .bss) at 0x402000, a TLS template at the start of the data, and a non-executable stack.
    /// </summary>
    public static ElfBuilder Valid()
    {
        var builder = new ElfBuilder { Entry = 0x401000, Length = 0x2100 };
        builder.Headers.Add(new ProgramHeader(Load, R | X, 0, 0x400000, 0x1100, 0x1100, 0x1000));
        builder.Headers.Add(new ProgramHeader(Load, R | W, 0x2000, 0x402000, 0x100, 0x3000, 0x1000));
        builder.Headers.Add(new ProgramHeader(Tls, R, 0x2000, 0x402000, 0x10, 0x40, 16));
        builder.Headers.Add(new ProgramHeader(GnuStack, R | W, 0, 0, 0, 0, 16));
        return builder;
    }

    public ElfBuilder Set(int index, ProgramHeader header)
    {
        Headers[index] = header;
        return this;
    }

    public ElfBuilder Add(ProgramHeader header)
    {
        Headers.Add(header);
        return this;
    }

    public byte[] Build()
    {
        var file = new byte[Math.Max(Length, 64)];
        Array.Copy(Magic, file, Magic.Length);
        file[4] = Class;
        file[5] = Encoding;
        file[6] = IdentVersion;
        file[7] = Abi;
        Write16(file, 16, Type);
        Write16(file, 18, Machine);
        Write32(file, 20, Version);
        Write64(file, 24, Entry);
        Write64(file, 32, ProgramHeaderOffset);
        Write16(file, 52, HeaderSize);
        Write16(file, 54, ProgramHeaderEntrySize);
        Write16(file, 56, ProgramHeaderCountOverride ?? (ushort)Headers.Count);
        // Headers that do not fit in the file are left out (the count still says how many there are).
        for (int i = 0; i < Headers.Count && ProgramHeaderOffset <= (ulong)file.Length
                        && (ulong)(i + 1) * 56 <= (ulong)file.Length - ProgramHeaderOffset; i++)
        {
            int at = (int)ProgramHeaderOffset + i * 56;
            ProgramHeader h = Headers[i];
            Write32(file, at, h.Type);
            Write32(file, at + 4, h.Flags);
            Write64(file, at + 8, h.Offset);
            Write64(file, at + 16, h.Address);
            Write64(file, at + 24, h.Address);
            Write64(file, at + 32, h.FileSize);
            Write64(file, at + 40, h.MemorySize);
            Write64(file, at + 48, h.Alignment);
        }
        return file;
    }

    public static void Write16(byte[] b, int at, ushort v) { b[at] = (byte)v; b[at + 1] = (byte)(v >> 8); }
    public static void Write32(byte[] b, int at, uint v) { for (int i = 0; i < 4; i++) b[at + i] = (byte)(v >> (8 * i)); }
    public static void Write64(byte[] b, int at, ulong v) { for (int i = 0; i < 8; i++) b[at + i] = (byte)(v >> (8 * i)); }
}

public unsafe class ElfImageTests
{
    private const ulong UserLimit = 0x00007FFFFFFFF000;
    private const int MaximumSegments = 16;

    /// <summary>Parses 'file' (its first 'length' bytes) from guarded memory of exactly that size.</summary>
    private static ElfError Parse(byte[] file, out ElfImageInfo info, out ElfSegment[] segments,
        int maximumSegments = MaximumSegments, int length = -1, ulong loadBias = 0, bool allowInterpreter = false)
    {
        if (length < 0)
            length = file.Length;
        using var memory = new GuardedMemory(Math.Max(length, 1));
        byte* data = memory.Place(file, length);
        segments = new ElfSegment[Math.Max(maximumSegments, 1)];
        fixed (ElfSegment* output = segments)
        {
            ElfError error = ElfImage.Parse(data, (ulong)length, UserLimit, output, maximumSegments, out info, loadBias, allowInterpreter);
            Array.Resize(ref segments, error == ElfError.None ? info.SegmentCount : 0);
            return error;
        }
    }

    private static ElfError Parse(ElfBuilder builder) => Parse(builder.Build(), out _, out _);

    [Fact]
    public void A_valid_static_program_is_described()
    {
        Assert.Equal(ElfError.None, Parse(ElfBuilder.Valid().Build(), out ElfImageInfo info, out ElfSegment[] segments));
        Assert.Equal(0x401000UL, info.Entry);
        Assert.Equal(2, info.SegmentCount);

        Assert.Equal(0x400000UL, segments[0].VirtualAddress);
        Assert.Equal(0x1100UL, segments[0].MemorySize);
        Assert.Equal(0UL, segments[0].FileOffset);
        Assert.Equal(0x1100UL, segments[0].FileSize);
        Assert.True(segments[0].Readable && segments[0].Executable && !segments[0].Writable);

        Assert.Equal(0x402000UL, segments[1].VirtualAddress);
        Assert.Equal(0x3000UL, segments[1].MemorySize);
        Assert.Equal(0x2000UL, segments[1].FileOffset);
        Assert.Equal(0x100UL, segments[1].FileSize);
        Assert.True(segments[1].Readable && segments[1].Writable && !segments[1].Executable);

        Assert.Equal(0x402000UL, info.TlsVirtualAddress);
        Assert.Equal(0x2000UL, info.TlsFileOffset);
        Assert.Equal(0x10UL, info.TlsFileSize);
        Assert.Equal(0x40UL, info.TlsMemorySize);
        Assert.Equal(16UL, info.TlsAlignment);
        Assert.False(info.ExecutableStack);

        Assert.Equal(0x400000UL, info.LowestAddress);
        Assert.Equal(0x405000UL, info.HighestAddress);
        // The headers are at file offset 64, inside the text segment (file offset 0 at 0x400000).
        Assert.Equal(0x400040UL, info.ProgramHeaderAddress);
        Assert.Equal((ushort)4, info.ProgramHeaderCount);
    }

    [Fact]
    public void The_GNU_Linux_ABI_is_accepted()
    {
        ElfBuilder builder = ElfBuilder.Valid();
        builder.Abi = 3;
        Assert.Equal(ElfError.None, Parse(builder));
    }

    [Theory]
    [InlineData(ElfBuilder.R | ElfBuilder.W, false)]
    [InlineData(ElfBuilder.R | ElfBuilder.W | ElfBuilder.X, true)]
    public void The_stack_is_executable_only_if_PT_GNU_STACK_says_so(uint flags, bool executable)
    {
        ElfBuilder builder = ElfBuilder.Valid().Set(3, new ProgramHeader(ElfBuilder.GnuStack, flags, 0, 0, 0, 0, 16));
        Assert.Equal(ElfError.None, Parse(builder.Build(), out ElfImageInfo info, out _));
        Assert.Equal(executable, info.ExecutableStack);
    }

    [Fact]
    public void Without_PT_GNU_STACK_or_PT_TLS_there_is_no_executable_stack_and_no_TLS()
    {
        ElfBuilder builder = ElfBuilder.Valid();
        builder.Headers.RemoveRange(2, 2);
        Assert.Equal(ElfError.None, Parse(builder.Build(), out ElfImageInfo info, out _));
        Assert.False(info.ExecutableStack);
        Assert.Equal(0UL, info.TlsMemorySize);
    }

    [Fact]
    public void Program_header_address_is_zero_when_no_segment_loads_the_headers()
    {
        ElfBuilder builder = ElfBuilder.Valid();
        builder.Length = 0x3000;
        builder.Entry = 0x401000;
        builder.Set(0, new ProgramHeader(ElfBuilder.Load, ElfBuilder.R | ElfBuilder.X, 0x1000, 0x401000, 0x100, 0x100, 0x1000));
        Assert.Equal(ElfError.None, Parse(builder.Build(), out ElfImageInfo info, out _));
        Assert.Equal(0UL, info.ProgramHeaderAddress);
        Assert.Equal((ushort)0, info.ProgramHeaderCount);
        Assert.Equal(0x401000UL, info.LowestAddress);
    }

    [Fact]
    public void Empty_segments_are_skipped_and_not_counted()
    {
        ElfBuilder builder = ElfBuilder.Valid().Add(new ProgramHeader(ElfBuilder.Load, ElfBuilder.R, 0, 0, 0, 0, 0x1000));
        // Two slots are enough: the empty one (at address 0, which would otherwise be refused) takes none.
        Assert.Equal(ElfError.None, Parse(builder.Build(), out ElfImageInfo info, out _, maximumSegments: 2));
        Assert.Equal(2, info.SegmentCount);
    }

    [Fact]
    public void A_bss_only_segment_needs_no_file_bytes()
    {
        ElfBuilder builder = ElfBuilder.Valid().Add(
            new ProgramHeader(ElfBuilder.Load, ElfBuilder.R | ElfBuilder.W, 0x10000000, 0x10000000, 0, 0x2000, 0x1000));
        Assert.Equal(ElfError.None, Parse(builder.Build(), out ElfImageInfo info, out ElfSegment[] segments));
        Assert.Equal(3, info.SegmentCount);
        Assert.Equal(0UL, segments[2].FileSize);
        Assert.Equal(0x10002000UL, info.HighestAddress);
    }

    [Fact]
    public void Other_header_types_are_ignored()
    {
        ElfBuilder builder = ElfBuilder.Valid().Add(new ProgramHeader(ElfBuilder.Note, ElfBuilder.R, 0xFFFFFFFF, 1, 5, 2, 3));
        Assert.Equal(ElfError.None, Parse(builder));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(63)]
    public void Files_smaller_than_a_header_are_too_small(int length)
    {
        Assert.Equal(ElfError.TooSmall, Parse(ElfBuilder.Valid().Build(), out _, out _, length: length));
    }

    [Fact]
    public void A_file_cut_inside_its_program_headers_is_rejected()
    {
        byte[] file = ElfBuilder.Valid().Build();
        Assert.Equal(ElfError.ProgramHeadersOutOfFile, Parse(file, out _, out _, length: 64 + 56 * 2 + 10));
    }

    [Fact]
    public void A_file_cut_inside_a_segment_is_rejected()
    {
        byte[] file = ElfBuilder.Valid().Build();
        Assert.Equal(ElfError.SegmentOutOfFile, Parse(file, out _, out _, length: 0x20FF));
    }

    [Fact]
    public void Bad_magic_is_rejected()
    {
        ElfBuilder builder = ElfBuilder.Valid();
        builder.Magic = new byte[] { 0x7F, (byte)'E', (byte)'L', (byte)'G' };
        Assert.Equal(ElfError.BadMagic, Parse(builder));
    }

    [Fact]
    public void Thirty_two_bit_files_are_rejected()
    {
        ElfBuilder builder = ElfBuilder.Valid();
        builder.Class = 1;
        Assert.Equal(ElfError.NotElf64, Parse(builder));
    }

    [Fact]
    public void Big_endian_files_are_rejected()
    {
        ElfBuilder builder = ElfBuilder.Valid();
        builder.Encoding = 2;
        Assert.Equal(ElfError.NotLittleEndian, Parse(builder));
    }

    [Theory]
    [InlineData(0, 1)]
    [InlineData(1, 0)]
    [InlineData(1, 2)]
    public void Unknown_versions_are_rejected(byte identVersion, uint version)
    {
        ElfBuilder builder = ElfBuilder.Valid();
        builder.IdentVersion = identVersion;
        builder.Version = version;
        Assert.Equal(ElfError.BadVersion, Parse(builder));
    }

    [Theory]
    [InlineData(0, false)]
    [InlineData(3, false)]
    [InlineData(ElfImage.AbiExoNative, true)]
    public void Native_programs_are_told_from_Linux_ones_by_their_brand(byte abi, bool native)
    {
        ElfBuilder builder = ElfBuilder.Valid();
        builder.Abi = abi;
        Assert.Equal(ElfError.None, Parse(builder.Build(), out ElfImageInfo info, out _));
        Assert.Equal(native, info.IsNative);
    }

    [Fact]
    public void Other_operating_system_ABIs_are_rejected()
    {
        ElfBuilder builder = ElfBuilder.Valid();
        builder.Abi = 9;   // FreeBSD
        Assert.Equal(ElfError.UnsupportedAbi, Parse(builder));
    }

    [Fact]
    public void Position_independent_executables_have_their_own_error()
    {
        ElfBuilder builder = ElfBuilder.Valid();
        builder.Type = 3;
        Assert.Equal(ElfError.PositionIndependent, Parse(builder));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]   // relocatable object
    [InlineData(4)]   // core dump
    public void Files_that_are_not_executables_are_rejected(ushort type)
    {
        ElfBuilder builder = ElfBuilder.Valid();
        builder.Type = type;
        Assert.Equal(ElfError.NotExecutable, Parse(builder));
    }

    [Theory]
    [InlineData(3)]     // i386
    [InlineData(183)]   // AArch64
    public void Other_machines_are_rejected(ushort machine)
    {
        ElfBuilder builder = ElfBuilder.Valid();
        builder.Machine = machine;
        Assert.Equal(ElfError.WrongMachine, Parse(builder));
    }

    [Fact]
    public void A_short_ELF_header_size_is_rejected()
    {
        ElfBuilder builder = ElfBuilder.Valid();
        builder.HeaderSize = 52;
        Assert.Equal(ElfError.BadHeaderSize, Parse(builder));
    }

    [Theory]
    [InlineData(32)]
    [InlineData(64)]
    public void Program_header_entries_must_be_56_bytes(ushort size)
    {
        ElfBuilder builder = ElfBuilder.Valid();
        builder.ProgramHeaderEntrySize = size;
        Assert.Equal(ElfError.BadProgramHeaderSize, Parse(builder));
    }

    [Theory]
    [InlineData(0x2100UL)]                 // starts at the end of the file
    [InlineData(0x2100UL - 56)]            // room for one of four
    [InlineData(0xFFFFFFFFFFFFFFF0UL)]     // offset + size wraps around
    public void Program_headers_past_the_end_of_the_file_are_rejected(ulong offset)
    {
        ElfBuilder builder = ElfBuilder.Valid();
        builder.ProgramHeaderOffset = offset;
        Assert.Equal(ElfError.ProgramHeadersOutOfFile, Parse(builder));
    }

    [Fact]
    public void More_program_headers_than_the_file_holds_are_rejected()
    {
        ElfBuilder builder = ElfBuilder.Valid();
        builder.ProgramHeaderCountOverride = 60;
        builder.Length = 64 + 56 * 59;
        Assert.Equal(ElfError.ProgramHeadersOutOfFile, Parse(builder));
    }

    [Theory]
    [InlineData(65)]
    [InlineData(0xFFFF)]   // PN_XNUM: the real count would be in a section header
    public void Too_many_program_headers_are_rejected(int count)
    {
        ElfBuilder builder = ElfBuilder.Valid();
        builder.ProgramHeaderCountOverride = (ushort)count;
        builder.Length = 64 + 56 * 65;
        Assert.Equal(ElfError.TooManyProgramHeaders, Parse(builder));
    }

    [Fact]
    public void Sixty_four_program_headers_are_allowed()
    {
        ElfBuilder builder = ElfBuilder.Valid();
        while (builder.Headers.Count < 64)
            builder.Add(new ProgramHeader(ElfBuilder.Note, 0, 0, 0, 0, 0, 0));
        builder.Length = 64 + 56 * 64 + 0x2000;
        Assert.Equal(ElfError.None, Parse(builder));
    }

    [Fact]
    public void More_loadable_segments_than_slots_are_rejected()
    {
        Assert.Equal(ElfError.TooManySegments, Parse(ElfBuilder.Valid().Build(), out _, out _, maximumSegments: 1));
        Assert.Equal(ElfError.TooManySegments, Parse(ElfBuilder.Valid().Build(), out _, out _, maximumSegments: 0));
    }

    [Fact]
    public void Sixteen_loadable_segments_fit_and_seventeen_do_not()
    {
        ElfBuilder builder = ElfBuilder.Valid();
        for (int i = 0; i < 14; i++)
            builder.Add(new ProgramHeader(ElfBuilder.Load, ElfBuilder.R, 0, 0x1000000 + (ulong)i * 0x10000, 0, 0x1000, 0x1000));
        Assert.Equal(ElfError.None, Parse(builder.Build(), out ElfImageInfo info, out _));
        Assert.Equal(16, info.SegmentCount);
        builder.Add(new ProgramHeader(ElfBuilder.Load, ElfBuilder.R, 0, 0x2000000, 0, 0x1000, 0x1000));
        Assert.Equal(ElfError.TooManySegments, Parse(builder));
    }

    [Fact]
    public void A_file_without_loadable_segments_is_rejected()
    {
        ElfBuilder builder = ElfBuilder.Valid();
        builder.Headers.RemoveRange(0, 3);
        Assert.Equal(ElfError.NoLoadableSegment, Parse(builder));
        builder.Headers.Clear();
        Assert.Equal(ElfError.NoLoadableSegment, Parse(builder));
    }

    [Fact]
    public void A_position_independent_program_is_loaded_at_the_bias_it_is_given()
    {
        ElfBuilder builder = ElfBuilder.Valid();
        builder.Type = 3;
        const ulong bias = 0x555555554000;
        Assert.Equal(ElfError.None, Parse(builder.Build(), out ElfImageInfo info, out ElfSegment[] segments, loadBias: bias));
        Assert.Equal(0x401000UL + bias, info.Entry);
        Assert.Equal(0x400000UL + bias, segments[0].VirtualAddress);
        Assert.Equal(0x400000UL + bias, info.LowestAddress);
        Assert.False(info.HasInterpreter);
    }

    [Fact]
    public void A_fixed_address_program_ignores_the_bias()
    {
        Assert.Equal(ElfError.None, Parse(ElfBuilder.Valid().Build(), out ElfImageInfo info, out _, loadBias: 0x555555554000));
        Assert.Equal(0x401000UL, info.Entry);
    }

    [Fact]
    public void A_bias_that_wraps_an_address_or_leaves_user_space_is_refused()
    {
        ElfBuilder builder = ElfBuilder.Valid();
        builder.Type = 3;
        Assert.NotEqual(ElfError.None, Parse(builder.Build(), out _, out _, loadBias: 0xFFFFFFFFFFC00000));
        Assert.NotEqual(ElfError.None, Parse(builder.Build(), out _, out _, loadBias: UserLimit));
    }

    [Fact]
    public void An_interpreter_is_described_when_the_loader_will_load_it()
    {
        ElfBuilder builder = ElfBuilder.Valid();
        builder.Add(new ProgramHeader(ElfBuilder.Interpreter, ElfBuilder.R, 0x200, 0x400200, 28, 28, 1));
        Assert.Equal(ElfError.None, Parse(builder.Build(), out ElfImageInfo info, out _, allowInterpreter: true));
        Assert.True(info.HasInterpreter);
    }

    [Fact]
    public void An_interpreter_is_reported_even_before_other_problems()
    {
        ElfBuilder builder = ElfBuilder.Valid().Set(0, new ProgramHeader(ElfBuilder.Load, ElfBuilder.R, 0, 0, 5, 1, 3));
        builder.Add(new ProgramHeader(ElfBuilder.Interpreter, ElfBuilder.R, 0x200, 0x400200, 28, 28, 1));
        Assert.Equal(ElfError.NeedsInterpreter, Parse(builder));
    }

    [Theory]
    [InlineData(0x2080UL, 0x100UL)]                   // runs past the end
    [InlineData(0x2101UL, 0x1UL)]                     // starts past the end
    [InlineData(0xFFFFFFFFFFFFF000UL, 0x2000UL)]      // offset + size wraps around
    public void Segments_past_the_end_of_the_file_are_rejected(ulong offset, ulong fileSize)
    {
        ulong address = 0x402000 + (offset & 0xFFF);
        ElfBuilder builder = ElfBuilder.Valid().Set(1, new ProgramHeader(ElfBuilder.Load, ElfBuilder.R | ElfBuilder.W, offset, address, fileSize, 0x3000, 0x1000));
        Assert.Equal(ElfError.SegmentOutOfFile, Parse(builder));
    }

    [Fact]
    public void More_file_bytes_than_memory_bytes_are_rejected()
    {
        ElfBuilder builder = ElfBuilder.Valid().Set(1, new ProgramHeader(ElfBuilder.Load, ElfBuilder.R | ElfBuilder.W, 0x2000, 0x402000, 0x100, 0xFF, 0x1000));
        Assert.Equal(ElfError.FileSizeExceedsMemorySize, Parse(builder));
    }

    [Theory]
    [InlineData(0xFFFFFFFFFFFFF000UL, 0x2000UL)]   // address + size wraps
    [InlineData(0xFFFFFFFFFFFFE000UL, 0x1001UL)]   // the end fits, its page does not
    public void Segments_whose_addresses_wrap_are_rejected(ulong address, ulong memorySize)
    {
        ElfBuilder builder = ElfBuilder.Valid().Set(1, new ProgramHeader(ElfBuilder.Load, ElfBuilder.R | ElfBuilder.W, 0x2000, address, 0x100, memorySize, 0x1000));
        Assert.Equal(ElfError.SegmentAddressOverflow, Parse(builder));
    }

    [Theory]
    [InlineData(0xFFFF800000002000UL, 0x3000UL)]    // the kernel half
    [InlineData(0x0000800000000000UL, 0x1000UL)]    // the canonical hole
    [InlineData(UserLimit - 0x1000, 0x1001UL)]      // crosses the user limit by a byte
    [InlineData(UserLimit, 0x1000UL)]               // starts at the limit
    public void Segments_outside_user_space_are_rejected(ulong address, ulong memorySize)
    {
        ElfBuilder builder = ElfBuilder.Valid().Set(1, new ProgramHeader(ElfBuilder.Load, ElfBuilder.R | ElfBuilder.W, 0x2000, address, 0x100, memorySize, 0x1000));
        Assert.Equal(ElfError.SegmentOutsideUserSpace, Parse(builder));
    }

    [Fact]
    public void A_segment_ending_exactly_at_the_user_limit_is_accepted()
    {
        ElfBuilder builder = ElfBuilder.Valid().Set(1, new ProgramHeader(ElfBuilder.Load, ElfBuilder.R | ElfBuilder.W, 0x2000, UserLimit - 0x1000, 0x100, 0x1000, 0x1000));
        builder.Headers.RemoveAt(2);   // the TLS template moved with the data
        Assert.Equal(ElfError.None, Parse(builder.Build(), out ElfImageInfo info, out _));
        Assert.Equal(UserLimit, info.HighestAddress);
    }

    [Theory]
    [InlineData(0x0UL)]
    [InlineData(0x1000UL)]
    [InlineData(0xF000UL)]
    public void Segments_in_the_null_guard_are_rejected(ulong address)
    {
        ElfBuilder builder = ElfBuilder.Valid().Set(1, new ProgramHeader(ElfBuilder.Load, ElfBuilder.R | ElfBuilder.W, 0x2000, address, 0x100, 0x1000, 0x1000));
        Assert.Equal(ElfError.SegmentInNullGuard, Parse(builder));
    }

    [Fact]
    public void A_segment_starting_at_64_KiB_is_accepted()
    {
        ElfBuilder builder = ElfBuilder.Valid().Set(1, new ProgramHeader(ElfBuilder.Load, ElfBuilder.R | ElfBuilder.W, 0x2000, 0x10000, 0x100, 0x1000, 0x1000));
        builder.Headers.RemoveAt(2);   // the TLS template moved with the data
        Assert.Equal(ElfError.None, Parse(builder.Build(), out ElfImageInfo info, out _));
        Assert.Equal(0x10000UL, info.LowestAddress);
    }

    [Theory]
    [InlineData(3UL)]
    [InlineData(0x1800UL)]
    [InlineData(0xFFFFFFFFFFFFFFFFUL)]
    public void Alignments_that_are_not_powers_of_two_are_rejected(ulong alignment)
    {
        ElfBuilder builder = ElfBuilder.Valid().Set(1, new ProgramHeader(ElfBuilder.Load, ElfBuilder.R | ElfBuilder.W, 0x2000, 0x402000, 0x100, 0x3000, alignment));
        Assert.Equal(ElfError.BadAlignment, Parse(builder));
    }

    [Theory]
    [InlineData(0UL)]
    [InlineData(1UL)]
    [InlineData(0x200000UL)]
    public void Alignments_of_zero_one_or_a_power_of_two_are_accepted(ulong alignment)
    {
        ElfBuilder builder = ElfBuilder.Valid().Set(1, new ProgramHeader(ElfBuilder.Load, ElfBuilder.R | ElfBuilder.W, 0x2000, 0x402000, 0x100, 0x3000, alignment));
        Assert.Equal(ElfError.None, Parse(builder));
    }

    [Theory]
    [InlineData(0x2000UL, 0x402010UL)]   // address moved within its page
    [InlineData(0x2008UL, 0x402000UL)]   // offset moved within its page
    public void Segments_whose_address_and_offset_disagree_within_a_page_are_rejected(ulong offset, ulong address)
    {
        ElfBuilder builder = ElfBuilder.Valid().Set(1, new ProgramHeader(ElfBuilder.Load, ElfBuilder.R | ElfBuilder.W, offset, address, 0x80, 0x3000, 0x1000));
        Assert.Equal(ElfError.MisalignedSegment, Parse(builder));
    }

    [Theory]
    [InlineData(0x401000UL)]   // same page as the end of the text (it ends at 0x401100)
    [InlineData(0x400000UL)]   // the same addresses
    [InlineData(0x3FF000UL)]   // starts below and runs into it
    public void Segments_sharing_a_page_are_rejected(ulong address)
    {
        ElfBuilder builder = ElfBuilder.Valid().Set(1, new ProgramHeader(ElfBuilder.Load, ElfBuilder.R | ElfBuilder.W, 0x2000, address, 0x100, 0x3000, 0x1000));
        builder.Headers.RemoveAt(2);   // the TLS template would not be inside a segment any more
        Assert.Equal(ElfError.OverlappingSegments, Parse(builder));
    }

    [Theory]
    [InlineData(0x402000UL)]   // in the data segment (not executable)
    [InlineData(0x401100UL)]   // one past the end of the text
    [InlineData(0x3FFFFFUL)]   // one before the text
    [InlineData(0UL)]
    public void An_entry_point_outside_executable_segments_is_rejected(ulong entry)
    {
        ElfBuilder builder = ElfBuilder.Valid();
        builder.Entry = entry;
        Assert.Equal(ElfError.EntryNotExecutable, Parse(builder));
    }

    [Fact]
    public void The_entry_point_may_be_the_last_byte_of_the_text()
    {
        ElfBuilder builder = ElfBuilder.Valid();
        builder.Entry = 0x4010FF;
        Assert.Equal(ElfError.None, Parse(builder));
    }

    [Fact]
    public void Two_TLS_templates_are_rejected()
    {
        ElfBuilder builder = ElfBuilder.Valid().Add(new ProgramHeader(ElfBuilder.Tls, ElfBuilder.R, 0x2000, 0x402000, 0x10, 0x40, 16));
        Assert.Equal(ElfError.BadTlsSegment, Parse(builder));
    }

    [Fact]
    public void A_TLS_alignment_that_is_not_a_power_of_two_is_rejected()
    {
        ElfBuilder builder = ElfBuilder.Valid().Set(2, new ProgramHeader(ElfBuilder.Tls, ElfBuilder.R, 0x2000, 0x402000, 0x10, 0x40, 24));
        Assert.Equal(ElfError.BadTlsSegment, Parse(builder));
    }

    [Fact]
    public void A_TLS_template_past_the_end_of_the_file_is_rejected()
    {
        ElfBuilder builder = ElfBuilder.Valid().Set(2, new ProgramHeader(ElfBuilder.Tls, ElfBuilder.R, 0x20F8, 0x4020F8, 0x10, 0x40, 16));
        Assert.Equal(ElfError.SegmentOutOfFile, Parse(builder));
    }

    [Fact]
    public void A_TLS_template_with_more_file_than_memory_bytes_is_rejected()
    {
        ElfBuilder builder = ElfBuilder.Valid().Set(2, new ProgramHeader(ElfBuilder.Tls, ElfBuilder.R, 0x2000, 0x402000, 0x40, 0x10, 16));
        Assert.Equal(ElfError.FileSizeExceedsMemorySize, Parse(builder));
    }

    [Fact]
    public void A_TLS_template_outside_the_loaded_segments_is_rejected()
    {
        ElfBuilder builder = ElfBuilder.Valid().Set(2, new ProgramHeader(ElfBuilder.Tls, ElfBuilder.R, 0x2000, 0x500000, 0x10, 0x40, 16));
        Assert.Equal(ElfError.TlsOutsideSegments, Parse(builder));
    }

    [Fact]
    public void Every_error_has_its_own_description()
    {
        var seen = new HashSet<string>();
        foreach (ElfError error in Enum.GetValues<ElfError>())
        {
            string text = ElfImage.Describe(error);
            Assert.False(string.IsNullOrWhiteSpace(text));
            Assert.NotEqual("invalid ELF file", text);
            Assert.True(seen.Add(text), $"{error} repeats the description '{text}'");
        }
        Assert.Equal("invalid ELF file", ElfImage.Describe((ElfError)999));
    }

    /// <summary>
    /// Random corruptions of a valid program, parsed from memory that ends at an inaccessible page: the
    /// parser must never read past the file, and whatever it accepts must satisfy the loader's assumptions.
    /// </summary>
    [Fact]
    public void Random_corruptions_never_read_out_of_bounds_and_accepted_images_are_consistent()
    {
        var random = new Random(20240601);
        byte[] valid = ElfBuilder.Valid().Build();
        // Values that sit on the boundaries the parser checks.
        ulong[] interesting =
        {
            0, 1, 0xFFF, 0x1000, 0x1001, 0xFFFF, 0x10000, 0x2000, 0x20FF, 0x2100, 0x2101, 0x400000, 0x401000,
            UserLimit - 0x1000, UserLimit, UserLimit + 1, 0xFFFF800000000000, ulong.MaxValue - 0xFFF, ulong.MaxValue,
        };
        int tableEnd = 64 + 56 * 4;
        int accepted = 0;
        using var memory = new GuardedMemory(valid.Length);
        var segments = new ElfSegment[MaximumSegments];
        for (int iteration = 0; iteration < 20000; iteration++)
        {
            byte[] file = (byte[])valid.Clone();
            int mutations = random.Next(1, 6);
            for (int m = 0; m < mutations; m++)
            {
                switch (random.Next(4))
                {
                    case 0:   // one random byte in the headers
                        file[random.Next(tableEnd)] = (byte)random.Next(256);
                        break;
                    case 1:   // one random byte anywhere
                        file[random.Next(file.Length)] = (byte)random.Next(256);
                        break;
                    case 2:   // a boundary value over an 8-byte program header field
                        ElfBuilder.Write64(file, 64 + 56 * random.Next(4) + 8 * random.Next(1, 7), interesting[random.Next(interesting.Length)]);
                        break;
                    default:  // a boundary value over a header word (entry, phoff, phnum...)
                        int at = random.Next(16, 64 - 8);
                        if (random.Next(2) == 0)
                            ElfBuilder.Write64(file, at, interesting[random.Next(interesting.Length)]);
                        else
                            ElfBuilder.Write16(file, at, (ushort)random.Next(0, 70));
                        break;
                }
            }
            int length = random.Next(8) == 0 ? random.Next(file.Length + 1) : file.Length;
            byte* data = memory.Place(file, length);
            ElfError error;
            ElfImageInfo info;
            fixed (ElfSegment* output = segments)
                error = ElfImage.Parse(data, (ulong)length, UserLimit, output, MaximumSegments, out info);
            if (error != ElfError.None)
            {
                Assert.Equal(0, info.SegmentCount);
                continue;
            }
            accepted++;
            CheckConsistent(info, segments, (ulong)length);
        }
        // The mutations must leave some files valid, or the consistency checks above never ran.
        Assert.True(accepted > 100, $"only {accepted} mutated files were accepted");
    }

    private static void CheckConsistent(ElfImageInfo info, ElfSegment[] segments, ulong length)
    {
        Assert.InRange(info.SegmentCount, 1, MaximumSegments);
        bool entryFound = false;
        for (int i = 0; i < info.SegmentCount; i++)
        {
            ElfSegment s = segments[i];
            Assert.True(s.MemorySize > 0);
            Assert.True(s.FileSize <= s.MemorySize);
            Assert.True(s.FileSize == 0 || (s.FileOffset <= length && s.FileSize <= length - s.FileOffset));
            Assert.True(s.VirtualAddress >= ElfImage.NullGuard);
            Assert.True(s.MemorySize <= UserLimit - s.VirtualAddress);
            Assert.Equal(0UL, (s.VirtualAddress - s.FileOffset) & 0xFFF);
            Assert.True(info.LowestAddress <= s.VirtualAddress && s.VirtualAddress + s.MemorySize <= info.HighestAddress);
            if (s.Executable && info.Entry >= s.VirtualAddress && info.Entry - s.VirtualAddress < s.MemorySize)
                entryFound = true;
            for (int j = i + 1; j < info.SegmentCount; j++)
            {
                ElfSegment t = segments[j];
                ulong sEnd = (s.VirtualAddress + s.MemorySize + 0xFFF) & ~0xFFFUL;
                ulong tEnd = (t.VirtualAddress + t.MemorySize + 0xFFF) & ~0xFFFUL;
                Assert.False((s.VirtualAddress & ~0xFFFUL) < tEnd && (t.VirtualAddress & ~0xFFFUL) < sEnd, "segments share a page");
            }
        }
        Assert.True(entryFound, "the entry point is not in an executable segment");
        Assert.True(info.TlsFileSize == 0 || (info.TlsFileOffset <= length && info.TlsFileSize <= length - info.TlsFileOffset));
        Assert.True(info.TlsFileSize <= info.TlsMemorySize);
        if (info.ProgramHeaderCount != 0)
        {
            bool inside = false;
            for (int i = 0; i < info.SegmentCount; i++)
            {
                ElfSegment s = segments[i];
                if (info.ProgramHeaderAddress >= s.VirtualAddress
                    && (ulong)info.ProgramHeaderCount * 56 <= s.FileSize - Math.Min(s.FileSize, info.ProgramHeaderAddress - s.VirtualAddress))
                    inside = true;
            }
            Assert.True(inside, "the program headers' address is not inside a segment's file bytes");
        }
        Assert.Equal(0UL, info.LowestAddress & 0xFFF);
        Assert.Equal(0UL, info.HighestAddress & 0xFFF);
        Assert.True(info.HighestAddress <= UserLimit);
    }
}
