using System;
using System.Runtime.InteropServices;
using System.Text;
using Exo.Abi;
using Exo.Storage.Ext;
using Xunit;

namespace Exo.Storage.HostTests
{
    /// <summary>A mounted image for a test: the file system over a device, its workspace, and path and string helpers.</summary>
    public sealed unsafe class MountedImage : IDisposable
    {
        public readonly ExtFileSystem FileSystem;
        public readonly Error MountError;
        private readonly byte* _workspace;
        private readonly IDisposable _device;

        public sealed class FixedClock : IClock
        {
            public long Seconds = 1_700_000_000;
            public uint Nanoseconds = 123_456_789;
            public void Now(out long seconds, out uint nanoseconds)
            {
                seconds = Seconds;
                nanoseconds = Nanoseconds;
            }
        }

        public readonly FixedClock Clock = new FixedClock();

        /// <summary>'withoutClock': mounted as extfs mounts today, with no clock (every time it sets is 0).</summary>
        public MountedImage(IBlockDevice device, bool readOnly = false, int cacheBlocks = 64, bool withoutClock = false)
        {
            _device = device as IDisposable;
            ulong length = ExtFileSystem.WorkspaceBytes(cacheBlocks);
            _workspace = (byte*)NativeMemory.AllocZeroed((nuint)length);
            MountError = ExtFileSystem.Mount(device, _workspace, length, readOnly, withoutClock ? null : Clock, out FileSystem);
        }

        public static MountedImage Open(string image, bool readOnly = false, int cacheBlocks = 64, bool withoutClock = false)
        {
            var mounted = new MountedImage(new FileBlockDevice(image), readOnly, cacheBlocks, withoutClock);
            Assert.Equal(Error.None, mounted.MountError);
            return mounted;
        }

        public void Dispose()
        {
            if (MountError == Error.None)
                FileSystem.Unmount();   // its error, if any, was the test's to see through Sync
            _device?.Dispose();
            NativeMemory.Free(_workspace);
        }

        public static Error WithName(string name, Func<IntPtr, int, Error> action)
        {
            byte[] bytes = Encoding.UTF8.GetBytes(name);
            fixed (byte* pointer = bytes)
                return action((IntPtr)pointer, bytes.Length);
        }

        /// <summary>The inode at 'path' (absolute, '/'-separated), or the error of the first step that failed.</summary>
        public Error Resolve(string path, out uint node)
        {
            node = ExtFileSystem.RootInode;
            foreach (string part in path.Split('/', StringSplitOptions.RemoveEmptyEntries))
            {
                uint current = node, found = 0;
                Error error = WithName(part, (name, length) => FileSystem.Lookup(current, (byte*)name, length, out found));
                if (error != Error.None)
                    return error;
                node = found;
            }
            return Error.None;
        }

        public uint Node(string path)
        {
            Assert.Equal(Error.None, Resolve(path, out uint node));
            return node;
        }

        public (uint Directory, string Name) Parent(string path)
        {
            int slash = path.LastIndexOf('/');
            return (Node(path.Substring(0, slash)), path.Substring(slash + 1));
        }

        public byte[] ReadAll(uint node)
        {
            Assert.Equal(Error.None, FileSystem.GetAttributes(node, out ExtAttributes attributes));
            var data = new byte[attributes.Size];
            ReadInto(node, 0, data);
            return data;
        }

        public void ReadInto(uint node, ulong offset, byte[] data)
        {
            int done = 0;
            fixed (byte* pointer = data)
            {
                while (done < data.Length)
                {
                    uint chunk = (uint)Math.Min(70_000, data.Length - done);
                    Assert.Equal(Error.None, FileSystem.Read(node, offset + (ulong)done, pointer + done, chunk, out uint got));
                    Assert.True(got > 0, "read returned nothing before the end");
                    done += (int)got;
                }
            }
        }

