using System.Runtime.InteropServices;

namespace Exo.Channels
{
    /// <summary>The glibc calls a service channel needs (Linux's x86-64 values), bound at run time like any .NET P/Invoke.</summary>
    internal static unsafe partial class Libc
    {
        private const string Library = "libc.so.6";

        public const int O_RDWR = 2, O_CLOEXEC = 0x80000;
        public const int PROT_READ = 1, PROT_WRITE = 2, MAP_SHARED = 1;
        public const short POLLIN = 1;
        public const int EINTR = 4, EAGAIN = 11, EPIPE = 32;
        public static readonly void* MAP_FAILED = (void*)-1;

        [StructLayout(LayoutKind.Sequential)]
        public struct PollDescriptor
        {
            public int Descriptor;
            public short Events, ReturnedEvents;
        }

        [LibraryImport(Library, SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
        public static partial int open(string path, int flags);

        [LibraryImport(Library, SetLastError = true)]
        public static partial int close(int descriptor);

        [LibraryImport(Library, SetLastError = true)]
        public static partial nint read(int descriptor, void* buffer, nuint count);

        [LibraryImport(Library, SetLastError = true)]
        public static partial nint write(int descriptor, void* buffer, nuint count);

        [LibraryImport(Library, SetLastError = true)]
        public static partial void* mmap(void* address, nuint length, int protection, int flags, int descriptor, long offset);

        [LibraryImport(Library, SetLastError = true)]
        public static partial int munmap(void* address, nuint length);

        [LibraryImport(Library, SetLastError = true)]
        public static partial int poll(PollDescriptor* descriptors, ulong count, int timeout);
    }
}
