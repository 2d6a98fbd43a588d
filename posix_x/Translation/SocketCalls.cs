using Exo.Kernel.Arch.X64;
using Exo.Kernel.Memory;
using Exo.Kernel.Memory.Heap;
using Exo.Kernel.Syscalls;
using Exo.PosixX.KernelInterface;
using Exo.PosixX.Sockets;
using Exo.PosixX.Vfs;
using static Exo.PosixX.Abi.LinuxSystemCallNumber;

namespace Exo.PosixX.Translation
{
    /// <summary>
    /// The socket calls: socket, socketpair, bind, listen, accept, accept4, connect, getsockname, getpeername, sendto,
    /// recvfrom, sendmsg, recvmsg, sendmmsg, recvmmsg, shutdown, setsockopt, getsockopt. They copy addresses, options and control messages
    /// (SCM_RIGHTS, SCM_CREDENTIALS) between the program and the kernel and leave the rest to the socket's family
    /// (Sockets.Socket; SocketFamilies says which exist). Data stays in the program's buffers until the socket copies it.
    /// </summary>
    public static unsafe class SocketCalls
    {
        private const int SocketNonBlocking = OpenFlags.NonBlocking, SocketCloseOnExec = OpenFlags.CloseOnExec;   // SOCK_NONBLOCK, SOCK_CLOEXEC
        private const int MaximumVectors = 1024;        // UIO_MAXIOV
        private const ulong MaximumTransfer = 0x7FFFF000;   // MAX_RW_COUNT
        /// <summary>Control data one sendmsg passes at most (Linux's net.core.optmem_max): ENOBUFS past it.</summary>
        private const ulong MaximumControl = 20480;
        /// <summary>The largest option value copied in or out.</summary>
        private const int MaximumOption = 64;
        private const int HeaderSize = 16;              // sizeof(struct cmsghdr): length (8), level, type
        private const int Rights = 1, Credentials = 2;  // SCM_RIGHTS, SCM_CREDENTIALS
        private const int CredentialsSize = 12;         // sizeof(struct ucred)

        internal static void Register()
        {
            LinuxSystemCalls.Register(Abi.LinuxSystemCallNumber.Socket, &DoSocket, CallPath.Hybrid);
            LinuxSystemCalls.Register(Socketpair, &DoSocketPair, CallPath.Hybrid);
            LinuxSystemCalls.Register(Bind, &DoBind, CallPath.Hybrid);
            LinuxSystemCalls.Register(Listen, &DoListen, CallPath.Hybrid);
            LinuxSystemCalls.Register(Accept, &DoAccept, CallPath.Hybrid);
            LinuxSystemCalls.Register(Accept4, &DoAcceptWithFlags, CallPath.Hybrid);
            LinuxSystemCalls.Register(Connect, &DoConnect, CallPath.Hybrid);
            LinuxSystemCalls.Register(Getsockname, &DoGetName, CallPath.Hybrid);
            LinuxSystemCalls.Register(Getpeername, &DoGetPeerName, CallPath.Hybrid);
            LinuxSystemCalls.Register(Sendto, &DoSendTo, CallPath.Hybrid);
            LinuxSystemCalls.Register(Recvfrom, &DoReceiveFrom, CallPath.Hybrid);
            LinuxSystemCalls.Register(Sendmsg, &DoSendMessage, CallPath.Hybrid);
            LinuxSystemCalls.Register(Recvmsg, &DoReceiveMessage, CallPath.Hybrid);
            LinuxSystemCalls.Register(Sendmmsg, &DoSendMessages, CallPath.Hybrid);
            LinuxSystemCalls.Register(Recvmmsg, &DoReceiveMessages, CallPath.Hybrid);
            LinuxSystemCalls.Register(Shutdown, &DoShutdown, CallPath.Hybrid);
            LinuxSystemCalls.Register(Setsockopt, &DoSetOption, CallPath.Hybrid);
            LinuxSystemCalls.Register(Getsockopt, &DoGetOption, CallPath.Hybrid);
        }