        public Error Write(uint node, ulong offset, byte[] data)
        {
            int done = 0;
            fixed (byte* pointer = data)
            {
                while (done < data.Length)
                {
                    uint chunk = (uint)Math.Min(65_536, data.Length - done);
                    Error error = FileSystem.Write(node, offset + (ulong)done, pointer + done, chunk, out uint wrote);
                    if (error != Error.None)
                        return error;
                    if (wrote == 0)
                        return Error.InputOutput;
                    done += (int)wrote;
                }
            }
            return Error.None;
        }

        public uint CreateFile(string path, uint mode = 0x1A4, uint userId = 1000, uint groupId = 1000)
        {
            var (directory, leaf) = Parent(path);
            uint made = 0;
            Assert.Equal(Error.None, WithName(leaf, (name, length) => FileSystem.Create(directory, (byte*)name, length, mode, userId, groupId, out made)));
            return made;
        }

        public uint MakeDirectory(string path, uint mode = 0x1ED)
        {
            var (directory, leaf) = Parent(path);
            uint made = 0;
            Assert.Equal(Error.None, WithName(leaf, (name, length) => FileSystem.MakeDirectory(directory, (byte*)name, length, mode, 1000, 1000, out made)));
            return made;
        }

        public Error SymbolicLink(string path, string target)
        {
            var (directory, leaf) = Parent(path);
            byte[] targetBytes = Encoding.UTF8.GetBytes(target);
            return WithName(leaf, (name, length) =>
            {
                fixed (byte* targetPointer = targetBytes)
                    return FileSystem.SymbolicLink(directory, (byte*)name, length, targetPointer, targetBytes.Length, 1000, 1000, out _);
            });
        }

        public string ReadLink(uint node)
        {
            var buffer = new byte[4096];
            int length = 0;
            fixed (byte* pointer = buffer)
                Assert.Equal(Error.None, FileSystem.ReadLink(node, pointer, buffer.Length, out length));
            return Encoding.UTF8.GetString(buffer, 0, length);
        }

        public Error Unlink(string path)
        {
            var (directory, leaf) = Parent(path);
            return WithName(leaf, (name, length) => FileSystem.Unlink(directory, (byte*)name, length));
        }

        public Error RemoveDirectory(string path)
        {
            var (directory, leaf) = Parent(path);
            return WithName(leaf, (name, length) => FileSystem.RemoveDirectory(directory, (byte*)name, length));
        }

        public Error Rename(string from, string to)
        {
            var (fromDirectory, fromLeaf) = Parent(from);
            var (toDirectory, toLeaf) = Parent(to);
            return WithName(fromLeaf, (fromName, fromLength) => WithName(toLeaf, (toName, toLength) =>
                FileSystem.Rename(fromDirectory, (byte*)fromName, fromLength, toDirectory, (byte*)toName, toLength)));
        }

        public Error Link(string existing, string path)
        {
            uint node = Node(existing);
            var (directory, leaf) = Parent(path);
            return WithName(leaf, (name, length) => FileSystem.Link(node, directory, (byte*)name, length));
        }

        public Error SetAttributes(uint node, ExtAttributeChange change) => FileSystem.SetAttributes(node, &change);

        /// <summary>The directory's entries as (name, inode, type), "." and ".." included.</summary>
        public System.Collections.Generic.List<(string Name, uint Inode, byte Type)> List(uint directory)
        {
            var result = new System.Collections.Generic.List<(string, uint, byte)>();
            DirectoryEntry entry;
            ulong cursor = 0;
            while (true)
            {
                Assert.Equal(Error.None, FileSystem.ReadDirectory(directory, cursor, &entry, out bool end));
                if (end)
                    break;
                Assert.True(entry.NextPosition > cursor);
                result.Add((Encoding.UTF8.GetString(entry.Name, entry.NameLength), entry.Inode, entry.Type));
                cursor = entry.NextPosition;
            }
            return result;
        }

        public void Sync() => Assert.Equal(Error.None, FileSystem.Sync());
    }
}
