using System;
using Exo.Abi;
using Exo.Storage.Ext;
using Xunit;

namespace Exo.Storage.HostTests
{
    /// <summary>The block cache: bounded, write-back (nothing reaches the device before eviction or Flush), correct across evictions.</summary>
    public unsafe class BlockCacheTests
    {
        private sealed class CountingDevice : IBlockDevice
        {
            public readonly MemoryBlockDevice Inner = new MemoryBlockDevice(new byte[1024 * 1024]);
            public int Writes, Reads, Flushes;
            public ulong FailingSector = ulong.MaxValue, FailingWriteSector = ulong.MaxValue;
            public uint SectorSize => 512;
            public ulong SectorCount => Inner.SectorCount;
            public bool IsReadOnly => false;
            public Error Read(ulong sector, uint count, byte* buffer)
            {
                Reads++;
                return sector == FailingSector ? Error.InputOutput : Inner.Read(sector, count, buffer);
            }
            public Error Write(ulong sector, uint count, byte* buffer)
            {
                Writes++;
                return sector == FailingWriteSector ? Error.InputOutput : Inner.Write(sector, count, buffer);
            }
            public Error WriteRuns(SectorRun* runs, int count) => SectorRun.WriteEach(this, runs, count);

            public Error Flush()
            {
                Flushes++;
                return Error.None;
            }
        }

        /// <summary>
        /// A flush whose write fails for one block in the middle of a batch writes the others (the dirty list's later
        /// batches included), keeps that block dirty and reports the error; the next flush writes it.
        /// </summary>
        [Fact]
        public void AFailedWriteStaysDirtyAndTheRestIsWritten()
        {
            var device = new CountingDevice();
            byte[] workspace = new byte[BlockCache.WorkspaceBytes(200, 1024)];
            fixed (byte* memory = workspace)
            {
                var cache = new BlockCache(device, 1024, 200, memory);
                for (ulong block = 0; block < 100; block++)
                {
                    Assert.Equal(Error.None, cache.Get(block, out byte* data));
                    data[0] = (byte)(block + 1);
                    cache.MarkDirty(data);
                }
                device.FailingWriteSector = 40 * 2;
                Assert.Equal(Error.InputOutput, cache.Flush());
                Assert.True(cache.DirtyBlocks >= 1 && cache.DirtyBlocks <= 32, $"{cache.DirtyBlocks} dirty after the failed batch");
                Assert.Equal(0, device.Flushes);
                device.FailingWriteSector = ulong.MaxValue;
                Assert.Equal(Error.None, cache.Flush());
                Assert.Equal(0, cache.DirtyBlocks);
                Assert.Equal(1, device.Flushes);
                byte* sector = stackalloc byte[512];
                for (ulong block = 0; block < 100; block++)
                {
                    Assert.Equal(Error.None, device.Inner.Read(block * 2, 1, sector));
                    Assert.Equal((byte)(block + 1), sector[0]);
                }
            }
        }

        /// <summary>CleanPrefix stops at the first dirty block of a range (clean cached blocks read the same from the
        /// disk), with a short dirty list (searched whole) and a long one (looked up block by block).</summary>
        [Theory]
        [InlineData(3)]
        [InlineData(150)]
        public void CleanPrefixStopsAtTheFirstDirtyBlock(int dirtyBlocks)
        {
            var device = new CountingDevice();
            byte[] workspace = new byte[BlockCache.WorkspaceBytes(400, 1024)];
            fixed (byte* memory = workspace)
            {
                var cache = new BlockCache(device, 1024, 400, memory);
                Assert.Equal(Error.None, cache.Get(500, out _));   // cached, clean
                // Dirty: 600, then 700, 702, ... (every other block from 700 on).
                for (int i = 0; i < dirtyBlocks; i++)
                {
                    ulong block = i == 0 ? 600UL : 700UL + 2UL * (ulong)(i - 1);
                    Assert.Equal(Error.None, cache.Get(block, out byte* data));
                    cache.MarkDirty(data);
                }
                Assert.Equal(200u, cache.CleanPrefix(400, 250));    // 500 is clean: read from the disk too; 600 stops it
                Assert.Equal(0u, cache.CleanPrefix(600, 10));
                Assert.Equal(99u, cache.CleanPrefix(501, 99));      // all clean
                Assert.Equal(5u, cache.CleanPrefix(601, 5));
                Assert.Equal(dirtyBlocks > 1 ? 99u : 200u, cache.CleanPrefix(601, 200));
                Assert.Equal(0u, cache.CleanPrefix(0, 0));
            }
        }