        // ---------------------------------------------------------------- shared

        // The socket behind a descriptor (a reference), or EBADF / ENOTSOCK.
        private static Error SocketOf(ulong descriptor, out Sockets.Socket socket)
        {
            socket = null;
            OpenFile file = DescriptorContext.File(descriptor);
            if (file == null)
                return Error.BadHandle;
            socket = file as Sockets.Socket;
            if (socket != null)
                return Error.None;
            file.Release();
            return Error.NotASocket;
        }

        // Linux's move_addr_to_kernel: at most sockaddr_storage's size (EINVAL), copied into 'address'.
        private static Error CopyAddressIn(ulong user, ulong length, byte* address)
        {
            if ((long)(int)length != (long)length || (int)length < 0 || length > SocketTransfer.MaximumAddressLength)
                return Error.Invalid;
            if (length > 0 && !UserMemory.CopyFromUser(address, user, length))
                return Error.BadAddress;
            return Error.None;
        }

        // Linux's move_addr_to_user: as much of the address as the program's length allows; the full length written back.
        private static Error CopyAddressOut(byte* address, int length, ulong user, ulong userLength)
        {
            int room;
            if (!UserMemory.CopyFromUser(&room, userLength, 4))
                return Error.BadAddress;
            if (room < 0)
                return Error.Invalid;
            int copied = room < length ? room : length;
            if (copied > 0 && !UserMemory.CopyToUser(user, address, (ulong)copied))
                return Error.BadAddress;
            return UserMemory.CopyToUser(userLength, &length, 4) ? Error.None : Error.BadAddress;
        }

        // A new socket into the lowest free descriptor (the socket's creator reference given up).
        private static Error Install(OpenFile file, bool closeOnExec, out int descriptor)
            => DescriptorContext.InstallNew(file, closeOnExec, out descriptor);

        // socket and socketpair's type argument: SOCK_NONBLOCK and SOCK_CLOEXEC beside the type.
        private static Error SplitType(int argument, out int type, out int flags)
        {
            type = argument & Sockets.Socket.TypeMask;
            flags = argument & ~Sockets.Socket.TypeMask;
            if ((flags & ~(SocketNonBlocking | SocketCloseOnExec)) != 0)
                return Error.Invalid;
            return Error.None;
        }

        private static Error CheckFamilyAndType(int family, int type)
            => family < 0 || family >= SocketFamilies.FamilyLimit ? Error.AddressFamilyNotSupported
                : type >= SocketFamilies.TypeLimit ? Error.Invalid : Error.None;

        // ---------------------------------------------------------------- making sockets

        // socket(family, type, protocol)
        private static ulong DoSocket(RegisterFrame* frame)
        {
            int family = (int)frame->Argument0;
            Error error = SplitType((int)frame->Argument1, out int type, out int flags);
            if (error == Error.None)
                error = CheckFamilyAndType(family, type);
            if (error != Error.None)
                return SystemCallResult.From(error);
            error = SocketFamilies.Create(family, type, (int)frame->Argument2, flags, out Sockets.Socket socket);
            if (error != Error.None)
                return SystemCallResult.From(error);
            error = Install(socket, (flags & SocketCloseOnExec) != 0, out int descriptor);
            return SystemCallResult.From(error, (ulong)descriptor);
        }

        // socketpair(family, type, protocol, sv*)
        private static ulong DoSocketPair(RegisterFrame* frame)
        {
            int family = (int)frame->Argument0;
            Error error = SplitType((int)frame->Argument1, out int type, out int flags);
            if (error == Error.None)
                error = CheckFamilyAndType(family, type);
            if (error != Error.None)
                return SystemCallResult.From(error);
            error = SocketFamilies.CreatePair(family, type, (int)frame->Argument2, flags, out Sockets.Socket first, out Sockets.Socket second);
            if (error != Error.None)
                return SystemCallResult.From(error);
            LinuxProcess process = LinuxProcess.Current;
            bool closeOnExec = (flags & SocketCloseOnExec) != 0;
            int* pair = stackalloc int[2];
            error = Install(first, closeOnExec, out pair[0]);
            if (error != Error.None)
            {
                second.Release();
                return SystemCallResult.From(error);
            }
            error = Install(second, closeOnExec, out pair[1]);
            if (error != Error.None)
            {
                process.Descriptors.Close(pair[0]);
                return SystemCallResult.From(error);
            }
            if (!UserMemory.CopyToUser(frame->Argument3, pair, 8))
            {
                process.Descriptors.Close(pair[0]);
                process.Descriptors.Close(pair[1]);
                return SystemCallResult.From(Error.BadAddress);
            }
            return 0;
        }

