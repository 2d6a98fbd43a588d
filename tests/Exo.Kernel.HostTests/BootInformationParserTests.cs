using System;
using System.Collections.Generic;
using System.Text;
using Exo.Kernel.Boot;
using Xunit;

namespace Exo.Kernel.HostTests;

public unsafe class BootInformationParserTests
{
    // Builds a multiboot2 information structure: total size, reserved, 8-aligned tags, end tag.
    private sealed class Multiboot2Builder
    {
        private readonly List<byte> _bytes = new() { 0, 0, 0, 0, 0, 0, 0, 0 };

        public Multiboot2Builder Tag(uint type, byte[] payload)
        {
            Align();
            AddUInt32(type);
            AddUInt32((uint)(8 + payload.Length));
            _bytes.AddRange(payload);
            return this;
        }

        public Multiboot2Builder CommandLine(string text) => Tag(1, Encoding.ASCII.GetBytes(text + "\0"));

        public Multiboot2Builder MemoryMap(params (ulong Base, ulong Length, uint Type)[] entries)
        {
            var payload = new List<byte>();
            payload.AddRange(BitConverter.GetBytes(24u));
            payload.AddRange(BitConverter.GetBytes(0u));
            foreach (var entry in entries)
            {
                payload.AddRange(BitConverter.GetBytes(entry.Base));
                payload.AddRange(BitConverter.GetBytes(entry.Length));
                payload.AddRange(BitConverter.GetBytes(entry.Type));
                payload.AddRange(BitConverter.GetBytes(0u));
            }
            return Tag(6, payload.ToArray());
        }

        public Multiboot2Builder Module(uint start, uint end, string name)
        {
            var payload = new List<byte>();
            payload.AddRange(BitConverter.GetBytes(start));
            payload.AddRange(BitConverter.GetBytes(end));
            payload.AddRange(Encoding.ASCII.GetBytes(name + "\0"));
            return Tag(3, payload.ToArray());
        }

        public byte[] Build(bool withEnd = true)
        {
            if (withEnd)
                Tag(0, Array.Empty<byte>());
            byte[] result = _bytes.ToArray();
            BitConverter.GetBytes((uint)result.Length).CopyTo(result, 0);
            return result;
        }

        private void Align() { while (_bytes.Count % 8 != 0) _bytes.Add(0); }
        private void AddUInt32(uint value) => _bytes.AddRange(BitConverter.GetBytes(value));
    }

    private static string Parse(byte[] information, out BootInformation result, uint magic = BootInformation.Multiboot2Magic)
    {
        result = default;
        fixed (byte* pointer = information)
        fixed (BootInformation* output = &result)
        {
            // The parser adds the offset to every physical address it follows: here, host address 0 + pointer.
            return BootInformationParser.Parse(magic, (ulong)pointer, 0, output);
        }
    }

    [Fact]
    public void Layout_sizes_match_the_fixed_storage()
    {
        Assert.Equal(24, sizeof(MemoryRegion));
        Assert.Equal(88, sizeof(BootModule));
    }

    [Fact]
    public void Multiboot2_memory_map_command_line_and_modules_are_copied()
    {
        byte[] information = new Multiboot2Builder()
            .CommandLine("test=runtime,heap quick")
            .MemoryMap((0, 0x9FC00, 1), (0x100000, 0x7EE0000, 1), (0xFFFC0000, 0x40000, 2))
            .Module(0x200000, 0x280000, "initrd.cpio")
            .Build();

        Assert.Null(Parse(information, out BootInformation boot));
        Assert.Equal(2, boot.Protocol);
        Assert.Equal(3, boot.MemoryRegionCount);
        Assert.Equal(0x100000UL, boot.Regions[1].Base);
        Assert.Equal(0x7EE0000UL, boot.Regions[1].Length);
        Assert.Equal(MemoryRegionType.Reserved, boot.Regions[2].Type);
        Assert.Equal("test=runtime,heap quick", Encoding.ASCII.GetString(boot.CommandLine, boot.CommandLineLength));
        Assert.Equal(1, boot.ModuleCount);
        Assert.Equal(0x200000UL, boot.Modules[0].Start);
        Assert.Equal("initrd.cpio", Encoding.ASCII.GetString(boot.Modules[0].Name, boot.Modules[0].NameLength));
        Assert.Equal((ulong)information.Length, boot.InformationEnd - boot.InformationStart);
    }

    [Fact]
    public void Missing_end_tag_is_an_error()
    {
        byte[] information = new Multiboot2Builder().CommandLine("x").Build(withEnd: false);
        Assert.Equal("multiboot2 information has no end tag", Parse(information, out _));
    }

    [Fact]
    public void Tag_overrunning_the_structure_is_an_error()
    {
        byte[] information = new Multiboot2Builder().CommandLine("abc").Build();
        BitConverter.GetBytes(4096u).CopyTo(information, 12);   // first tag claims 4 KiB
        Assert.Equal("multiboot2 tag overruns the information", Parse(information, out _));
    }

    [Fact]
    public void Impossible_total_size_is_an_error()
    {
        byte[] information = new Multiboot2Builder().Build();
        BitConverter.GetBytes(4u).CopyTo(information, 0);
        Assert.Equal("multiboot2 information has an impossible size", Parse(information, out _));
    }

    [Fact]
    public void Unknown_magic_is_an_error()
    {
        byte[] information = new Multiboot2Builder().Build();
        Assert.Equal("unknown boot loader magic", Parse(information, out _, magic: 0x12345678));
    }

    [Fact]
    public void Memory_map_beyond_capacity_is_counted_not_overflowed()
    {
        var entries = new (ulong, ulong, uint)[BootInformation.MemoryRegionCapacity + 5];
        for (int i = 0; i < entries.Length; i++)
            entries[i] = ((ulong)i << 20, 1 << 20, 1);
        byte[] information = new Multiboot2Builder().MemoryMap(entries).Build();
        Assert.Null(Parse(information, out BootInformation boot));
        Assert.Equal(BootInformation.MemoryRegionCapacity, boot.MemoryRegionCount);
        Assert.Equal(5, boot.DroppedEntries);
    }

    [Fact]
    public void Long_command_line_is_truncated_to_capacity()
    {
        string text = new string('a', 1000);
        byte[] information = new Multiboot2Builder().CommandLine(text).Build();
        Assert.Null(Parse(information, out BootInformation boot));
        Assert.Equal(BootInformation.CommandLineCapacity - 1, boot.CommandLineLength);
    }
}