        [Fact]
        public void WritesBackOnlyOnEvictionOrFlushAndStaysBounded()
        {
            var device = new CountingDevice();
            const int capacity = 16;
            byte[] workspace = new byte[BlockCache.WorkspaceBytes(capacity, 1024)];
            fixed (byte* memory = workspace)
            {
                var cache = new BlockCache(device, 1024, capacity, memory);
                for (int block = 0; block < 10; block++)
                {
                    Assert.Equal(Error.None, cache.GetZeroed((ulong)block, out byte* data));
                    data[0] = (byte)(block + 1);
                }
                Assert.Equal(0, device.Writes);   // still only in the cache
                Assert.Equal(10, cache.DirtyBlocks);
                for (int block = 10; block < 40; block++)
                {
                    Assert.Equal(Error.None, cache.Get((ulong)block, out byte* data));
                    data[0] = (byte)(block + 1);
                    cache.MarkDirty(data);
                    Assert.True(cache.DirtyBlocks <= capacity);
                }
                Assert.True(device.Writes >= 40 - capacity);   // evictions wrote the oldest
                Assert.Equal(Error.None, cache.Flush());
                Assert.Equal(0, cache.DirtyBlocks);
                Assert.Equal(1, device.Flushes);
                for (int block = 0; block < 40; block++)
                    Assert.Equal((byte)(block + 1), device.Inner.Image[block * 1024]);
                for (int block = 0; block < 40; block++)
                {
                    Assert.Equal(Error.None, cache.Get((ulong)block, out byte* data));
                    Assert.Equal((byte)(block + 1), data[0]);
                }
                Assert.Equal(Error.InputOutput, cache.Get(device.SectorCount, out _));   // past the device
                device.FailingSector = 100 * 2;
                Assert.Equal(Error.InputOutput, cache.Get(100, out _));   // the device's error, per request
                Assert.Equal(Error.None, cache.Get(101, out _));
            }
        }

        [Fact]
        public void FileSystemChangesReachTheDiskAtSync()
        {
            string image = System.IO.Path.Combine(ImageFormat.WorkDirectory("write-back"), "image");
            E2fsprogs.MakeImage(image, 16, null, ImageFormat.Options("ext4-4k"));
            using (var tooSmall = new MountedImage(new FileBlockDevice(image), cacheBlocks: 1))
                Assert.Equal(Error.OutOfMemory, tooSmall.MountError);   // fewer than 16 blocks of 4 KiB fit: refused
            var device = new FileBlockDevice(image);
            using var mounted = new MountedImage(device, cacheBlocks: 2);
            Assert.Equal(Error.None, mounted.MountError);
            Assert.True(mounted.FileSystem.Cache.Capacity >= BlockCache.MinimumCapacity);
            int writesAtMount = device.Writes, flushesAtMount = device.Flushes;   // the superblock marked not clean
            Assert.Equal(1, flushesAtMount);
            mounted.MakeDirectory("/directory");
            Assert.Equal(Error.None, mounted.Write(mounted.CreateFile("/directory/file"), 0, new byte[5000]));
            Assert.Equal(writesAtMount, device.Writes);   // all of it still in the cache
            Assert.True(mounted.FileSystem.Cache.DirtyBlocks > 0);
            mounted.Sync();
            Assert.True(device.Writes > writesAtMount);
            Assert.Equal(flushesAtMount + 1, device.Flushes);
            Assert.Equal(0, mounted.FileSystem.Cache.DirtyBlocks);
            Assert.Contains("file", E2fsprogs.Debugfs(image, "ls /directory"));
            // Nothing changed since: another sync writes nothing and asks for no flush (extfs syncs at every change and
            // at every fsync); an overwrite writes the data and the inode, not the superblock again.
            int writesAfterSync = device.Writes;
            mounted.Sync();
            Assert.Equal(writesAfterSync, device.Writes);
            Assert.Equal(flushesAtMount + 1, device.Flushes);
            Assert.Equal(Error.None, mounted.Write(mounted.Node("/directory/file"), 0, new byte[100]));
            mounted.Sync();
            Assert.Equal(writesAfterSync + 2, device.Writes);
            Assert.Equal(flushesAtMount + 2, device.Flushes);
        }