        // ---------------------------------------------------------------- names and connections

        // bind(fd, addr*, addrlen) and connect(fd, addr*, addrlen)
        private static ulong DoBind(RegisterFrame* frame) => WithAddress(frame, connect: false);
        private static ulong DoConnect(RegisterFrame* frame) => WithAddress(frame, connect: true);

        private static ulong WithAddress(RegisterFrame* frame, bool connect)
        {
            Error error = SocketOf(frame->Argument0, out Sockets.Socket socket);
            if (error != Error.None)
                return SystemCallResult.From(error);
            byte* address = stackalloc byte[SocketTransfer.MaximumAddressLength];
            error = CopyAddressIn(frame->Argument1, frame->Argument2, address);
            if (error == Error.None)
                error = connect ? socket.Connect(address, (int)frame->Argument2) : socket.Bind(address, (int)frame->Argument2);
            socket.Release();
            return SystemCallResult.From(error);
        }

        // listen(fd, backlog) and shutdown(fd, how): one number for the socket.
        private static ulong DoListen(RegisterFrame* frame) => WithNumber(frame, &ListenOn);
        private static ulong DoShutdown(RegisterFrame* frame) => WithNumber(frame, &ShutDown);
        private static Error ListenOn(Sockets.Socket socket, int backlog) => socket.Listen(backlog);
        private static Error ShutDown(Sockets.Socket socket, int how) => socket.Shutdown(how);

        private static ulong WithNumber(RegisterFrame* frame, delegate*<Sockets.Socket, int, Error> operation)
        {
            Error error = SocketOf(frame->Argument0, out Sockets.Socket socket);
            if (error != Error.None)
                return SystemCallResult.From(error);
            error = operation(socket, (int)frame->Argument1);
            socket.Release();
            return SystemCallResult.From(error);
        }

        // accept(fd, addr*, addrlen*) and accept4(..., flags)
        private static ulong DoAccept(RegisterFrame* frame) => AcceptConnection(frame, 0);
        private static ulong DoAcceptWithFlags(RegisterFrame* frame) => AcceptConnection(frame, (int)frame->Argument3);

        private static ulong AcceptConnection(RegisterFrame* frame, int flags)
        {
            if ((flags & ~(SocketNonBlocking | SocketCloseOnExec)) != 0)
                return SystemCallResult.From(Error.Invalid);
            Error error = SocketOf(frame->Argument0, out Sockets.Socket listener);
            if (error != Error.None)
                return SystemCallResult.From(error);
            error = listener.Accept(flags, out Sockets.Socket accepted);
            listener.Release();
            if (error != Error.None)
                return SystemCallResult.From(error);
            if (frame->Argument1 != 0)
            {
                byte* address = stackalloc byte[SocketTransfer.MaximumAddressLength];
                error = accepted.GetName(peer: true, address, out int length);
                if (error == Error.NotConnected)
                {
                    *(ushort*)address = (ushort)accepted.Family;   // the client went away already: an unnamed address
                    length = 2;
                    error = Error.None;
                }
                if (error == Error.None)
                    error = CopyAddressOut(address, length, frame->Argument1, frame->Argument2);
                if (error != Error.None)
                {
                    accepted.Release();
                    return SystemCallResult.From(error);
                }
            }
            error = Install(accepted, (flags & SocketCloseOnExec) != 0, out int descriptor);
            return SystemCallResult.From(error, (ulong)descriptor);
        }

