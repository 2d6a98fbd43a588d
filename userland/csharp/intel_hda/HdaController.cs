using System.Threading;
using Exo.Abi;
using Exo.Std;

namespace IntelHda
{
    /// <summary>
    /// The HD Audio controller's registers (Intel's High Definition Audio specification, section 3.3) in BAR 0: the
    /// global reset, codec discovery (STATESTS), the immediate command interface (a verb out, its response back, one at
    /// a time: QEMU's intel-hda implements it as well as the CORB/RIRB rings), the DMA position buffer, and the stream
    /// descriptors (input streams first, then output).
    /// </summary>
    internal unsafe struct HdaController
    {
        private const int GlobalCapabilities = 0x00, GlobalControl = 0x08, StateChangeStatus = 0x0E;
        private const int InterruptControl = 0x20, InterruptStatus = 0x24;
        private const uint GlobalInterruptStatus = 1u << 31;
        private const int ImmediateCommand = 0x60, ImmediateResponse = 0x64, ImmediateStatus = 0x68;
        private const int PositionBufferLower = 0x70, PositionBufferUpper = 0x74;
        private const int StreamBase = 0x80, StreamStride = 0x20;
        private const uint ControllerReset = 1;
        private const ushort CommandBusy = 1, ResultValid = 2;
        // Stream descriptor registers, from the descriptor's base.
        private const int StreamControl = 0x00, StreamStatus = 0x03, StreamCyclicLength = 0x08, StreamLastValidIndex = 0x0C,
            StreamFormat = 0x12, StreamListLower = 0x18, StreamListUpper = 0x1C;
        private const uint StreamResetBit = 1, StreamRunBit = 2, StreamCompletionInterrupt = 4;
        /// <summary>Spin limits: each poll is a register read (QEMU answers at once; real hardware in microseconds).</summary>
        private const int ResetPolls = 1_000_000, CommandPolls = 100_000;
        /// <summary>Codecs need 521 us after the reset ends to ask for an address (specification 4.3): wait 2 ms.</summary>
        private const ulong CodecWakeNanoseconds = 2_000_000;

        private byte* _registers;

        public HdaController(byte* registers) { _registers = registers; }

        public int InputStreams => (Read16(GlobalCapabilities) >> 8) & 0xF;
        public int OutputStreams => (Read16(GlobalCapabilities) >> 12) & 0xF;

        /// <summary>Resets the controller (CRST low, then high) and returns the codecs that answered (STATESTS bits).</summary>
        public bool Reset(out uint codecs)
        {
            codecs = 0;
            // A predecessor that died left its streams running: stop them first, so the codecs hear that they stopped (a
            // controller reset clears the run bits without telling them, and QEMU's codec then ignores the next start).
            int streams = InputStreams + OutputStreams + ((Read16(GlobalCapabilities) >> 3) & 0x1F);
            for (int index = 0; index < streams; index++)
                StopStream(index);
            Write32(GlobalControl, Read32(GlobalControl) & ~ControllerReset);
            if (!Poll(GlobalControl, ControllerReset, 0))
                return false;
            Write32(GlobalControl, Read32(GlobalControl) | ControllerReset);
            if (!Poll(GlobalControl, ControllerReset, ControllerReset))
                return false;
            ulong until = MonotonicClock.Nanoseconds + CodecWakeNanoseconds;
            while (MonotonicClock.Nanoseconds < until)
            {
            }
            codecs = Read16(StateChangeStatus);
            Write16(StateChangeStatus, (ushort)codecs);   // write-one-to-clear
            return true;
        }

