using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Runtime.InteropServices;
using System.Text;
using Exo.Abi;
using Exo.Storage.Ext;
using Exo.Storage.Partitions;
using Xunit;

namespace Exo.Storage.HostTests
{
    /// <summary>
    /// Partition tables as util-linux's sfdisk writes them (MBR with primary, extended and logical partitions; GPT),
    /// read by PartitionTable, and the ext file system inside found by VolumeLocator and mounted through a
    /// PartitionDevice; a GPT whose primary header is damaged is read from its backup; mutated tables never crash,
    /// loop or give a partition off the disk.
    /// </summary>
    public sealed unsafe class PartitionTableTests : IDisposable
    {
        private const long MiB = 1 << 20;
        private readonly string _directory = Path.Combine(Path.GetTempPath(), "exo-partitions-" + Guid.NewGuid().ToString("N"));

        public PartitionTableTests() => Directory.CreateDirectory(_directory);

        public void Dispose() => Directory.Delete(_directory, recursive: true);

        private static string Sfdisk(string image, string script)
        {
            var start = new ProcessStartInfo("/usr/sbin/sfdisk")
            {
                RedirectStandardInput = true,
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
            };
            start.ArgumentList.Add("--no-reread");
            start.ArgumentList.Add("--no-tell-kernel");
            start.ArgumentList.Add(image);
            using var process = Process.Start(start)!;
            process.StandardInput.Write(script);
            process.StandardInput.Close();
            string output = process.StandardOutput.ReadToEnd() + process.StandardError.ReadToEnd();
            process.WaitForExit();
            Assert.True(process.ExitCode == 0, "sfdisk failed: " + output);
            return output;
        }

        // An image of 'megabytes' MiB with sfdisk's table from 'script', and an ext4 file system (holding hello.txt)
        // made by mke2fs -E offset= in the sectors from 'firstSector' on.
        private string MakeImage(string name, int megabytes, string script, long firstSector, int fileSystemMegabytes)
        {
            string image = Path.Combine(_directory, name + ".img");
            using (var file = new FileStream(image, FileMode.Create))
                file.SetLength(megabytes * MiB);
            Sfdisk(image, script);
            string tree = Path.Combine(_directory, name + "-tree");
            Directory.CreateDirectory(tree);
            File.WriteAllText(Path.Combine(tree, "hello.txt"), "hello from a partition\n");
            var (status, output) = E2fsprogs.Run("mke2fs", "-q", "-F", "-t", "ext4", "-E", $"offset={firstSector * 512}", "-d", tree, image, $"{fileSystemMegabytes}M");
            Assert.True(status == 0, "mke2fs failed: " + output);
            Assert.Equal(megabytes * MiB, new FileInfo(image).Length);
            return image;
        }

        private static List<Partition> ReadTable(IBlockDevice device, out PartitionScheme scheme)
        {
            byte* scratch = (byte*)NativeMemory.Alloc(PartitionTable.ScratchBytes);
            Partition* partitions = stackalloc Partition[16];
            try
            {
                Assert.Equal(Error.None, PartitionTable.Read(device, scratch, partitions, 16, out int count, out scheme));
                var list = new List<Partition>();
                for (int i = 0; i < count; i++)
                    list.Add(partitions[i]);
                return list;
            }
            finally
            {
                NativeMemory.Free(scratch);
            }
        }

        private static IBlockDevice Locate(IBlockDevice disk, out Partition partition, out PartitionScheme scheme)
        {
            byte* scratch = (byte*)NativeMemory.Alloc(PartitionTable.ScratchBytes);
            try
            {
                Assert.Equal(Error.None, VolumeLocator.Locate(disk, scratch, out IBlockDevice volume, out partition, out scheme));
                return volume;
            }
            finally
            {
                NativeMemory.Free(scratch);
            }
        }

        private static string ReadHello(IBlockDevice volume)
        {
            using var mounted = new MountedImage(volume, readOnly: true);
            Assert.Equal(Error.None, mounted.MountError);
            return Encoding.UTF8.GetString(mounted.ReadAll(mounted.Node("/hello.txt")));
        }

        [Fact]
        public void An_mbr_disk_gives_its_primary_partitions_and_the_ext_one_is_mounted()
        {
            string image = MakeImage("mbr", 16, "label: dos\nstart=2048, size=4096, type=c\nstart=8192, size=16384, type=83\n", 8192, 8);
            using var disk = new FileBlockDevice(image, readOnly: true);
            var partitions = ReadTable(disk, out PartitionScheme scheme);
            Assert.Equal(PartitionScheme.MasterBootRecord, scheme);
            Assert.Equal(2, partitions.Count);
            Assert.Equal((1, 2048UL, 4096UL, (byte)0x0C, false), (partitions[0].Number, partitions[0].FirstSector, partitions[0].SectorCount, partitions[0].MasterBootRecordType, partitions[0].IsLinuxData));
            Assert.Equal((2, 8192UL, 16384UL, (byte)0x83, true), (partitions[1].Number, partitions[1].FirstSector, partitions[1].SectorCount, partitions[1].MasterBootRecordType, partitions[1].IsLinuxData));
            IBlockDevice volume = Locate(disk, out Partition found, out _);
            Assert.IsType<PartitionDevice>(volume);
            Assert.Equal(2, found.Number);
            Assert.Equal("hello from a partition\n", ReadHello(volume));
        }