        // getsockname(fd, addr*, addrlen*) and getpeername
        private static ulong DoGetName(RegisterFrame* frame) => GetName(frame, peer: false);
        private static ulong DoGetPeerName(RegisterFrame* frame) => GetName(frame, peer: true);

        private static ulong GetName(RegisterFrame* frame, bool peer)
        {
            Error error = SocketOf(frame->Argument0, out Sockets.Socket socket);
            if (error != Error.None)
                return SystemCallResult.From(error);
            byte* address = stackalloc byte[SocketTransfer.MaximumAddressLength];
            error = socket.GetName(peer, address, out int length);
            socket.Release();
            if (error == Error.None)
                error = CopyAddressOut(address, length, frame->Argument1, frame->Argument2);
            return SystemCallResult.From(error);
        }

        // ---------------------------------------------------------------- options

        // setsockopt(fd, level, name, value*, length)
        private static ulong DoSetOption(RegisterFrame* frame)
        {
            Error error = SocketOf(frame->Argument0, out Sockets.Socket socket);
            if (error != Error.None)
                return SystemCallResult.From(error);
            int length = (int)frame->Argument4;
            byte* value = stackalloc byte[MaximumOption];
            int copied = length < MaximumOption ? length : MaximumOption;
            if (length < 0)
                error = Error.Invalid;
            else if (copied > 0 && !UserMemory.CopyFromUser(value, frame->Argument3, (ulong)copied))
                error = Error.BadAddress;
            else
                error = socket.SetOption((int)frame->Argument1, (int)frame->Argument2, value, copied);
            socket.Release();
            return SystemCallResult.From(error);
        }

        // getsockopt(fd, level, name, value*, length*)
        private static ulong DoGetOption(RegisterFrame* frame)
        {
            Error error = SocketOf(frame->Argument0, out Sockets.Socket socket);
            if (error != Error.None)
                return SystemCallResult.From(error);
            int length;
            byte* value = stackalloc byte[MaximumOption];
            if (!UserMemory.CopyFromUser(&length, frame->Argument4, 4))
                error = Error.BadAddress;
            else if (length < 0)
                error = Error.Invalid;
            else
            {
                if (length > MaximumOption)
                    length = MaximumOption;
                error = socket.GetOption((int)frame->Argument1, (int)frame->Argument2, value, ref length);
                if (error == Error.None && ((length > 0 && !UserMemory.CopyToUser(frame->Argument3, value, (ulong)length))
                    || !UserMemory.CopyToUser(frame->Argument4, &length, 4)))
                    error = Error.BadAddress;
            }
            socket.Release();
            return SystemCallResult.From(error);
        }

        // ---------------------------------------------------------------- data

        // sendto and recvfrom's buffer (fd, buffer*, length, flags, ...): EFAULT for one outside the program, then the socket.
        private static Error OneBuffer(RegisterFrame* frame, IoVector* vector, out SocketTransfer transfer, out Sockets.Socket socket)
        {
            socket = null;
            ulong length = frame->Argument2 > MaximumTransfer ? MaximumTransfer : frame->Argument2;
            *vector = new IoVector { Base = frame->Argument1, Length = length };
            transfer = new SocketTransfer { Vectors = vector, VectorCount = 1, Length = length, Flags = (int)frame->Argument3 };
            if (length > 0 && !UserMemory.IsUserRange(frame->Argument1, length))
                return Error.BadAddress;
            return SocketOf(frame->Argument0, out socket);
        }

        // sendto(fd, buffer*, length, flags, addr*, addrlen)
        private static ulong DoSendTo(RegisterFrame* frame)
        {
            IoVector vector;
            SocketTransfer transfer;
            Error error = OneBuffer(frame, &vector, out transfer, out Sockets.Socket socket);
            if (error != Error.None)
                return SystemCallResult.From(error);
            byte* address = stackalloc byte[SocketTransfer.MaximumAddressLength];
            if (frame->Argument4 != 0)
            {
                error = CopyAddressIn(frame->Argument4, frame->Argument5, address);
                transfer.Address = address;
                transfer.AddressLength = (int)frame->Argument5;
            }
            ulong done = 0;
            if (error == Error.None)
                error = socket.Send(ref transfer, out done);
            socket.Release();
            return SystemCallResult.From(error, done);
        }

