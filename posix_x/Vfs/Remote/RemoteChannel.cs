using Exo.Kernel.Arch.X64;
using Exo.Kernel.Console;
using Exo.Kernel.Ipc;
using Exo.Kernel.Memory;
using Exo.Kernel.Memory.Heap;
using Exo.Kernel.Processes;
using Exo.Kernel.Sync;
using Exo.Kernel.Time;
using Exo.Protocols.FileSystem;

namespace Exo.PosixX.Vfs.Remote
{
    /// <summary>
    /// The kernel's end of one file system server's channel (FileSystemChannelLayout): one request at a time (a
    /// semaphore: callers queue, sleeping), encoded into a kernel buffer, copied to the shared request area, the
    /// server's notification signalled; the calling thread sleeps on the client notification until the reply,
    /// which is copied out of shared memory before it is decoded and checked (a server could change it while it
    /// is being read). The channel breaks, and every later call gets EIO, when the server ends, answers with a
    /// malformed reply, or leaves a request unanswered for <see cref="ReplyTimeoutMilliseconds"/>: a server can make
    /// its own file system fail, never the kernel hang or crash. A request in flight when that happens fails with EIO
    /// (whether the server did it is unknown). Once the broken channel's server has ended and a new server offers the
    /// same name, the next call goes on with it if it serves the same file system (FileSystemFigures' identity, asked
    /// at mount and of the new server: the device manager's restarted extfs); a server without an identity (memfs)
    /// leaves its mount broken until it is unmounted. Blocks: never call with a lock held.
    /// </summary>
    public sealed unsafe class RemoteChannel
    {
        /// <summary>How long a server may take over one request before the channel is given up.</summary>
        public const ulong ReplyTimeoutMilliseconds = 5000;
        /// <summary>How often a waiting caller looks whether the server has ended (its death signals nothing here).</summary>
        private const ulong ServerCheckMilliseconds = 50;

        private ServiceOffers.Offer _offer;
        private readonly Semaphore _turn = new Semaphore(1);
        private byte* _requestBuffer, _replyBuffer;
        private uint _sequence;
        private ulong _changes;
        private bool _broken;
        private bool _dataStaysShared;   // the reply being awaited is a read's: its data is copied to the reader from shared memory
        private readonly byte* _name;
        private readonly int _nameLength;
        // The file system's identity (FileSystemFigures), zero if the server gave none; and the mount's page cache,
        // forgotten when the channel goes on with a new server (data its predecessor had not written is gone).
        private FileSystemFigures _identity;
        private RemotePageCache _pages;
        private bool _following;   // TryFollow's question to a new server is under way (a successor that ends at once is not followed from it)
        private RemoteBlockChannel _blocks;   // the offer's block channel to the disk's driver, or null

        private RemoteChannel(ServiceOffers.Offer offer, byte* name, int nameLength)
        {
            _offer = offer;
            _name = name;
            _nameLength = nameLength;
        }

        /// <summary>A channel to the server offered as 'name' (NotFound if none is), or an error.</summary>
        public static Error Open(byte* name, int nameLength, out RemoteChannel channel)
        {
            channel = null;
            if (!ServiceOffers.IsValidName(name, nameLength))
                return Error.Invalid;
            if (!ServiceOffers.TryFind(ServiceOffers.Kind.FileSystem, name, nameLength, out ServiceOffers.Offer offer))
                return Error.NotFound;
            byte* requestBuffer = (byte*)KernelHeap.AllocateUninitialized(FileSystemLimits.MaximumRequestLength);
            byte* replyBuffer = (byte*)KernelHeap.AllocateUninitialized(FileSystemLimits.MaximumReplyLength);
            byte* nameCopy = (byte*)KernelHeap.AllocateUninitialized((ulong)nameLength);
            if (requestBuffer == null || replyBuffer == null || nameCopy == null)
            {
                KernelHeap.Free(requestBuffer);
                KernelHeap.Free(replyBuffer);
                KernelHeap.Free(nameCopy);
                offer.Release();
                return Error.OutOfMemory;
            }
            for (int i = 0; i < nameLength; i++)
                nameCopy[i] = name[i];
            channel = new RemoteChannel(offer, nameCopy, nameLength) { _requestBuffer = requestBuffer, _replyBuffer = replyBuffer, _blocks = RemoteBlockChannel.Open(offer) };
            return Error.None;
        }

        /// <summary>
        /// Takes the channel: one request at a time, the reply's data valid until <see cref="Leave"/>. Every
        /// <see cref="Exchange"/> happens between the two.
        /// </summary>
        public void Enter() => _turn.Wait();

        public void Leave() => _turn.Release();

