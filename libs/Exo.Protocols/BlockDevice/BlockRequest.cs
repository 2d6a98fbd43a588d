namespace Exo.Protocols.BlockDevice
{
    /// <summary>Why a block-device message was refused; None when it is well formed.</summary>
    public enum BlockMessageProblem : byte
    {
        None = 0,
        BadMagic,
        UnknownOperation,
        /// <summary>A sector count of 0 for a read or write, above the limit, or not 0 for flush and capacity.</summary>
        BadCount,
        /// <summary>A data range not sector aligned or outside the channel's data area, or one given to flush or capacity.</summary>
        BadBuffer,
        /// <summary>Reserved bits set, a status outside 0..4095, or a value with an error.</summary>
        BadField,
    }

    /// <summary>
    /// One request, <see cref="Length"/> bytes, little endian:
    /// 0 magic u32 | 4 operation u16 | 6 zero u16 | 8 tag u32 | 12 sector count u32 | 16 sector u64 |
    /// 24 buffer offset u32 (in the data area) | 28 zero u32.
    /// The tag is the client's: its completion carries it back. Sectors past the disk's end are the driver's to
    /// refuse (InputOutput), as the device does; everything else is checked here, on both sides.
    /// </summary>
    public unsafe struct BlockRequest
    {
        public const int Length = 32;
        public const uint Magic = 0x6B6C4245;   // "EBlk"

        public BlockOperation Operation;
        public uint Tag;
        public uint SectorCount;
        public ulong Sector;
        public uint BufferOffset;

        public BlockMessageProblem Check()
        {
            bool transfer = Operation == BlockOperation.Read || Operation == BlockOperation.Write;
            if (!transfer && Operation != BlockOperation.Flush && Operation != BlockOperation.Capacity)
                return BlockMessageProblem.UnknownOperation;
            if (!transfer)
                return SectorCount != 0 || Sector != 0 ? BlockMessageProblem.BadCount : BufferOffset != 0 ? BlockMessageProblem.BadBuffer : BlockMessageProblem.None;
            if (SectorCount == 0 || SectorCount > BlockChannelLayout.MaximumSectorsPerRequest)
                return BlockMessageProblem.BadCount;
            ulong end = (ulong)BufferOffset + (ulong)SectorCount * BlockChannelLayout.SectorSize;
            if (BufferOffset % BlockChannelLayout.SectorSize != 0 || end > BlockChannelLayout.DataLength)
                return BlockMessageProblem.BadBuffer;
            return BlockMessageProblem.None;
        }

        /// <summary>Writes the request (Length bytes); false, nothing written, if it breaks a rule.</summary>
        public bool Encode(byte* buffer)
        {
            if (Check() != BlockMessageProblem.None)
                return false;
            *(uint*)buffer = Magic;
            *(ushort*)(buffer + 4) = (ushort)Operation;
            *(ushort*)(buffer + 6) = 0;
            *(uint*)(buffer + 8) = Tag;
            *(uint*)(buffer + 12) = SectorCount;
            *(ulong*)(buffer + 16) = Sector;
            *(uint*)(buffer + 24) = BufferOffset;
            *(uint*)(buffer + 28) = 0;
            return true;
        }

        /// <summary>Reads a request from Length bytes the peer wrote (copied once: the peer may change them meanwhile).</summary>
        public static BlockMessageProblem Decode(byte* buffer, out BlockRequest request)
        {
            request = default;
            if (*(uint*)buffer != Magic)
                return BlockMessageProblem.BadMagic;
            if (*(ushort*)(buffer + 6) != 0 || *(uint*)(buffer + 28) != 0)
                return BlockMessageProblem.BadField;
            request.Operation = (BlockOperation)(*(ushort*)(buffer + 4));
            request.Tag = *(uint*)(buffer + 8);
            request.SectorCount = *(uint*)(buffer + 12);
            request.Sector = *(ulong*)(buffer + 16);
            request.BufferOffset = *(uint*)(buffer + 24);
            return request.Check();
        }
    }
}