        // recvfrom(fd, buffer*, length, flags, addr*, addrlen*)
        private static ulong DoReceiveFrom(RegisterFrame* frame)
        {
            IoVector vector;
            SocketTransfer transfer;
            Error error = OneBuffer(frame, &vector, out transfer, out Sockets.Socket socket);
            if (error != Error.None)
                return SystemCallResult.From(error);
            byte* address = stackalloc byte[SocketTransfer.MaximumAddressLength];
            if (frame->Argument4 != 0)
                transfer.Address = address;
            error = socket.Receive(ref transfer, out ulong done);
            socket.Release();
            transfer.ReleaseRights();   // recvfrom has nowhere to put descriptions: they close, as on Linux
            if (error == Error.None && frame->Argument4 != 0)
                error = CopyAddressOut(address, transfer.AddressLength, frame->Argument4, frame->Argument5);
            return SystemCallResult.From(error, done);
        }

        // struct msghdr (x86-64): name*, namelen, iov*, iovlen, control*, controllen, flags.
        private struct MessageHeader
        {
            public ulong Name;
            public int NameLength, Padding;
            public ulong Vectors, VectorCount, Control, ControlLength;
            public int Flags, Padding2;
        }

        private const int NameLengthOffset = 8, ControlLengthOffset = 40, FlagsOffset = 48;

        // The message's buffers (struct iovec) copied into kernel memory ('vectors', freed by the caller), checked.
        private static Error CopyVectors(in MessageHeader header, out IoVector* vectors, out ulong total)
        {
            vectors = null;
            total = 0;
            if (header.VectorCount > MaximumVectors)
                return Error.MessageTooLong;
            ulong bytes = header.VectorCount * (ulong)sizeof(IoVector);
            vectors = (IoVector*)KernelHeap.AllocateUninitialized(bytes > 0 ? bytes : 1);
            if (vectors == null)
                return Error.OutOfMemory;
            if (bytes > 0 && !UserMemory.CopyFromUser(vectors, header.Vectors, bytes))
                return Error.BadAddress;
            for (ulong i = 0; i < header.VectorCount; i++)
            {
                if ((long)vectors[i].Length < 0)
                    return Error.Invalid;
                if (vectors[i].Length > MaximumTransfer - total)
                    vectors[i].Length = MaximumTransfer - total;   // Linux's MAX_RW_COUNT: the rest is not transferred
                if (vectors[i].Length > 0 && !UserMemory.IsUserRange(vectors[i].Base, vectors[i].Length))
                    return Error.BadAddress;
                total += vectors[i].Length;
            }
            return Error.None;
        }

        // A msghdr and its buffers (struct iovec, copied into kernel memory: 'vectors', freed by the caller) into the transfer.
        private static Error ReadHeader(ulong userHeader, out MessageHeader header, out IoVector* vectors, ref SocketTransfer transfer)
        {
            vectors = null;
            MessageHeader copy;
            Error error = UserMemory.CopyFromUser(&copy, userHeader, (ulong)sizeof(MessageHeader)) ? Error.None : Error.BadAddress;
            header = copy;
            if (error != Error.None)
                return error;
            error = CopyVectors(header, out vectors, out transfer.Length);
            transfer.Vectors = vectors;
            transfer.VectorCount = (int)header.VectorCount;
            return error;
        }

        private static int Align(int length) => (length + 7) & ~7;   // CMSG_ALIGN

        // sendmsg(fd, msghdr*, flags)
        private static ulong DoSendMessage(RegisterFrame* frame)
        {
            Error error = SocketOf(frame->Argument0, out Sockets.Socket socket);
            if (error != Error.None)
                return SystemCallResult.From(error);
            error = SendMessage(socket, frame->Argument1, (int)frame->Argument2, out ulong done);
            socket.Release();
            return SystemCallResult.From(error, done);
        }