        /// <summary>
        /// What a mount learned of its server at connection: the identity of its file system (FileSystemFigures; zero:
        /// none, never followed to a new server) and the page cache to forget when the channel follows one.
        /// </summary>
        public void SetIdentity(in FileSystemFigures figures, RemotePageCache pages)
        {
            _identity = figures;
            _pages = pages;
        }

        /// <summary>
        /// How many requests that may change the server's files this channel has sent (FileSystemOperations.IsChange).
        /// The kernel is a mount's only client: attributes read while this count stood still are still the server's.
        /// Read between Enter and Leave, it counts every request before the caller's and none after.
        /// </summary>
        public ulong Changes => System.Threading.Volatile.Read(ref _changes);

        /// <summary>
        /// Enter, then Exchange: the channel's error, or else the reply's own errno as an Error. Call Leave once done
        /// with the reply's data.
        /// </summary>
        public Error EnterAndAsk(ref FileSystemRequest request, out FileSystemReply reply)
        {
            Enter();
            return Ask(ref request, out reply);
        }

        /// <summary>EnterAndAsk for a caller that has entered already (the reply's data valid until its Leave).</summary>
        public Error Ask(ref FileSystemRequest request, out FileSystemReply reply)
        {
            Error error = Exchange(ref request, out reply);
            return error != Error.None ? error : (Error)reply.ErrorNumber;
        }

        /// <summary>
        /// The server's block channel to its disk's driver (null if it offered none, or it broke), and the server, whose
        /// end ends a wait for the driver: what RemoteDirectReads uses between Enter and Leave. After a Break or a follow
        /// (both only in Exchange) a fresh look is needed.
        /// </summary>
        public RemoteBlockChannel Blocks => _broken || _blocks == null || _blocks.IsBroken ? null : _blocks;

        public Process Server => _offer.Server;

        /// <summary>
        /// The most one read request asks for: FileSystemLimits.MaximumReadLength when the server offered bulk memory
        /// (its replies name where the data lies there), else what a reply area carries.
        /// </summary>
        public int MaximumReadLength => _offer.Bulk != null ? FileSystemLimits.MaximumReadLength : FileSystemLimits.MaximumDataLength;

        /// <summary>
        /// A read (Enter, Exchange, Leave): the reply's data goes from the shared area, or from the server's bulk memory
        /// where the reply names it, straight into 'buffer' at 'at' (the reader's memory), not through this channel's
        /// buffer: one copy of the file's bytes fewer. The data is the server's to give; only its length (against the
        /// request's count) and place (within the bulk memory) are checked. 'got': the bytes read.
        /// </summary>
        public Error EnterAndRead(ref FileSystemRequest request, IoBuffer buffer, ulong at, out int got)
        {
            got = 0;
            Enter();
            _dataStaysShared = true;
            Error error = Exchange(ref request, out FileSystemReply reply);
            _dataStaysShared = false;
            if (error == Error.None)
                error = (Error)reply.ErrorNumber;
            if (error == Error.None && reply.DataLength > 0)
            {
                bool copied = reply.InBulk ? CopyMemory(_offer.Bulk, reply.BulkOffset, buffer, at, reply.DataLength, toMemory: false)
                    : CopySharedTo(FileSystemChannelLayout.ReplyOffset + FileSystemLimits.ReplyHeaderLength, buffer, at, reply.DataLength);
                if (copied)
                    got = reply.DataLength;
                else
                    error = Error.BadAddress;
            }
            Leave();
            return error;
        }

        /// <summary>
        /// Sends 'request' (its Sequence is set here) and waits for its reply: Error.None with 'reply' decoded (its
        /// data in this channel's buffer, valid until Leave), or the error every caller gets from a broken channel
        /// (EIO). A reply's own errno is the caller's to look at. Call between Enter and Leave.
        /// </summary>
        private Error Exchange(ref FileSystemRequest request, out FileSystemReply reply)
        {
            reply = default;
            // A server gone before this request was sent: nothing is lost in flight, and its successor may take it.
            if (!_broken && _offer.Server.State == ProcessState.Exited && !TryFollow())
                return Break("ended", null);
            if (_broken && !TryFollow())
                return Error.InputOutput;
            request.Sequence = ++_sequence;
            if (FileSystemOperations.IsChange(request.Operation))
                System.Threading.Volatile.Write(ref _changes, _changes + 1);   // one writer: the channel's holder
            int length = request.Encode(_requestBuffer, FileSystemLimits.MaximumRequestLength);
            if (length < 0)
                return Error.Invalid;   // the VFS checked names and sizes: a request the protocol refuses is not sent
            CopyToShared(FileSystemChannelLayout.RequestOffset, _requestBuffer, length);
            _offer.ClientNotification.Take(false, out _);   // a stale reply bit (a reply that came after its caller gave up)
            _offer.ServerNotification.Signal(FileSystemChannelLayout.RequestBit);
            return AwaitReply(ref request, out reply);
        }

