using System;
using System.Reflection;
using System.Text;
using Exo.PosixX.Vfs.Proc;
using Xunit;

namespace Exo.Kernel.HostTests;

/// <summary>/proc's text: the builder and the line formats, compared with what Linux prints.</summary>
public unsafe class ProcFormatTests
{
    private delegate void Builder(ref ProcText text);

    private static string Build(Builder build, int capacity = 8192)
    {
        byte[] buffer = new byte[capacity];
        fixed (byte* bytes = buffer)
        {
            ProcText text = new ProcText(bytes, capacity);
            build(ref text);
            Assert.False(text.Overflowed);
            return Encoding.ASCII.GetString(buffer, 0, text.Length);
        }
    }

    [Theory]
    [InlineData(0UL, "0")]
    [InlineData(7UL, "7")]
    [InlineData(1234567890UL, "1234567890")]
    [InlineData(ulong.MaxValue, "18446744073709551615")]
    public void Writes_decimals(ulong value, string expected)
        => Assert.Equal(expected, Build((ref ProcText t) => t.Decimal(value)));

    [Theory]
    [InlineData(-1L, "-1")]
    [InlineData(long.MinValue, "-9223372036854775808")]
    [InlineData(42L, "42")]
    public void Writes_signed_decimals(long value, string expected)
        => Assert.Equal(expected, Build((ref ProcText t) => t.SignedDecimal(value)));

    [Theory]
    [InlineData(0x400000UL, 8, "00400000")]
    [InlineData(0x7fffff7f0000UL, 8, "7fffff7f0000")]
    [InlineData(0UL, 16, "0000000000000000")]
    [InlineData(0xabcdefUL, 2, "abcdef")]
    public void Writes_hexadecimal(ulong value, int digits, string expected)
        => Assert.Equal(expected, Build((ref ProcText t) => t.Hex(value, digits)));

    [Theory]
    [InlineData(0UL, "0.00")]
    [InlineData(5UL, "0.05")]
    [InlineData(31567UL, "315.67")]
    public void Writes_hundredths(ulong value, string expected)
        => Assert.Equal(expected, Build((ref ProcText t) => t.Hundredths(value)));

    [Fact]
    public void Writes_thousandths_and_padding()
    {
        Assert.Equal("2626.915", Build((ref ProcText t) => t.Thousandths(2626915)));
        Assert.Equal("   42", Build((ref ProcText t) => t.DecimalPadded(42, 5)));
        Assert.Equal("123456", Build((ref ProcText t) => t.DecimalPadded(123456, 3)));
        Assert.Equal("a\nbc  x", Build((ref ProcText t) => { t.Text("a\nbc"); t.PadTo(4); t.Char('x'); }));
    }

    [Fact]
    public void Counts_what_did_not_fit()
    {
        byte[] buffer = new byte[8];
        fixed (byte* bytes = buffer)
        {
            ProcText text = new ProcText(bytes, 8);
            text.Text("0123456789abc");
            Assert.True(text.Overflowed);
            Assert.Equal(13, text.Length);
            Assert.Equal("01234567", Encoding.ASCII.GetString(buffer));
        }
    }

    private static StatFields SampleStat(string command = "busybox")
    {
        StatFields f = default;
        f.ProcessId = 4242;
        byte[] name = Encoding.ASCII.GetBytes(command);
        for (int i = 0; i < name.Length; i++)
            f.Command[i] = name[i];
        f.State = (byte)'S';
        f.ParentId = 1;
        f.TerminalProcessGroup = -1;
        f.UserTime = 12;
        f.Priority = 20;
        f.ThreadCount = 1;
        f.StartTime = 345;
        f.VirtualSize = 8466432;
        f.ResidentPages = 35;
        f.ResidentLimit = ulong.MaxValue;
        f.StartCode = 0x401000;
        f.EndCode = 0x402000;
        f.ExitSignal = 17;
        f.Processor = 1;
        f.ExitCode = 256;
        return f;
    }