        // One msghdr's message: its address, buffers and control messages, sent.
        private static Error SendMessage(Sockets.Socket socket, ulong userHeader, int flags, out ulong done)
        {
            done = 0;
            MessageHeader header;
            byte* control = null;
            byte* address = stackalloc byte[SocketTransfer.MaximumAddressLength];
            SocketTransfer transfer = new SocketTransfer { Flags = flags };
            Error error = ReadHeader(userHeader, out header, out IoVector* vectors, ref transfer);
            if (error == Error.None && header.Name != 0 && header.NameLength != 0)
            {
                error = CopyAddressIn(header.Name, (ulong)(uint)header.NameLength, address);
                transfer.Address = address;
                transfer.AddressLength = header.NameLength;
            }
            if (error == Error.None && header.ControlLength > 0)
            {
                if (header.ControlLength > MaximumControl)
                    error = Error.NoBufferSpace;
                else if ((control = (byte*)KernelHeap.AllocateUninitialized(header.ControlLength)) == null)
                    error = Error.OutOfMemory;
                else if (!UserMemory.CopyFromUser(control, header.Control, header.ControlLength))
                    error = Error.BadAddress;
                else
                    error = ParseControl(socket, control, (int)header.ControlLength, ref transfer);
            }
            if (error == Error.None)
                error = socket.Send(ref transfer, out done);
            transfer.ReleaseRights();
            if (vectors != null)
                KernelHeap.Free(vectors);
            if (control != null)
                KernelHeap.Free(control);
            return error;
        }

        // struct mmsghdr: a msghdr, then the bytes its message moved.
        private const int MultipleHeaderSize = 64, MessageLengthOffset = 56;
        private const int WaitForOne = 0x10000;   // MSG_WAITFORONE

        // sendmmsg(fd, mmsghdr*, vlen, flags): the messages in turn, up to the first that fails; how many went.
        private static ulong DoSendMessages(RegisterFrame* frame)
            => Messages(frame, send: true, 0);

        // recvmmsg(fd, mmsghdr*, vlen, flags, timespec*): as Linux, the timeout is looked at only after each message.
        private static ulong DoReceiveMessages(RegisterFrame* frame)
        {
            long timeout = -1;
            if (frame->Argument4 != 0)
            {
                Error error = TimeCalls.ReadTimespec(frame->Argument4, out timeout);
                if (error != Error.None)
                    return SystemCallResult.From(error);
            }
            ulong deadline = timeout < 0 ? 0 : Exo.Kernel.Time.SystemClock.TscAfterNanoseconds((ulong)timeout);
            return Messages(frame, send: false, deadline);
        }

        private static ulong Messages(RegisterFrame* frame, bool send, ulong deadline)
        {
            Error error = SocketOf(frame->Argument0, out Sockets.Socket socket);
            if (error != Error.None)
                return SystemCallResult.From(error);
            uint count = (uint)frame->Argument2 > MaximumVectors ? MaximumVectors : (uint)frame->Argument2;
            int flags = (int)frame->Argument3;
            uint sent = 0;
            for (; sent < count; sent++)
            {
                ulong header = frame->Argument1 + sent * MultipleHeaderSize;
                error = send ? SendMessage(socket, header, flags, out ulong done) : ReceiveMessage(socket, header, flags & ~WaitForOne, out done);
                if (error != Error.None)
                    break;
                uint length = (uint)done;
                if (!UserMemory.CopyToUser(header + MessageLengthOffset, &length, 4))
                {
                    error = Error.BadAddress;
                    break;
                }
                if (!send && (flags & WaitForOne) != 0)
                    flags |= MessageFlags.DontWait;
                if (deadline != 0 && Cpu.ReadTimeStampCounter() >= deadline)
                {
                    sent++;
                    break;
                }
            }
            socket.Release();
            return sent > 0 ? sent : SystemCallResult.From(error);
        }