        private Error AwaitReply(ref FileSystemRequest request, out FileSystemReply reply)
        {
            reply = default;
            ulong ticksPerMillisecond = SystemClock.TscFrequency / 1000;
            ulong giveUp = Cpu.ReadTimeStampCounter() + ReplyTimeoutMilliseconds * ticksPerMillisecond;
            bool interrupted = false;
            while (true)
            {
                ulong bits = WaitForServer(_offer.ClientNotification, ref interrupted);
                if ((bits & FileSystemChannelLayout.ReplyBit) != 0)
                {
                    MessageProblem problem = ReadReply(ref request, out reply);
                    if (problem == MessageProblem.None && reply.InBulk && !IsInBulk(reply))
                        problem = MessageProblem.BadData;
                    if (problem == MessageProblem.None && reply.InBulk && !_dataStaysShared)
                    {
                        // A read by way of this channel's buffer (a page for the mount's cache): the data comes here too.
                        if (reply.DataLength > FileSystemLimits.MaximumDataLength)
                            problem = MessageProblem.TooLong;
                        else
                        {
                            CopyMemory(_offer.Bulk, reply.BulkOffset, IoBuffer.Kernel(_replyBuffer + FileSystemLimits.ReplyHeaderLength), 0, reply.DataLength, toMemory: false);
                            reply.Data = _replyBuffer + FileSystemLimits.ReplyHeaderLength;
                        }
                    }
                    if (problem == MessageProblem.None)
                        return Error.None;
                    if (problem != MessageProblem.NotTheAnswer)
                        return Break("sent a malformed reply: ", MessageProblems.Describe(problem));
                    // A late answer to an abandoned request: wait for ours.
                }
                if (_offer.Server.State == ProcessState.Exited)
                    return Break("ended", null);
                if (Cpu.ReadTimeStampCounter() > giveUp)
                    return Break("did not answer in time", null);
            }
        }

        // The reply, copied out of shared memory (header, then as much data as the header claims) and decoded.
        private MessageProblem ReadReply(ref FileSystemRequest request, out FileSystemReply reply)
        {
            CopyFromShared(FileSystemChannelLayout.ReplyOffset, _replyBuffer, FileSystemLimits.ReplyHeaderLength);
            int dataLength = FileSystemReply.ClaimedDataLength(_replyBuffer);
            if (dataLength > 0 && !(_dataStaysShared && request.Operation == FileSystemOperation.Read))
                CopyFromShared(FileSystemChannelLayout.ReplyOffset + FileSystemLimits.ReplyHeaderLength,
                    _replyBuffer + FileSystemLimits.ReplyHeaderLength, dataLength);
            return FileSystemReply.Decode(_replyBuffer, FileSystemLimits.ReplyHeaderLength + (dataLength > 0 ? dataLength : 0), request, out reply);
        }

        private Error Break(string why, string detail)
        {
            if (!_broken)
            {
                _broken = true;
                Report(" ", why, detail, "; its mount now fails with EIO");
            }
            return Error.InputOutput;
        }

        // "posix_x: ringfs server NAME" and the pieces (null: none), as one line: at 4 processors the device manager's
        // own lines about the same crash come at the same moment.
        private void Report(string first, string second, string third, string fourth)
        {
            var line = new ConsoleLine();
            line.Append("posix_x: ringfs server ");
            line.Append(_name, _nameLength);
            line.Append(first);
            line.Append(second);
            line.Append(third);
            line.Append(fourth);
            line.WriteLine();
        }

        public bool IsBroken => _broken;

        /// <summary>
        /// A channel whose server has ended goes on with the server now offered under its name, if that one answers a
        /// Statistics request with the same nonzero identity: the same file system, whose node ids name the same
        /// objects. The mount's page cache is forgotten and the change count moved (attributes are asked again).
        /// Called in Exchange, between Enter and Leave; false, the channel as it was, otherwise.
        /// </summary>
        private bool TryFollow()
        {
            if (_following || _requestBuffer == null || !_identity.HasIdentity || _offer.Server.State != ProcessState.Exited)
                return false;
            bool wasBroken = _broken;
            if (!ServiceOffers.TryFind(ServiceOffers.Kind.FileSystem, _name, _nameLength, out ServiceOffers.Offer next))
                return false;
            ServiceOffers.Offer previous = _offer;
            _offer = next;
            _broken = false;
            FileSystemRequest statistics = new FileSystemRequest { Operation = FileSystemOperation.Statistics, Node = FileSystemLimits.RootNode };
            _following = true;
            Error error = Exchange(ref statistics, out FileSystemReply reply);
            _following = false;
            FileSystemFigures figures = error == Error.None && reply.ErrorNumber == 0 ? FileSystemFigures.Read(reply.Data) : default;
            if (figures.IdentityLow != _identity.IdentityLow || figures.IdentityHigh != _identity.IdentityHigh)
            {
                // Another file system under the name (or a server that failed the question): the mount stays broken.
                _offer = previous;
                next.Release();
                _broken = wasBroken;
                return false;
            }
            _blocks = RemoteBlockChannel.Open(next);
            previous.Release();
            _pages?.ForgetAll();
            System.Threading.Volatile.Write(ref _changes, _changes + 1);
            Report(" is offered again by a new process, the same file system; its mount goes on", null, null, null);
            return true;
        }