    [Fact]
    public void Stat_has_52_fields_in_linux_order()
    {
        StatFields f = SampleStat();
        string line = Build((ref ProcText t) => ProcFormat.Stat(ref t, f));
        Assert.EndsWith("\n", line);
        string[] fields = line.TrimEnd('\n').Split(' ');
        Assert.Equal(ProcFormat.StatFieldCount, fields.Length);
        Assert.Equal("4242", fields[0]);
        Assert.Equal("(busybox)", fields[1]);
        Assert.Equal("S", fields[2]);
        Assert.Equal("1", fields[3]);             // ppid
        Assert.Equal("-1", fields[7]);            // tpgid
        Assert.Equal("12", fields[13]);           // utime
        Assert.Equal("20", fields[17]);           // priority
        Assert.Equal("1", fields[19]);            // num_threads
        Assert.Equal("345", fields[21]);          // starttime
        Assert.Equal("8466432", fields[22]);      // vsize
        Assert.Equal("35", fields[23]);           // rss
        Assert.Equal("18446744073709551615", fields[24]);   // rsslim
        Assert.Equal("4198400", fields[25]);      // startcode
        Assert.Equal("17", fields[37]);           // exit_signal
        Assert.Equal("1", fields[38]);            // processor
        Assert.Equal("256", fields[51]);          // exit_code
    }

    [Fact]
    public void Stat_keeps_a_name_with_spaces_and_parentheses_in_one_pair()
    {
        StatFields f = SampleStat("a (b) c");
        string line = Build((ref ProcText t) => ProcFormat.Stat(ref t, f));
        Assert.StartsWith("4242 (a (b) c) S 1 ", line);
        // What ps does: the fields after the last ')' are the 50 others.
        Assert.Equal(50, line.Substring(line.LastIndexOf(')') + 2).TrimEnd('\n').Split(' ').Length);
    }

    [Fact]
    public void Maps_lines_are_laid_out_as_linux_does()
    {
        byte[] stack = Encoding.ASCII.GetBytes("[stack]");
        byte[] path = Encoding.ASCII.GetBytes("/usr/bin/head");
        string named, unnamed, file;
        fixed (byte* s = stack)
        fixed (byte* p = path)
        {
            byte* sp = s, pp = p;
            named = Build((ref ProcText t) => ProcFormat.Maps(ref t, 0x7ffd5c5a1000, 0x7ffd5c5c2000,
                ProcFormat.MapRead | ProcFormat.MapWrite, 0, 0, 0, 0, sp, 7));
            file = Build((ref ProcText t) => ProcFormat.Maps(ref t, 0x56423fafc000, 0x56423fb02000,
                ProcFormat.MapRead | ProcFormat.MapExecute, 0x2000, 0xfe, 0, 247629, pp, 13));
            unnamed = Build((ref ProcText t) => ProcFormat.Maps(ref t, 0x10000, 0x20000, ProcFormat.MapShared, 0, 0, 0, 0, null, 0));
        }
        // Lines as Linux 6.1 prints them (the name at column 73).
        Assert.Equal("7ffd5c5a1000-7ffd5c5c2000 rw-p 00000000 00:00 0                          [stack]\n", named);
        Assert.Equal("56423fafc000-56423fb02000 r-xp 00002000 fe:00 247629                     /usr/bin/head\n", file);
        Assert.Equal(ProcFormat.MapsNameColumn, named.IndexOf('['));
        Assert.Equal("00010000-00020000 ---s 00000000 00:00 0 \n", unnamed);
    }

    [Fact]
    public void Meminfo_lines_are_laid_out_as_linux_does()
    {
        string text = Build((ref ProcText t) =>
        {
            ProcFormat.Meminfo(ref t, "MemTotal", 8048768);
            ProcFormat.Meminfo(ref t, "SwapCached", 0);
            ProcFormat.Meminfo(ref t, "MemAvailable", 123456789);
        });
        Assert.Equal("MemTotal:        8048768 kB\nSwapCached:            0 kB\nMemAvailable:   123456789 kB\n", text);
    }

    [Fact]
    public void Time_and_load_lines()
    {
        Assert.Equal("3.15 3.10\n", Build((ref ProcText t) => ProcFormat.Uptime(ref t, 3_159_999, 3_100_000)));
        Assert.Equal("0.00 0.00 0.00 1/3 17\n", Build((ref ProcText t) => ProcFormat.LoadAverage(ref t, 0, 0, 0, 1, 3, 17)));
        Assert.Equal("1.50 0.25 12.00 2/40 100\n", Build((ref ProcText t) => ProcFormat.LoadAverage(ref t, 150, 25, 1200, 2, 40, 100)));
        Assert.Equal("cpu  320 0 0 310 0 0 0 0 0 0\n", Build((ref ProcText t) => ProcFormat.CpuTimes(ref t, "cpu", -1, 320, 0, 310)));
        Assert.Equal("cpu1 5 0 1 310 0 0 0 0 0 0\n", Build((ref ProcText t) => ProcFormat.CpuTimes(ref t, "cpu", 1, 5, 1, 310)));
    }

