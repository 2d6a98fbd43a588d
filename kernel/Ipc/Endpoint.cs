using System.Runtime.CompilerServices;
using System.Threading;
using Exo.Kernel.Capabilities;
using Exo.Kernel.Scheduler;
using Exo.Kernel.Syscalls;

namespace Exo.Kernel.Ipc
{
    /// <summary>
    /// A Fusion Ring endpoint: where callers meet a server for synchronous call/reply. A server thread waiting
    /// for a call publishes itself in <see cref="Receiver"/>, a word a caller claims with one compare-exchange
    /// (the fast path: no lock); callers that find nobody waiting queue in <see cref="Callers"/> under its lock
    /// (the slow path). The two meet without a lost wake-up because each side publishes itself first and looks
    /// for the other after (a full fence between), so at least one of them sees the other.
    /// The first process that receives on an endpoint becomes its server (only it may receive there); the
    /// endpoint dies with that process: waiting callers, and later ones, get "peer gone".
    /// </summary>
    public sealed class Endpoint : KernelObject
    {
        /// <summary>The address of the thread waiting in receive, or 0.</summary>
        internal ulong Receiver;
        internal readonly WaitQueue Callers = new WaitQueue();
        internal int QueuedCallers;
        internal bool Dead;
        /// <summary>The server process (its address), bound by its first receive; 0 until then.</summary>
        internal ulong Server;

        /// <summary>True if 'process' is (or has just become) this endpoint's server.</summary>
        internal bool BindServer(ulong process)
        {
            ulong server = Volatile.Read(ref Server);
            return server == process || (server == 0 && Interlocked.CompareExchange(ref Server, process, 0) == 0);
        }

        /// <summary>Takes the waiting receiver for a caller, or null if none waits.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        internal unsafe Thread ClaimReceiver()
        {
            ulong address = Volatile.Read(ref Receiver);
            if (address == 0 || Interlocked.CompareExchange(ref Receiver, 0, address) != address)
                return null;
            return Unsafe.AsRef<Thread>(&address);
        }

        /// <summary>The owner has ended: every waiting caller and receiver gets "peer gone"; later calls too.</summary>
        internal unsafe void MarkDead()
        {
            Callers.Lock.Enter();
            Volatile.Write(ref Dead, true);
            Thread caller;
            while ((caller = Callers.TakeFirst()) != null)
            {
                Interlocked.Decrement(ref QueuedCallers);
                caller.Ipc.Status = SystemCallResult.From(Error.PeerGone);
                Scheduler.Scheduler.Wake(caller);
            }
            Callers.Lock.Exit();
            Thread receiver = ClaimReceiver();
            if (receiver != null)
            {
                receiver.Ipc.Status = SystemCallResult.From(Error.PeerGone);
                Scheduler.Scheduler.Wake(receiver);
            }
        }

        protected override void Destroy()
        {
            MarkDead();
            // A fast path on another processor may have found this endpoint just before its last handle went:
            // it is freed only once no processor is inside one.
            Scheduler.Scheduler.WaitForFastPaths();
            Exo.Runtime.ObjectAllocator.Free(Callers);
            Exo.Runtime.ObjectAllocator.Free(this);
        }
    }
}