        [Fact]
        public void Logical_partitions_of_an_extended_one_are_numbered_from_5()
        {
            string image = MakeImage("logical", 24, "label: dos\nstart=2048, size=2048, type=83\nstart=4096, type=5\nstart=6144, size=2048, type=82\nstart=10240, size=16384, type=83\n", 10240, 8);
            using var disk = new FileBlockDevice(image, readOnly: true);
            var partitions = ReadTable(disk, out _);
            var numbers = partitions.ConvertAll(p => (p.Number, p.FirstSector, p.SectorCount));
            Assert.Equal(new[] { (1, 2048UL, 2048UL), (5, 6144UL, 2048UL), (6, 10240UL, 16384UL) }, numbers);
            IBlockDevice volume = Locate(disk, out Partition found, out _);
            Assert.Equal(6, found.Number);   // partition 1 holds no file system
            Assert.Equal("hello from a partition\n", ReadHello(volume));
        }

        private const string GuidScript = "label: gpt\nstart=2048, size=4096, type=U\nstart=8192, size=16384, type=L\n";

        [Fact]
        public void A_gpt_disk_gives_its_entries_and_the_linux_one_is_mounted_and_written()
        {
            string image = MakeImage("gpt", 16, GuidScript, 8192, 8);
            using (var disk = new FileBlockDevice(image))
            {
                var partitions = ReadTable(disk, out PartitionScheme scheme);
                Assert.Equal(PartitionScheme.Guid, scheme);
                Assert.Equal(new[] { (1, 2048UL, 4096UL, false), (2, 8192UL, 16384UL, true) },
                    partitions.ConvertAll(p => (p.Number, p.FirstSector, p.SectorCount, p.IsLinuxData)));
                IBlockDevice volume = Locate(disk, out Partition found, out PartitionScheme locatedScheme);
                Assert.Equal((2, PartitionScheme.Guid), (found.Number, locatedScheme));
                Assert.Equal("hello from a partition\n", ReadHello(volume));
                using var mounted = new MountedImage(volume);
                uint node = mounted.CreateFile("/written.txt");
                Assert.Equal(Error.None, mounted.Write(node, 0, Encoding.UTF8.GetBytes("written in the partition\n")));
                mounted.Sync();
                Assert.Equal(Error.None, mounted.FileSystem.Unmount());
            }
            // The partition's bytes on their own are a clean ext4 file system holding the new file; the table is untouched.
            string extracted = Path.Combine(_directory, "partition2.img");
            using (var source = new FileStream(image, FileMode.Open, FileAccess.Read))
            using (var target = new FileStream(extracted, FileMode.Create))
            {
                source.Position = 8192 * 512;
                var buffer = new byte[16384 * 512];
                source.ReadExactly(buffer);
                target.Write(buffer);
            }
            var check = E2fsprogs.Check(extracted);
            Assert.True(check.Status == 0, "e2fsck -fn: " + check.Output);
            Assert.Contains("written in the partition", E2fsprogs.Run("debugfs", "-R", "cat /written.txt", extracted).Output);
            Assert.Contains("type=0FC63DAF-8483-4772-8E79-3D69D8477DE4", Dump(image));
        }

        private static string Dump(string image)
        {
            var start = new ProcessStartInfo("/usr/sbin/sfdisk") { RedirectStandardOutput = true, UseShellExecute = false };
            start.ArgumentList.Add("--dump");
            start.ArgumentList.Add(image);
            using var process = Process.Start(start)!;
            string output = process.StandardOutput.ReadToEnd();
            process.WaitForExit();
            Assert.Equal(0, process.ExitCode);
            return output;
        }

        [Theory]
        [InlineData(1 * 512 + 0)]     // the primary header's signature
        [InlineData(1 * 512 + 40)]    // its first usable sector (the header's CRC no longer matches)
        [InlineData(2 * 512 + 33)]    // its entry array (the array's CRC no longer matches)
        public void A_damaged_primary_gpt_is_read_from_its_backup(int offset)
        {
            string image = MakeImage("backup", 16, GuidScript, 8192, 8);
            using (var file = new FileStream(image, FileMode.Open))
            {
                file.Position = offset;
                int old = file.ReadByte();
                file.Position = offset;
                file.WriteByte((byte)(old ^ 0x5A));
            }
            using var disk = new FileBlockDevice(image, readOnly: true);
            var partitions = ReadTable(disk, out PartitionScheme scheme);
            Assert.Equal(PartitionScheme.Guid, scheme);
            Assert.Equal(new[] { (1, 2048UL), (2, 8192UL) }, partitions.ConvertAll(p => (p.Number, p.FirstSector)));
        }