    [Fact]
    public void Cpuinfo_labels_line_up_as_linux_does()
    {
        Assert.Equal("processor\t: ", Build((ref ProcText t) => ProcFormat.CpuinfoLabel(ref t, "processor")));
        Assert.Equal("model\t\t: ", Build((ref ProcText t) => ProcFormat.CpuinfoLabel(ref t, "model")));
        Assert.Equal("cpu MHz\t\t: ", Build((ref ProcText t) => ProcFormat.CpuinfoLabel(ref t, "cpu MHz")));
        Assert.Equal("bogomips\t: ", Build((ref ProcText t) => ProcFormat.CpuinfoLabel(ref t, "bogomips")));
    }

    [Fact]
    public void Mount_paths_are_escaped()
    {
        byte[] path = Encoding.ASCII.GetBytes("/mnt/a b\\c\td\ne");
        string text;
        fixed (byte* p = path)
        {
            byte* pp = p;
            text = Build((ref ProcText t) => ProcFormat.Escaped(ref t, pp, path.Length));
        }
        Assert.Equal("/mnt/a\\040b\\134c\\011d\\012e", text);
    }

    [Theory]
    [InlineData(0UL, 0UL, 0UL)]
    [InlineData(3UL, 1UL, 7500UL)]
    [InlineData(1UL, 0UL, 10000UL)]
    [InlineData(2UL, 1UL, 6666UL)]
    [InlineData(1UL << 62, 1UL << 62, 5000UL)]
    [InlineData(3UL << 61, 1UL << 61, 7500UL)]
    public void Hit_rate_in_hundredths_of_a_percent(ulong hits, ulong misses, ulong expected)
        => Assert.Equal(expected, ProcFormat.HitRateHundredths(hits, misses));

    [Theory]
    [InlineData(0UL, 1000UL, 0UL)]
    [InlineData(1000UL, 1000UL, 100UL)]
    [InlineData(2_500_000_000UL, 1_000_000_000UL, 250UL)]
    [InlineData(ulong.MaxValue, 3_000_000_000UL, 614891469123UL)]
    public void Clock_ticks_at_100_a_second(ulong units, ulong perSecond, ulong expected)
        => Assert.Equal(expected, ProcFormat.ToClockTicks(units, perSecond));

    [Fact]
    public void Cpu_flags_are_named_in_linux_order()
    {
        string flags = Build((ref ProcText t) => CpuFlags.Write(ref t,
            leaf1Edx: 1u | 1u << 26, extendedEdx: 1u << 29 | 1u << 26 /* bit 26 repeats leaf 1's */,
            leaf1Ecx: 1u << 0 | 1u << 27 /* OSXSAVE: not shown */ | 1u << 31, extendedEcx: 1u << 0, leaf7Ebx: 1u << 5, leaf7Ecx: 1u << 16));
        Assert.Equal("fpu sse2 pdpe1gb lm pni hypervisor lahf_lm avx2 la57", flags);
        Assert.Equal("", Build((ref ProcText t) => CpuFlags.Write(ref t, 0, 0, 0, 0, 0, 0)));
    }

    [Theory]
    [InlineData("s_leaf1Edx")]
    [InlineData("s_extendedEdx")]
    [InlineData("s_leaf1Ecx")]
    [InlineData("s_extendedEcx")]
    [InlineData("s_leaf7Ebx")]
    [InlineData("s_leaf7Ecx")]
    public void Each_flag_word_names_32_bits(string field)
    {
        var names = (string[])typeof(CpuFlags).GetField(field, BindingFlags.NonPublic | BindingFlags.Static)!.GetValue(null)!;
        Assert.Equal(32, names.Length);
        foreach (string name in names)
            Assert.True(name == null || (name.Length > 0 && name == name.ToLowerInvariant() && !name.Contains(' ')), name);
    }
}