        // The control messages of a sendmsg: SCM_RIGHTS' descriptions (references into the transfer) and SCM_CREDENTIALS
        // (checked: a program may claim only its own ids unless privileged). Other levels are skipped, as Linux does.
        private static Error ParseControl(Sockets.Socket socket, byte* control, int length, ref SocketTransfer transfer)
        {
            LinuxProcess process = LinuxProcess.Current;
            for (int at = 0; length - at >= HeaderSize;)
            {
                ulong messageLength = *(ulong*)(control + at);
                int level = *(int*)(control + at + 8), type = *(int*)(control + at + 12);
                if (messageLength < HeaderSize || messageLength > (ulong)(length - at))
                    return Error.Invalid;
                int data = (int)messageLength - HeaderSize;
                if (level == Sockets.Socket.SocketLevel)
                {
                    if (type == Rights)
                    {
                        if (socket.Family != SocketFamilies.Unix)
                            return Error.Invalid;
                        int count = data / 4;
                        if (transfer.RightsCount + count > SocketTransfer.MaximumRights)
                            return Error.Invalid;
                        if (count > 0 && transfer.Rights == null)
                        {
                            transfer.Rights = new OpenFile[SocketTransfer.MaximumRights];
                            if (transfer.Rights == null)
                                return Error.OutOfMemory;
                        }
                        for (int i = 0; i < count; i++)
                        {
                            OpenFile file = DescriptorContext.File((ulong)(uint)*(int*)(control + at + HeaderSize + 4 * i));
                            if (file == null)
                                return Error.BadHandle;
                            transfer.Rights[transfer.RightsCount++] = file;
                        }
                    }
                    else if (type == Credentials)
                    {
                        if (data != CredentialsSize)
                            return Error.Invalid;
                        int processId = *(int*)(control + at + HeaderSize);
                        uint userId = *(uint*)(control + at + HeaderSize + 4), groupId = *(uint*)(control + at + HeaderSize + 8);
                        ref KernelInterface.Credentials own = ref process.Credentials;
                        if ((processId != process.ProcessId && !own.IsPrivileged)
                            || (userId != own.UserId && userId != own.EffectiveUserId && userId != own.SavedUserId && !own.IsPrivileged)
                            || (groupId != own.GroupId && groupId != own.EffectiveGroupId && groupId != own.SavedGroupId && !own.IsPrivileged))
                            return Error.NotPermitted;
                    }
                    else
                    {
                        return Error.Invalid;
                    }
                }
                at += Align((int)messageLength);
            }
            return Error.None;
        }

        // recvmsg(fd, msghdr*, flags)
        private static ulong DoReceiveMessage(RegisterFrame* frame)
        {
            Error error = SocketOf(frame->Argument0, out Sockets.Socket socket);
            if (error != Error.None)
                return SystemCallResult.From(error);
            error = ReceiveMessage(socket, frame->Argument1, (int)frame->Argument2, out ulong done);
            socket.Release();
            return SystemCallResult.From(error, done);
        }

        // One message into a msghdr: its buffers, source address and control messages.
        private static Error ReceiveMessage(Sockets.Socket socket, ulong userHeader, int flags, out ulong done)
        {
            done = 0;
            MessageHeader header;
            byte* address = stackalloc byte[SocketTransfer.MaximumAddressLength];
            SocketTransfer transfer = new SocketTransfer { Flags = flags };
            Error error = ReadHeader(userHeader, out header, out IoVector* vectors, ref transfer);
            if (error == Error.None && header.Name != 0 && header.NameLength < 0)
                error = Error.Invalid;
            if (error == Error.None)
            {
                if (header.Name != 0)
                    transfer.Address = address;
                error = socket.Receive(ref transfer, out done);
            }
            if (error == Error.None)
                error = Deliver(userHeader, header, ref transfer);
            transfer.ReleaseRights();
            if (vectors != null)
                KernelHeap.Free(vectors);
            return error;
        }