        [Fact]
        public void A_disk_that_is_one_ext_file_system_is_used_whole_and_a_blank_one_has_no_table()
        {
            string image = Path.Combine(_directory, "whole.img");
            E2fsprogs.MakeImage(image, 8, null, "-t", "ext4");
            using (var disk = new FileBlockDevice(image, readOnly: true))
            {
                Assert.Same(disk, Locate(disk, out _, out PartitionScheme scheme));
                Assert.Equal(PartitionScheme.None, scheme);
            }
            string blank = Path.Combine(_directory, "blank.img");
            using (var file = new FileStream(blank, FileMode.Create))
                file.SetLength(4 * MiB);
            using (var disk = new FileBlockDevice(blank, readOnly: true))
            {
                Assert.Null(Locate(disk, out _, out PartitionScheme scheme));
                Assert.Empty(ReadTable(disk, out scheme));
                Assert.Equal(PartitionScheme.None, scheme);
            }
        }

        [Fact]
        public void An_mbr_entry_past_the_end_of_the_disk_is_passed_by()
        {
            string image = MakeImage("past", 16, "label: dos\nstart=8192, size=16384, type=83\n", 8192, 8);
            using (var file = new FileStream(image, FileMode.Open))
            {
                // A second entry starting inside the disk and ending far past it.
                var entry = new byte[16];
                entry[4] = 0x83;
                BitConverter.GetBytes(30000u).CopyTo(entry, 8);
                BitConverter.GetBytes(1_000_000u).CopyTo(entry, 12);
                file.Position = 446 + 16;
                file.Write(entry);
            }
            using var disk = new FileBlockDevice(image, readOnly: true);
            var partitions = ReadTable(disk, out _);
            Assert.Single(partitions);
            Assert.Equal(1, partitions[0].Number);
        }

        /// <summary>
        /// Hundreds of tables with random bytes changed in their first 40 and last 33 sectors (MBR, GPT headers and
        /// entry arrays, extended boot records): reading never fails, never gives more partitions than the buffer
        /// holds, and every partition lies on the disk. Seeded, so a failure repeats.
        /// </summary>
        [Theory]
        [InlineData("gpt")]
        [InlineData("mbr")]
        public void Mutated_tables_give_only_partitions_on_the_disk(string kind)
        {
            string script = kind == "gpt" ? GuidScript
                : "label: dos\nstart=2048, size=2048, type=83\nstart=4096, type=5\nstart=6144, size=2048, type=82\nstart=10240, size=16384, type=83\n";
            string image = MakeImage("fuzz-" + kind, 16, script, kind == "gpt" ? 8192 : 10240, 8);
            byte[] original = File.ReadAllBytes(image);
            var random = new Random(kind == "gpt" ? 1501 : 1502);
            int[] hotSectors = { 0, 1, 2, 3, 4096, 6144 };   // MBR, GPT header and entries, extended boot records
            for (int round = 0; round < 300; round++)
            {
                byte[] mutated = (byte[])original.Clone();
                int changes = 1 + random.Next(8);
                for (int i = 0; i < changes; i++)
                {
                    int sector = random.Next(3) switch
                    {
                        0 => hotSectors[random.Next(hotSectors.Length)],
                        1 => random.Next(40),
                        _ => original.Length / 512 - 1 - random.Next(33),
                    };
                    int at = sector * 512 + random.Next(512);
                    mutated[at] = random.Next(4) == 0 ? (byte)0xFF : (byte)random.Next(256);
                }
                fixed (byte* bytes = mutated)
                {
                    var device = new ByteArrayDevice(bytes, (ulong)mutated.Length / 512);
                    var partitions = ReadTable(device, out _);
                    Assert.True(partitions.Count <= 16);
                    foreach (var partition in partitions)
                        Assert.True(partition.SectorCount > 0 && partition.FirstSector + partition.SectorCount <= device.SectorCount,
                            $"round {round}: partition {partition.Number} at {partition.FirstSector}+{partition.SectorCount} is off the disk");
                    Locate(device, out _, out _);
                }
            }
        }

        private sealed class ByteArrayDevice : IBlockDevice
        {
            private readonly byte* _bytes;
            public ByteArrayDevice(byte* bytes, ulong sectors)
            {
                _bytes = bytes;
                SectorCount = sectors;
            }
            public uint SectorSize => 512;
            public ulong SectorCount { get; }
            public bool IsReadOnly => true;
            public Error Read(ulong sector, uint count, byte* buffer)
            {
                if (sector > SectorCount || count > SectorCount - sector)
                    return Error.InputOutput;
                Buffer.MemoryCopy(_bytes + sector * 512, buffer, count * 512, count * 512);
                return Error.None;
            }
            public Error Write(ulong sector, uint count, byte* buffer) => Error.ReadOnlyFileSystem;
            public Error WriteRuns(SectorRun* runs, int count) => SectorRun.WriteEach(this, runs, count);

            public Error Flush() => Error.None;
        }
    }
}