        /// <summary>Sends one verb (codec address, node and command already packed) and returns its response.</summary>
        public bool Command(uint verb, out uint response)
        {
            response = 0;
            int polls = 0;
            while ((Read16(ImmediateStatus) & CommandBusy) != 0)
                if (++polls > CommandPolls)
                    return false;
            Write16(ImmediateStatus, ResultValid);   // clears a stale result
            Write32(ImmediateCommand, verb);
            Write16(ImmediateStatus, CommandBusy);
            for (polls = 0; (Read16(ImmediateStatus) & ResultValid) == 0; polls++)
                if (polls > CommandPolls)
                    return false;
            response = Read32(ImmediateResponse);
            Write16(ImmediateStatus, ResultValid);
            return true;
        }

        /// <summary>Points the DMA position buffer at 'physical' (the device writes every stream's position there).</summary>
        public void EnablePositionBuffer(ulong physical)
        {
            Write32(PositionBufferUpper, (uint)(physical >> 32));
            Write32(PositionBufferLower, (uint)physical | 1);
        }

        /// <summary>Stream descriptor 'index' (0-based over every stream, input first) reset and set up for a cyclic buffer
        /// of 'bytes' described by 'descriptors' entries at 'listPhysical', in 'format', tagged 'tag'; then run.</summary>
        public bool StartStream(int index, int tag, ulong listPhysical, int descriptors, uint bytes, ushort format)
        {
            int stream = StreamBase + StreamStride * index;
            Write8(stream + StreamControl, (byte)StreamResetBit);
            if (!Poll8(stream + StreamControl, (byte)StreamResetBit, (byte)StreamResetBit))
                return false;
            Write8(stream + StreamControl, 0);
            if (!Poll8(stream + StreamControl, (byte)StreamResetBit, 0))
                return false;
            Write8(stream + StreamStatus, 0x1C);   // completion, FIFO error, descriptor error: write-one-to-clear
            Write32(stream + StreamCyclicLength, bytes);
            Write16(stream + StreamLastValidIndex, (ushort)(descriptors - 1));
            Write16(stream + StreamFormat, format);
            Write32(stream + StreamListLower, (uint)listPhysical);
            Write32(stream + StreamListUpper, (uint)(listPhysical >> 32));
            Write8(stream + StreamControl + 2, (byte)(tag << 4));
            Write32(InterruptControl, Read32(InterruptControl) | 1u << index | 1u << 31);
            Write8(stream + StreamControl, (byte)(StreamRunBit | StreamCompletionInterrupt));
            return true;
        }

        /// <summary>Whether INTSTS says an interrupt is pending (a stream's completion, or the controller's).</summary>
        public bool InterruptPending => (Read32(InterruptStatus) & GlobalInterruptStatus) != 0;

        public void StopStream(int index)
        {
            Write8(StreamBase + StreamStride * index + StreamControl, 0);
        }

        /// <summary>The stream's status bits (completion 4, FIFO error 8, descriptor error 16), cleared as read.</summary>
        public byte TakeStreamStatus(int index)
        {
            int status = StreamBase + StreamStride * index + StreamStatus;
            byte value = Read8(status);
            if (value != 0)
                Write8(status, value);
            return value;
        }

        private bool Poll(int offset, uint mask, uint expected)
        {
            for (int i = 0; i < ResetPolls; i++)
                if ((Read32(offset) & mask) == expected)
                    return true;
            return false;
        }

        private bool Poll8(int offset, byte mask, byte expected)
        {
            for (int i = 0; i < ResetPolls; i++)
                if ((Read8(offset) & mask) == expected)
                    return true;
            return false;
        }

        private uint Read32(int offset) => Volatile.Read(ref *(uint*)(_registers + offset));
        private ushort Read16(int offset) => Volatile.Read(ref *(ushort*)(_registers + offset));
        private byte Read8(int offset) => Volatile.Read(ref *(_registers + offset));
        private void Write32(int offset, uint value) => Volatile.Write(ref *(uint*)(_registers + offset), value);
        private void Write16(int offset, ushort value) => Volatile.Write(ref *(ushort*)(_registers + offset), value);
        private void Write8(int offset, byte value) => Volatile.Write(ref *(_registers + offset), value);
    }
}