        [Fact]
        public void TheDiskSaysNotCleanWhileMountedForWriting()
        {
            string image = System.IO.Path.Combine(ImageFormat.WorkDirectory("state"), "image");
            E2fsprogs.MakeImage(image, 16, null, ImageFormat.Options("ext4-4k"));
            string State() => System.Text.RegularExpressions.Regex.Match(E2fsprogs.Run("dumpe2fs", "-h", image).Output, @"Filesystem state:\s+(.*)").Groups[1].Value.Trim();
            Assert.Equal("clean", State());
            using (var mounted = MountedImage.Open(image, readOnly: true))
                Assert.Equal("clean", State());
            using (var mounted = MountedImage.Open(image))
            {
                Assert.Equal("not clean", State());
                mounted.CreateFile("/file");
                Assert.Equal(Error.None, mounted.FileSystem.Unmount());
                Assert.Equal("clean", State());
            }
            Assert.Equal("clean", State());
        }

        [Fact]
        public void EvictsTheLeastRecentlyUsedBlock()
        {
            var device = new CountingDevice();
            const int capacity = 16;
            byte[] workspace = new byte[BlockCache.WorkspaceBytes(capacity, 1024)];
            fixed (byte* memory = workspace)
            {
                var cache = new BlockCache(device, 1024, capacity, memory);
                for (int block = 0; block < capacity; block++)
                    Assert.Equal(Error.None, cache.Get((ulong)block, out _));
                Assert.Equal(Error.None, cache.Get(0, out _));    // 0 used again: 1 is now the least recent
                Assert.Equal(Error.None, cache.Get(100, out _));  // evicts 1
                Assert.True(cache.Holds(0) && !cache.Holds(1) && cache.Holds(100));
                int reads = device.Reads;
                Assert.Equal(Error.None, cache.Get(0, out _));
                Assert.Equal(reads, device.Reads);
                Assert.Equal(Error.None, cache.Get(1, out _));    // read again, evicting 2
                Assert.Equal(reads + 1, device.Reads);
                Assert.False(cache.Holds(2));
            }
        }

        /// <summary>
        /// Thousands of random gets, writes and flushes against a model of the disk, at a small and a large capacity (the
        /// hash chains and the LRU list under eviction): every block read shows its latest bytes, and after a flush the
        /// device holds them all. A failing read leaves the cache as it was.
        /// </summary>
        [Theory]
        [InlineData(16, 401)]
        [InlineData(700, 402)]
        public void RandomUseMatchesAModelOfTheDisk(int capacity, int seed)
        {
            var device = new CountingDevice();
            var model = new byte[1024];   // each block's first byte, as the disk should end up
            var random = new Random(seed);
            byte[] workspace = new byte[BlockCache.WorkspaceBytes(capacity, 1024)];
            fixed (byte* memory = workspace)
            {
                var cache = new BlockCache(device, 1024, capacity, memory);
                for (int step = 0; step < 20000; step++)
                {
                    ulong block = (ulong)random.Next(model.Length);
                    switch (random.Next(10))
                    {
                        case 0:
                            Assert.Equal(Error.None, cache.Flush());
                            Assert.Equal(0, cache.DirtyBlocks);
                            break;
                        case 1:
                            device.FailingSector = block * 2;
                            bool held = cache.Holds(block);
                            Error error = cache.Get(block, out _);
                            Assert.Equal(held ? Error.None : Error.InputOutput, error);
                            Assert.Equal(held, cache.Holds(block));
                            device.FailingSector = ulong.MaxValue;
                            break;
                        case 2:
                        case 3:
                        case 4:
                            Assert.Equal(Error.None, cache.Get(block, out byte* written));
                            written[0] = (byte)random.Next(256);
                            model[block] = written[0];
                            cache.MarkDirty(written);
                            break;
                        default:
                            Assert.Equal(Error.None, cache.Get(block, out byte* read));
                            Assert.Equal(model[block], read[0]);
                            break;
                    }
                    Assert.True(cache.DirtyBlocks <= capacity);
                }
                Assert.Equal(Error.None, cache.Flush());
                byte* sector = stackalloc byte[512];
                for (int block = 0; block < model.Length; block++)
                {
                    Assert.Equal(Error.None, device.Inner.Read((ulong)block * 2, 1, sector));
                    Assert.Equal(model[block], sector[0]);
                }
            }
        }
    }
}