        /// <summary>Unmounted: no more requests reach the server; the buffers and the offer's references go back.</summary>
        public void Close()
        {
            Enter();
            _broken = true;
            KernelHeap.Free(_requestBuffer);
            KernelHeap.Free(_replyBuffer);
            _requestBuffer = _replyBuffer = null;
            _blocks = null;
            _offer.Release();
            Leave();
        }

        private void CopyToShared(int offset, byte* from, int count) => CopyShared(offset, IoBuffer.Kernel(from), 0, count, toShared: true);

        private void CopyFromShared(int offset, byte* to, int count) => CopyShared(offset, IoBuffer.Kernel(to), 0, count, toShared: false);

        private bool CopySharedTo(int offset, IoBuffer buffer, ulong at, int count) => CopyShared(offset, buffer, at, count, toShared: false);

        private bool CopyShared(int offset, IoBuffer buffer, ulong at, int count, bool toShared)
            => CopyMemory(_offer.Memory, (ulong)offset, buffer, at, count, toShared);

        // A bulk reply's data lies within the bulk memory the server offered (the offset is the server's word).
        private bool IsInBulk(in FileSystemReply reply)
            => _offer.Bulk != null && reply.BulkOffset <= _offer.Bulk.Size && (ulong)reply.DataLength <= _offer.Bulk.Size - reply.BulkOffset;

        /// <summary>
        /// One wait of a caller for its server (or the driver of the server's disk) to signal 'notification': at most
        /// ServerCheckMilliseconds, so that the caller looks again whether the server has ended; the bits taken (0 when
        /// the time passed). A kill or a signal ends the wait and sets 'interrupted': the request is the server's now,
        /// and the channel cannot take the next one before its answer, so the caller goes on waiting by polling (its
        /// waits would end at once), bounded by its own timeout.
        /// </summary>
        internal static ulong WaitForServer(Notification notification, ref bool interrupted)
        {
            ulong bits;
            if (interrupted)
            {
                Exo.Kernel.Scheduler.Scheduler.Sleep(ServerCheckMilliseconds / 5);
                notification.Take(false, out bits);
                return bits;
            }
            using (InterruptMask.Enter())
            {
                Exo.Kernel.Scheduler.Scheduler.ArmTimeout(Cpu.ReadTimeStampCounter() + ServerCheckMilliseconds * (SystemClock.TscFrequency / 1000));
                Error waited = notification.Take(true, out bits);
                bool timedOut = Exo.Kernel.Scheduler.Scheduler.DisarmTimeout();
                interrupted = waited == Error.Interrupted && !timedOut;
            }
            return bits;
        }

        // Between 'memory' at 'offset' and 'buffer' at 'at' (kernel memory, or a reader's: false on a bad user address),
        // through the direct map: in one piece for DMA memory (one physical run: a 1 MiB read's per-page calls were
        // 17,000 instructions), else page by page.
        private static bool CopyMemory(MemoryObject memory, ulong offset, IoBuffer buffer, ulong at, int count, bool toMemory)
        {
            if (memory.IsContiguous && count > 0)
            {
                byte* run = (byte*)PhysicalMemory.ToVirtual(memory.FrameAt(0)) + offset;
                return toMemory ? buffer.CopyOut(at, run, (ulong)count) : buffer.CopyIn(at, run, (ulong)count);
            }
            while (count > 0)
            {
                int inPage = (int)(offset & 0xFFF);
                int chunk = 4096 - inPage < count ? 4096 - inPage : count;
                byte* page = (byte*)PhysicalMemory.ToVirtual(memory.FrameAt((int)(offset >> 12))) + inPage;
                if (!(toMemory ? buffer.CopyOut(at, page, (ulong)chunk) : buffer.CopyIn(at, page, (ulong)chunk)))
                    return false;
                at += (ulong)chunk;
                offset += (ulong)chunk;
                count -= chunk;
            }
            return true;
        }
    }
}
