using System;
using System.IO;
using Exo.Abi;
using Exo.Storage.Ext;
using Xunit;

namespace Exo.Storage.HostTests
{
    /// <summary>
    /// What the library will not touch, and how it says so: images it cannot read (bad magic, a journal to replay,
    /// incompatible features it does not know) refuse the mount with an error code; features it cannot keep
    /// consistent make the mount read-only; damaged checksums give EBADMSG for the structure they cover.
    /// </summary>
    public unsafe class RefusalTests
    {
        private static string Image(string name, params string[] options)
        {
            string image = Path.Combine(ImageFormat.WorkDirectory("refusal"), name);
            E2fsprogs.MakeImage(image, 16, null, options);
            return image;
        }

        private static Error MountError(string image, bool readOnly = false)
        {
            using var mounted = new MountedImage(new FileBlockDevice(image), readOnly);
            return mounted.MountError;
        }

        private static void Poke(string image, long offset, byte value)
        {
            using var file = new FileStream(image, FileMode.Open);
            file.Position = offset;
            file.WriteByte(value);
        }

        [Fact]
        public void NotAnExtFileSystemIsInvalid()
        {
            string image = Image("magic", "-t", "ext2");
            Poke(image, 1024 + 0x38, 0);
            Assert.Equal(Error.Invalid, MountError(image));
            File.WriteAllBytes(image, new byte[1024]);   // too small to hold a superblock
            Assert.Equal(Error.Invalid, MountError(image));
        }

        [Theory]
        [InlineData("inline_data")]
        [InlineData("encrypt")]
        [InlineData("meta_bg,^resize_inode")]
        public void UnknownIncompatibleFeaturesRefuseTheMount(string feature)
        {
            string image = Image("incompat-" + feature, "-t", "ext4", "-O", feature);
            Assert.Equal(Error.NotSupported, MountError(image));
            Assert.Equal(Error.NotSupported, MountError(image, readOnly: true));
        }

        [Fact]
        public void JournalNeedingRecoveryRefusesTheMount()
        {
            string image = Image("recover", "-t", "ext4");
            var (status, output) = E2fsprogs.Run("debugfs", "-w", "-R", "feature needs_recovery", image);
            Assert.True(status == 0, output);
            Assert.Equal(Error.NotSupported, MountError(image));
        }

        [Theory]
        [InlineData("quota")]
        [InlineData("orphan_file")]
        public void FeaturesKeptOnlyByLinuxMakeTheMountReadOnly(string feature)
        {
            string image = Image("readonly-" + feature, "-t", "ext4", "-O", feature);
            using var mounted = MountedImage.Open(image);
            Assert.True(mounted.FileSystem.IsReadOnly);
            Assert.Equal(2, mounted.List(ExtFileSystem.RootInode).FindAll(e => e.Name == "." || e.Name == "..").Count);
            uint made = 0;
            Assert.Equal(Error.ReadOnlyFileSystem, MountedImage.WithName("new", (name, length) =>
                mounted.FileSystem.Create(ExtFileSystem.RootInode, (byte*)name, length, 0x1A4, 0, 0, out made)));
        }

        [Fact]
        public void ReadOnlyDeviceRefusesWrites()
        {
            string image = Image("device-ro", "-t", "ext4");
            using var mounted = new MountedImage(new FileBlockDevice(image, readOnly: true));
            Assert.Equal(Error.None, mounted.MountError);
            Assert.Equal(Error.ReadOnlyFileSystem, mounted.RemoveDirectory("/lost+found"));
        }

        [Fact]
        public void DamagedChecksumsAreReportedForWhatTheyCover()
        {
            string image = Image("checksums", "-t", "ext4");
            using (var mounted = MountedImage.Open(image))
            {
                mounted.CreateFile("/victim");
                mounted.CreateFile("/bystander");
                mounted.Sync();
            }
            // The volume name is no structural field: only the superblock's checksum notices a change in it.
            string copy = image + ".superblock";
            File.Copy(image, copy, true);
            Poke(copy, 1024 + 0x78, (byte)'X');
            Assert.Equal(ExtErrors.ChecksumMismatch, MountError(copy));

            // One inode's record changed (its access time): that inode fails, the others still read.
            string imap = E2fsprogs.Debugfs(image, "imap /victim");
            var match = System.Text.RegularExpressions.Regex.Match(imap, @"located at block (\d+), offset 0x([0-9a-f]+)");
            Assert.True(match.Success, imap);
            long block = long.Parse(match.Groups[1].Value), offset = Convert.ToInt64(match.Groups[2].Value, 16);
            Poke(image, block * 1024 + offset + 0x8, 0x55);
            using var damaged = MountedImage.Open(image);
            Assert.Equal(ExtErrors.ChecksumMismatch, damaged.Resolve("/victim", out uint victim) == Error.None
                ? damaged.FileSystem.GetAttributes(victim, out _) : Error.None);
            Assert.Equal(Error.None, damaged.FileSystem.GetAttributes(damaged.Node("/bystander"), out _));
        }

        [Fact]
        public void InodeNumbersOutsideTheTableAreRefused()
        {
            string image = Image("numbers", "-t", "ext2");
            using var mounted = MountedImage.Open(image);
            Assert.Equal(ExtErrors.Corrupted, mounted.FileSystem.GetAttributes(0, out _));
            Assert.Equal(ExtErrors.Corrupted, mounted.FileSystem.GetAttributes(uint.MaxValue, out _));
            Assert.Equal(Error.StaleHandle, mounted.FileSystem.GetAttributes(100, out _));   // in the table, not in use
            byte* buffer = stackalloc byte[16];
            Assert.Equal(ExtErrors.Corrupted, mounted.FileSystem.Read(1_000_000, 0, buffer, 16, out _));
        }
    }
}
