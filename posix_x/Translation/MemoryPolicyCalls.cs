using Exo.Kernel.Arch.X64;
using Exo.Kernel.Memory;
using Exo.Kernel.Syscalls;
using Exo.PosixX.KernelInterface;
using static Exo.PosixX.Abi.LinuxSystemCallNumber;

namespace Exo.PosixX.Translation
{
    /// <summary>
    /// get_mempolicy, as Linux answers it on a machine with one memory node (Exo-OS has no NUMA placement): the policy
    /// is MPOL_DEFAULT, the allowed nodes are node 0, any mapped page is on node 0. Runtimes ask it at start (.NET's
    /// garbage collector). set_mempolicy and mbind (changing the policy) come with NUMA.
    /// </summary>
    public static unsafe class MemoryPolicyCalls
    {
        private const ulong FlagNode = 1, FlagAddress = 2, FlagMemoriesAllowed = 4;   // MPOL_F_*
        private const int NodeCount = 1;
        private const ulong MaximumNodeBits = 4096 * 8;   // Linux: at most a page of node bits

        internal static void Register() => LinuxSystemCalls.Register(GetMempolicy, &DoGetMemoryPolicy, CallPath.Hybrid);

        // get_mempolicy(int *mode, unsigned long *nodemask, unsigned long maxnode, void *addr, unsigned long flags)
        private static ulong DoGetMemoryPolicy(RegisterFrame* frame)
        {
            ulong modeAddress = frame->Argument0, maskAddress = frame->Argument1, maximumNode = frame->Argument2;
            ulong address = frame->Argument3, flags = frame->Argument4;
            if ((flags & ~(FlagNode | FlagAddress | FlagMemoriesAllowed)) != 0)
                return SystemCallResult.From(Error.Invalid);
            if ((flags & FlagMemoriesAllowed) != 0 && (flags & (FlagNode | FlagAddress)) != 0)
                return SystemCallResult.From(Error.Invalid);
            if (maskAddress != 0 && (maximumNode < NodeCount || maximumNode > MaximumNodeBits))
                return SystemCallResult.From(Error.Invalid);
            if ((flags & FlagAddress) == 0 && address != 0)
                return SystemCallResult.From(Error.Invalid);
            if ((flags & FlagNode) != 0 && (flags & FlagAddress) == 0)
                return SystemCallResult.From(Error.Invalid);   // the next interleave node: the default policy has none
            if ((flags & FlagAddress) != 0 && !LinuxProcess.Current.Regions.Covers(address & ~0xFFFUL, 1))
                return SystemCallResult.From(Error.BadAddress);
            int mode = 0;   // MPOL_DEFAULT; with MPOL_F_NODE|MPOL_F_ADDR the page's node, 0
            if (modeAddress != 0 && !UserMemory.CopyToUser(modeAddress, &mode, sizeof(int)))
                return SystemCallResult.From(Error.BadAddress);
            if (maskAddress != 0)
            {
                // ALIGN(maxnode - 1, 64) / 8 bytes, as Linux copies: empty for the default policy, node 0 for the allowed set.
                ulong bytes = (maximumNode - 1 + 63) / 64 * 8;
                ulong word = (flags & FlagMemoriesAllowed) != 0 ? 1UL : 0UL;
                for (ulong done = 0; done < bytes; done += 8)
                {
                    ulong value = done == 0 ? word : 0;
                    if (!UserMemory.CopyToUser(maskAddress + done, &value, 8))
                        return SystemCallResult.From(Error.BadAddress);
                }
            }
            return 0;
        }
    }
}
