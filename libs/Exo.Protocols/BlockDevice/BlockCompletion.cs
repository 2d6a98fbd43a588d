namespace Exo.Protocols.BlockDevice
{
    /// <summary>
    /// A request's completion, <see cref="Length"/> bytes, little endian:
    /// 0 tag u32 | 4 status u16 (0, or an Exo.Abi error number: InputOutput for the device's error or a sector
    /// past the end, ReadOnlyFileSystem, Invalid for a malformed request, NotSupported) | 6 flags u16 (bit 0:
    /// the disk is read-only) | 8 value u64 (Capacity: sectors; Read and Write: sectors done; otherwise 0).
    /// </summary>
    public unsafe struct BlockCompletion
    {
        public const int Length = 16;
        public const ushort FlagReadOnly = 1;
        public const ushort MaximumStatus = 4095;

        public uint Tag;
        public ushort Status;
        public ushort Flags;
        public ulong Value;

        public BlockMessageProblem Check()
            => Status > MaximumStatus || (Flags & ~FlagReadOnly) != 0 || (Status != 0 && Value != 0) ? BlockMessageProblem.BadField : BlockMessageProblem.None;

        public bool Encode(byte* buffer)
        {
            if (Check() != BlockMessageProblem.None)
                return false;
            *(uint*)buffer = Tag;
            *(ushort*)(buffer + 4) = Status;
            *(ushort*)(buffer + 6) = Flags;
            *(ulong*)(buffer + 8) = Value;
            return true;
        }

        public static BlockMessageProblem Decode(byte* buffer, out BlockCompletion completion)
        {
            completion = default;
            completion.Tag = *(uint*)buffer;
            completion.Status = *(ushort*)(buffer + 4);
            completion.Flags = *(ushort*)(buffer + 6);
            completion.Value = *(ulong*)(buffer + 8);
            return completion.Check();
        }
    }
}