        // recvmsg's results into the program's msghdr: the source address, the control messages (credentials first,
        // then the descriptions, installed as new descriptors; what does not fit is closed and MSG_CTRUNC set, as
        // Linux's put_cmsg and scm_detach_fds), the control length used and the flags.
        private static Error Deliver(ulong userHeader, in MessageHeader header, ref SocketTransfer transfer)
        {
            if (header.Name != 0)
            {
                int length = transfer.AddressLength;
                int copied = header.NameLength < length ? header.NameLength : length;
                if ((copied > 0 && !UserMemory.CopyToUser(header.Name, transfer.Address, (ulong)copied))
                    || !UserMemory.CopyToUser(userHeader + NameLengthOffset, &length, 4))
                    return Error.BadAddress;
            }
            ulong capacity = header.Control == 0 ? 0 : header.ControlLength;
            ulong used = 0;
            int flags = transfer.ResultFlags;
            if (transfer.HasCredentials)
            {
                int* credentials = stackalloc int[3];
                credentials[0] = transfer.ProcessId;
                credentials[1] = (int)transfer.UserId;
                credentials[2] = (int)transfer.GroupId;
                if (!PutControl(header.Control, capacity, ref used, ref flags, Credentials, (byte*)credentials, CredentialsSize))
                    return Error.BadAddress;
            }
            if (transfer.RightsCount > 0)
            {
                ulong room = capacity - used;
                int fit = room > HeaderSize ? (int)((room - HeaderSize) / 4) : 0;
                int count = transfer.RightsCount < fit ? transfer.RightsCount : fit;
                int* descriptors = (int*)KernelHeap.AllocateUninitialized((ulong)(count > 0 ? count : 1) * 4);
                if (descriptors == null)
                    return Error.OutOfMemory;
                bool closeOnExec = (transfer.Flags & MessageFlags.CloseOnExecRights) != 0;
                LinuxProcess process = LinuxProcess.Current;
                int installed = 0;
                for (; installed < count; installed++)
                {
                    if (process.Descriptors.Install(transfer.Rights[installed], 0, closeOnExec, (int)FileCalls.Limit(process), out descriptors[installed]) != Error.None)
                        break;
                }
                bool written = installed == 0 || PutControl(header.Control, capacity, ref used, ref flags, Rights, (byte*)descriptors, installed * 4);
                KernelHeap.Free(descriptors);
                if (installed < transfer.RightsCount)
                    flags |= MessageFlags.ControlTruncated;
                // The transfer's references go (ReleaseRights, by the caller): the table took its own for those installed.
                if (!written)
                    return Error.BadAddress;
            }
            return UserMemory.CopyToUser(userHeader + ControlLengthOffset, &used, 8)
                && UserMemory.CopyToUser(userHeader + FlagsOffset, &flags, 4) ? Error.None : Error.BadAddress;
        }

        // Linux's put_cmsg: one control message at 'used' within 'capacity' bytes of 'control' (cut short, with
        // MSG_CTRUNC, when it does not fit; nothing when not even the header does); false on a fault.
        private static bool PutControl(ulong control, ulong capacity, ref ulong used, ref int flags, int type, byte* data, int length)
        {
            ulong room = capacity - used;
            if (room < HeaderSize)
            {
                flags |= MessageFlags.ControlTruncated;
                return true;
            }
            ulong messageLength = (ulong)(HeaderSize + length);
            if (room < messageLength)
            {
                flags |= MessageFlags.ControlTruncated;
                messageLength = room;
            }
            byte* head = stackalloc byte[HeaderSize];
            *(ulong*)head = messageLength;
            *(int*)(head + 8) = Sockets.Socket.SocketLevel;
            *(int*)(head + 12) = type;
            if (!UserMemory.CopyToUser(control + used, head, HeaderSize)
                || (messageLength > HeaderSize && !UserMemory.CopyToUser(control + used + HeaderSize, data, messageLength - HeaderSize)))
                return false;
            ulong space = (ulong)Align(HeaderSize + length);
            used += space < room ? space : room;
            return true;
        }
    }
}
