using Exo.Std.Handles;

namespace Exo.Std.Ipc
{
    /// <summary>
    /// One Fusion Ring message: four 64-bit words and at most one handle, carried in registers (no copy
    /// through memory). On receipt, Badge says who sent it and Handle is this process's own handle to
    /// what was sent (None if nothing was).
    /// </summary>
    public struct Message
    {
        public ulong Word0, Word1, Word2, Word3;
        public Handle Handle;
        /// <summary>Sending: move Handle to the receiver instead of copying it (the copy needs Grant).</summary>
        public bool MoveHandle;
        /// <summary>Received: the sender's badge (its process id).</summary>
        public ulong Badge;

        public Message(ulong word0, ulong word1 = 0, ulong word2 = 0, ulong word3 = 0)
        {
            Word0 = word0; Word1 = word1; Word2 = word2; Word3 = word3;
            Handle = default; MoveHandle = false; Badge = 0;
        }

        internal IpcRegisters ToRegisters()
        {
            IpcRegisters registers;
            registers.Badge = 0;
            registers.Word0 = Word0;
            registers.Word1 = Word1;
            registers.Word2 = Word2;
            registers.Word3 = Word3;
            registers.Handle = Handle.Value | (MoveHandle && Handle.IsValid ? Exo.Abi.Constants.MoveHandle : 0);
            return registers;
        }

        internal static Message FromRegisters(in IpcRegisters registers)
        {
            Message message = new Message(registers.Word0, registers.Word1, registers.Word2, registers.Word3);
            message.Handle = new Handle((uint)registers.Handle);
            message.Badge = registers.Badge;
            return message;
        }
    }
}
