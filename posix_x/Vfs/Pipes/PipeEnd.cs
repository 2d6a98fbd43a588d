namespace Exo.PosixX.Vfs.Pipes
{
    /// <summary>
    /// One end of a pipe as an open file (what pipe2 puts in a descriptor, or a FIFO's open): reads or writes the
    /// pipe, never seeks; the last end to close frees the pipe. An anonymous pipe's node is pipefs's (fstat: a
    /// FIFO); a FIFO's is its node in the file system it was made in.
    /// </summary>
    public sealed class PipeEnd : OpenFile
    {
        public readonly Pipe Pipe;
        private readonly bool _readEnd;
        public bool IsReadEnd => _readEnd;
        private readonly bool _ownsPipe;   // anonymous: the pipe goes with its ends

        public PipeEnd(Vnode node, Pipe pipe, bool readEnd, int flags, bool ownsPipe)
            : base(node, (flags & ~OpenFlags.AccessMask) | (readEnd ? OpenFlags.ReadOnly : OpenFlags.WriteOnly))
        {
            Pipe = pipe;
            _readEnd = readEnd;
            _ownsPipe = ownsPipe;
            pipe.Opened(readEnd);
        }

        public override Error Read(IoBuffer buffer, ulong count, out ulong done)
        {
            if (!_readEnd)
            {
                done = 0;
                return Error.BadHandle;
            }
            return Pipe.Read(buffer, count, NonBlocking, out done);
        }

        public override Error Write(IoBuffer buffer, ulong count, out ulong done)
        {
            if (_readEnd)
            {
                done = 0;
                return Error.BadHandle;
            }
            Error error = Pipe.Write(buffer, count, NonBlocking, out done);
            if (Pipe.Readers == 0 && (error == Error.PeerGone || done < count))
                Signals.SignalDelivery.RaiseOnCurrentThread(Signals.Signal.Pipe);   // no reader: SIGPIPE, as Linux, even after a partial write
            return error;
        }

        public override Error ReadAt(ulong offset, IoBuffer buffer, ulong count, out ulong done) { done = 0; return Error.IllegalSeek; }
        public override Error WriteAt(ulong offset, IoBuffer buffer, ulong count, out ulong done) { done = 0; return Error.IllegalSeek; }
        public override Error Seek(long offset, int whence, out ulong position) { position = 0; return Error.IllegalSeek; }
        public override PollEvents Poll() => Pipe.Poll(_readEnd);
        public override int ChangeCount(PollEvents interest) => Pipe.ChangesFor(_readEnd);   // each end watches one direction
        public override ulong ReadinessKeys => Pipe.ReadinessKeyFor(_readEnd);

        private const uint BytesReadable = 0x541B;   // FIONREAD

        public override unsafe Error Control(uint request, ulong argument, out ulong result)
        {
            result = 0;
            if (request != BytesReadable)
                return Error.NotATerminal;
            int buffered = Pipe.Buffered;
            return Exo.Kernel.Memory.UserMemory.CopyToUser(argument, &buffered, 4) ? Error.None : Error.BadAddress;
        }

        protected override void Destroy()
        {
            if (Pipe.Closed(_readEnd) && _ownsPipe)
                Pipe.Free();
            base.Destroy();
        }
    }
}
