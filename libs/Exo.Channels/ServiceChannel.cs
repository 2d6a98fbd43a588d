using System;
using System.Runtime.InteropServices;
using Exo.Protocols.Channels;

namespace Exo.Channels
{
    /// <summary>
    /// A connection from a .NET program (running on Exo-OS through POSIX-X) to a native service that listens for them:
    /// open /dev/exo/NAME, map the channel's shared memory, ring the service and wait for it (ServiceChannelLayout has
    /// the rules). Only Linux calls are used, through glibc: the program is an ordinary linux-x64 .NET program.
    /// </summary>
    public sealed unsafe class ServiceChannel : IDisposable
    {
        private int _descriptor;
        private byte* _shared;
        private readonly ulong _size;

        private ServiceChannel(int descriptor, byte* shared, ulong size)
        {
            _descriptor = descriptor;
            _shared = shared;
            _size = size;
        }

        /// <summary>The channel's size in bytes (the kernel's header included).</summary>
        public ulong Size => _size;

        /// <summary>Where the service's protocol starts (past the kernel's header).</summary>
        public byte* Payload => _shared + ServiceChannelLayout.HeaderSize;

        /// <summary>The descriptor, for poll or epoll with other descriptors (readable: the service rang).</summary>
        public int Descriptor => _descriptor;

        /// <summary>
        /// Connects to the service listening as 'name' with a channel of 'size' bytes (the service's size: mapping more
        /// than it made reads as zeros past its end). ENOENT: no such service; ECONNREFUSED: it is not running now.
        /// </summary>
        public static ServiceChannel Connect(string name, ulong size)
        {
            int descriptor = Libc.open(ServiceChannelLayout.DeviceDirectory + "/" + name, Libc.O_RDWR | Libc.O_CLOEXEC);
            if (descriptor < 0)
                throw new ServiceChannelException($"open {ServiceChannelLayout.DeviceDirectory}/{name}", Marshal.GetLastPInvokeError());
            void* mapped = Libc.mmap(null, (nuint)size, Libc.PROT_READ | Libc.PROT_WRITE, Libc.MAP_SHARED, descriptor, 0);
            if (mapped == Libc.MAP_FAILED)
            {
                int error = Marshal.GetLastPInvokeError();
                Libc.close(descriptor);
                throw new ServiceChannelException("mmap", error);
            }
            return new ServiceChannel(descriptor, (byte*)mapped, size);
        }

        /// <summary>Rings the service. False: the service has ended (EPIPE).</summary>
        public bool Ring()
        {
            ulong value = 1;
            if (Libc.write(_descriptor, &value, ServiceChannelLayout.DoorbellSize) == ServiceChannelLayout.DoorbellSize)
                return true;
            int error = Marshal.GetLastPInvokeError();
            if (error == Libc.EPIPE)
                return false;
            throw new ServiceChannelException("write", error);
        }

        /// <summary>
        /// Waits for the service's bits, at most 'timeoutMilliseconds' (-1: no limit). 0: the time passed;
        /// ServiceEndedBit set: the service has ended (with its last bits, if any).
        /// </summary>
        public ulong Wait(int timeoutMilliseconds = -1)
        {
            while (true)
            {
                Libc.PollDescriptor poll = new Libc.PollDescriptor { Descriptor = _descriptor, Events = Libc.POLLIN };
                int ready = Libc.poll(&poll, 1, timeoutMilliseconds);
                if (ready < 0)
                {
                    int error = Marshal.GetLastPInvokeError();
                    if (error == Libc.EINTR)
                        continue;
                    throw new ServiceChannelException("poll", error);
                }
                if (ready == 0)
                    return 0;
                ulong bits = 0;
                nint read = Libc.read(_descriptor, &bits, ServiceChannelLayout.DoorbellSize);
                if (read == 0)
                    return ServiceChannelLayout.ServiceEndedBit;   // end of file: the service is gone
                if (read == ServiceChannelLayout.DoorbellSize)
                    return bits;
                int readError = Marshal.GetLastPInvokeError();
                if (readError != Libc.EAGAIN && readError != Libc.EINTR)
                    throw new ServiceChannelException("read", readError);
            }
        }

        public void Dispose()
        {
            if (_shared != null)
                Libc.munmap(_shared, (nuint)_size);
            _shared = null;
            if (_descriptor >= 0)
                Libc.close(_descriptor);
            _descriptor = -1;
        }
    }

    /// <summary>A Linux call on a service channel failed: which call, and its errno.</summary>
    public sealed class ServiceChannelException : Exception
    {
        public int ErrorNumber { get; }

        public ServiceChannelException(string call, int errorNumber) : base($"{call}: errno {errorNumber}") => ErrorNumber = errorNumber;
    }
}
