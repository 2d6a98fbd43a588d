using System.Runtime.CompilerServices;
using System.Threading;
using Exo.Kernel.Arch.X64;
using Exo.Kernel.Capabilities;
using Exo.Kernel.Processes;
using Exo.Kernel.Scheduler;
using Exo.Kernel.Syscalls;

namespace Exo.Kernel.Ipc
{
    /// <summary>
    /// Synchronous Fusion Ring calls: call, receive, reply-and-receive. A message is four words in registers
    /// (RSI RDX R10 R8) plus an optional capability (R9); the kernel writes it straight into the peer's system
    /// call frame, and the caller's processor switches directly to the server (and back on the reply), skipping
    /// the scheduler's pick. Written like seL4's fastpath: cheap guards first, each falling to the slow path,
    /// then the point of no return. The fast path takes no shared lock and allocates nothing: it finds the
    /// endpoint in the caller's own handle table without the capability lock (under the processor's fast-path
    /// grace flag) and claims the waiting server with one compare-exchange.
    /// All of this runs in system calls, with interrupts disabled, and returns their results (an error as
    /// SystemCallResult.From makes it: PeerGone when the server ended, Busy when another thread already receives
    /// on the endpoint, Interrupted when the waiting process is being killed).
    /// </summary>
    public static unsafe class FusionCall
    {
        private static ulong s_fastCalls, s_slowCalls;
        public static ulong FastCalls => s_fastCalls;
        public static ulong SlowCalls => s_slowCalls;

        // ------------------------------------------------------------------ call

        /// <summary>The call in 'frame' (the caller's own): endpoint handle, four words and an optional handle to send.</summary>
        public static ulong Call(Process process, Thread current, RegisterFrame* frame)
        {
            ulong handle = frame->Argument0;
            ulong w0 = frame->Argument1, w1 = frame->Argument2, w2 = frame->Argument3, w3 = frame->Argument4;
            if (frame->R9 == 0 && handle <= uint.MaxValue)           // no capability travels
            {
                ref int grace = ref Scheduler.Scheduler.FastPathFlag;
                Interlocked.Exchange(ref grace, 1);
                object found = process.Handles.LookupUnlocked((uint)handle, ObjectType.Endpoint, Rights.Write);
                Thread receiver = found != null ? Unsafe.As<Endpoint>(found).ClaimReceiver() : null;
                Volatile.Write(ref grace, 0);
                if (receiver != null)
                {
                    // Point of no return: the server is ours.
                    s_fastCalls++;
                    current.State = ThreadState.Blocked;
                    Deliver(receiver, current, (ulong)process.Id, w0, w1, w2, w3, 0);
                    Run(receiver);
                    return current.Ipc.Status;
                }
            }
            return CallSlow(process, current, handle, w0, w1, w2, w3, frame->R9);
        }

        private static ulong CallSlow(Process process, Thread current, ulong handle, ulong w0, ulong w1, ulong w2, ulong w3, ulong transfer)
        {
            s_slowCalls++;
            Error error = CapabilitySpace.Reference(process.Handles, handle, ObjectType.Endpoint, Rights.Write, out KernelObject found);
            if (error != Error.None)
                return SystemCallResult.From(error);
            if ((error = CapabilitySpace.CheckTransfer(process.Handles, transfer)) != Error.None)
            {
                found.Release();
                return SystemCallResult.From(error);
            }
            Endpoint endpoint = (Endpoint)found;
            ulong result = CallOrQueue(endpoint, process, current, w0, w1, w2, w3, transfer);
            endpoint.Release();
            return result;
        }

        private static ulong CallOrQueue(Endpoint endpoint, Process process, Thread current, ulong w0, ulong w1, ulong w2, ulong w3, ulong transfer)
        {
            Thread receiver = endpoint.ClaimReceiver();
            if (receiver == null)
            {
                endpoint.Callers.Lock.Enter();
                if (endpoint.Dead)
                {
                    endpoint.Callers.Lock.Exit();
                    return SystemCallResult.From(Error.PeerGone);
                }
                // Named before the kill flag is read; a killer sets the flag, then looks here (InterruptWait).
                Interlocked.Exchange(ref current.Ipc.WaitingOn, Scheduler.Scheduler.AddressOf(endpoint));
                if (current.KillPending)
                {
                    current.Ipc.WaitingOn = 0;
                    endpoint.Callers.Lock.Exit();
                    return SystemCallResult.From(Error.Interrupted);
                }
                // Queue first, then look for a receiver again: a server publishing itself meanwhile sees us.
                current.State = ThreadState.Blocked;
                endpoint.Callers.Add(current);
                Interlocked.Increment(ref endpoint.QueuedCallers);
                receiver = endpoint.ClaimReceiver();
                if (receiver == null)
                {
                    // A receiver takes the message from our frame and replies into it.
                    Scheduler.Scheduler.BlockReleasingLock(ref endpoint.Callers.Lock);
                    current.Ipc.WaitingOn = 0;
                    return current.Ipc.Status;
                }
                current.Ipc.WaitingOn = 0;
                endpoint.Callers.Remove(current);
                Interlocked.Decrement(ref endpoint.QueuedCallers);
                endpoint.Callers.Lock.Exit();
            }
            ulong received = 0;
            if (transfer != 0)
                received = Transfer(process, transfer, receiver.Process);
            current.State = ThreadState.Blocked;
            Deliver(receiver, current, (ulong)process.Id, w0, w1, w2, w3, received);
            Run(receiver);
            return current.Ipc.Status;
        }

        // ------------------------------------------------------------------ receive

        /// <summary>Waits for a call on 'handle' (a server's first wait; then it uses reply-and-receive).</summary>
        public static ulong Receive(Process process, Thread current, ulong handle)
        {
            Error error = CapabilitySpace.Reference(process.Handles, handle, ObjectType.Endpoint, Rights.Read, out KernelObject found);
            if (error != Error.None)
                return SystemCallResult.From(error);
            Endpoint endpoint = (Endpoint)found;
            ulong result = endpoint.BindServer(Scheduler.Scheduler.AddressOf(process))
                ? WaitForCall(endpoint, process, current, null) : SystemCallResult.From(Error.AccessDenied);
            found.Release();
            return result;
        }

        /// <summary>Replies to the last call (if any) with four words and an optional capability, then waits for the next call.</summary>
        public static ulong ReplyReceive(Process process, Thread current, RegisterFrame* frame)
        {
            ulong handle = frame->Argument0;
            ulong w0 = frame->Argument1, w1 = frame->Argument2, w2 = frame->Argument3, w3 = frame->Argument4;
            Thread caller = current.Ipc.ReplyTo;
            if (caller != null && frame->R9 == 0 && handle <= uint.MaxValue)
            {
                ref int grace = ref Scheduler.Scheduler.FastPathFlag;
                Interlocked.Exchange(ref grace, 1);
                object found = process.Handles.LookupUnlocked((uint)handle, ObjectType.Endpoint, Rights.Read);
                if (found != null && Unsafe.As<Endpoint>(found).Server == Scheduler.Scheduler.AddressOf(process))
                {
                    Endpoint endpoint = Unsafe.As<Endpoint>(found);
                    endpoint.AddReference();   // held while this thread waits on it
                    Volatile.Write(ref grace, 0);
                    current.Ipc.ReplyTo = null;
                    Reply(caller, w0, w1, w2, w3, 0);
                    ulong result = WaitForCall(endpoint, process, current, caller);
                    endpoint.Release();
                    return result;
                }
                Volatile.Write(ref grace, 0);
            }
            return ReplyReceiveSlow(process, current, caller, handle, w0, w1, w2, w3, frame->R9);
        }

        private static ulong ReplyReceiveSlow(Process process, Thread current, Thread caller, ulong handle, ulong w0, ulong w1, ulong w2, ulong w3, ulong transfer)
        {
            Error error = CapabilitySpace.Reference(process.Handles, handle, ObjectType.Endpoint, Rights.Read, out KernelObject found);
            if (error == Error.None && !((Endpoint)found).BindServer(Scheduler.Scheduler.AddressOf(process)))
                error = Error.AccessDenied;
            if (error == Error.None && caller != null)
                error = CapabilitySpace.CheckTransfer(process.Handles, transfer);
            if (error != Error.None)
            {
                found?.Release();
                return SystemCallResult.From(error);   // nothing replied: the caller still waits, the server may try again
            }
            if (caller != null)
            {
                ulong received = transfer != 0 ? Transfer(process, transfer, caller.Process) : 0;
                current.Ipc.ReplyTo = null;
                Reply(caller, w0, w1, w2, w3, received);
            }
            ulong result = WaitForCall((Endpoint)found, process, current, caller);
            found.Release();
            return result;
        }

        /// <summary>
        /// Takes a queued call, or publishes the current thread as the endpoint's receiver and stops until a
        /// caller delivers one. 'replied': a caller that has just been given its reply; it runs next, on this
        /// processor if it may (the reply's direct switch). The message lands in the current thread's frame.
        /// </summary>
        private static ulong WaitForCall(Endpoint endpoint, Process process, Thread current, Thread replied)
        {
            Interlocked.Exchange(ref current.Ipc.WaitingOn, Scheduler.Scheduler.AddressOf(endpoint));   // before the kill flag is read
            ulong result = WaitForCallNamed(endpoint, process, current, replied);
            current.Ipc.WaitingOn = 0;
            return result;
        }

        [MethodImpl(MethodImplOptions.AggressiveInlining)]   // one caller: no extra call on the IPC path
        private static ulong WaitForCallNamed(Endpoint endpoint, Process process, Thread current, Thread replied)
        {
            ulong self = Scheduler.Scheduler.AddressOf(current);
            while (true)
            {
                if (current.KillPending)
                    return Abandon(current, replied, Error.Interrupted);
                if (Volatile.Read(ref endpoint.QueuedCallers) != 0)
                {
                    endpoint.Callers.Lock.Enter();
                    Thread queued = endpoint.Callers.TakeFirst();
                    if (queued != null)
                        Interlocked.Decrement(ref endpoint.QueuedCallers);
                    endpoint.Callers.Lock.Exit();
                    if (queued != null)
                    {
                        if (replied != null)
                            Scheduler.Scheduler.Wake(replied);
                        return TakeQueuedCall(queued, process, current);
                    }
                }
                if (Volatile.Read(ref endpoint.Dead))
                    return Abandon(current, replied, Error.PeerGone);
                current.State = ThreadState.Blocked;
                if (Interlocked.CompareExchange(ref endpoint.Receiver, self, 0) != 0)
                    return Abandon(current, replied, Error.Busy);
                // Published; look for callers that queued meanwhile (and for the endpoint's end), and if so take
                // ourselves back (unless a caller already claimed us) and serve them.
                if ((Volatile.Read(ref endpoint.QueuedCallers) != 0 || Volatile.Read(ref endpoint.Dead) || current.KillPending)
                    && Interlocked.CompareExchange(ref endpoint.Receiver, 0, self) == self)
                {
                    current.State = ThreadState.Running;
                    continue;
                }
                Run(replied);
                return current.Ipc.Status;   // a caller delivered its message into our frame (or the endpoint died, or a kill)
            }
        }

        private static ulong Abandon(Thread current, Thread replied, Error error)
        {
            current.State = ThreadState.Running;
            if (replied != null)
                Scheduler.Scheduler.Wake(replied);
            return SystemCallResult.From(error);
        }

        // The current thread is marked blocked and findable: switch straight to 'next' if it may run here, else
        // wake it wherever it may run and stop.
        private static void Run(Thread next)
        {
            if (next != null && Scheduler.Scheduler.MayRunHere(next))
            {
                Scheduler.Scheduler.HandOff(next);
                return;
            }
            if (next != null)
                Scheduler.Scheduler.Wake(next);
            Scheduler.Scheduler.BlockCurrent();
        }

        // ------------------------------------------------------------------ messages

        private static void Deliver(Thread receiver, Thread caller, ulong badge, ulong w0, ulong w1, ulong w2, ulong w3, ulong received)
        {
            RegisterFrame* to = UserMode.UserMode.FrameOf(receiver);
            to->Rdi = badge;
            to->Rsi = w0;
            to->Rdx = w1;
            to->R10 = w2;
            to->R8 = w3;
            to->R9 = received;
            Exo.Runtime.UntracedReference.Store(ref receiver.Ipc.ReplyTo, caller);
            receiver.Ipc.Status = 0;
        }

        private static void Reply(Thread caller, ulong w0, ulong w1, ulong w2, ulong w3, ulong received)
        {
            RegisterFrame* to = UserMode.UserMode.FrameOf(caller);
            to->Rsi = w0;
            to->Rdx = w1;
            to->R10 = w2;
            to->R8 = w3;
            to->R9 = received;
            caller.Ipc.Status = 0;
        }

        // A queued caller's message is still in its own frame (its call's registers).
        private static ulong TakeQueuedCall(Thread caller, Process process, Thread current)
        {
            RegisterFrame* from = UserMode.UserMode.FrameOf(caller);
            Process callerProcess = caller.Process;
            ulong received = from->R9 != 0 ? Transfer(callerProcess, from->R9, process) : 0;
            RegisterFrame* to = UserMode.UserMode.FrameOf(current);
            to->Rdi = callerProcess != null ? (ulong)callerProcess.Id : 0;
            to->Rsi = from->Rsi;
            to->Rdx = from->Rdx;
            to->R10 = from->R10;
            to->R8 = from->R8;
            to->R9 = received;
            Exo.Runtime.UntracedReference.Store(ref current.Ipc.ReplyTo, caller);
            return 0;
        }

        // A capability travelling with a message (checked when the call was made); 0 if it can no longer go
        // (revoked meanwhile, or the receiver's table is full): the message still goes, without it.
        private static ulong Transfer(Process from, ulong transfer, Process to)
        {
            if (from == null || to == null)
                return 0;
            CapabilitySpace.Enter();
            CapabilitySpace.TransferLocked(from.Handles, transfer, to.Handles, out Handle received);   // on an error: none
            CapabilitySpace.Exit();
            return received.Value;
        }

        // ------------------------------------------------------------------ endings

        /// <summary>
        /// 'thread' is being killed (its KillPending set first): if it waits on an endpoint, as its receiver or as
        /// a queued caller, take it back and wake it with Interrupted. A caller already being served is left to
        /// its reply. Interrupts disabled; the grace flag keeps the endpoint from being freed meanwhile.
        /// </summary>
        public static void Interrupt(Thread thread)
        {
            ref int grace = ref Scheduler.Scheduler.FastPathFlag;
            Interlocked.Exchange(ref grace, 1);
            ulong address = Volatile.Read(ref thread.Ipc.WaitingOn);
            if (address != 0)
            {
                Endpoint endpoint = Unsafe.AsRef<Endpoint>(&address);
                ulong self = Scheduler.Scheduler.AddressOf(thread);
                if (Interlocked.CompareExchange(ref endpoint.Receiver, 0, self) == self)
                {
                    thread.Ipc.Status = SystemCallResult.From(Error.Interrupted);   // no caller claimed it: the kill did
                    Scheduler.Scheduler.Wake(thread);
                }
                else
                {
                    endpoint.Callers.Lock.Enter();
                    if (endpoint.Callers.Remove(thread))
                    {
                        Interlocked.Decrement(ref endpoint.QueuedCallers);
                        thread.Ipc.Status = SystemCallResult.From(Error.Interrupted);
                        Scheduler.Scheduler.Wake(thread);
                    }
                    endpoint.Callers.Lock.Exit();
                }
            }
            Volatile.Write(ref grace, 0);
        }

        /// <summary>A thread of a process has left ring 3 for good: the caller it owed a reply gets "peer gone".</summary>
        public static void ThreadEnded(Thread thread)
        {
            Thread caller = thread.Ipc.ReplyTo;
            if (caller != null)
            {
                thread.Ipc.ReplyTo = null;
                caller.Ipc.Status = SystemCallResult.From(Error.PeerGone);
                Scheduler.Scheduler.Wake(caller);
            }
        }

        /// <summary>
        /// A process has ended (each of its threads did ThreadEnded): the endpoints it served die (their callers
        /// get "peer gone"). Call before its handles are closed.
        /// </summary>
        public static void ProcessEnded(Process process)
        {
            ulong self = Scheduler.Scheduler.AddressOf(process);
            CapabilitySpace.Enter();
            // A Linux program holds no handles: its table is not scanned (Count 0 ends the loop at once).
            int capacity = process.Handles.Count == 0 ? 0 : process.Handles.Capacity;
            for (int index = 0; index < capacity; index++)
                if (process.Handles.TryGetAt(index, out _, out Capability capability)
                    && capability.Type == ObjectType.Endpoint && ((Endpoint)capability.Object).Server == self)
                    ((Endpoint)capability.Object).MarkDead();
            CapabilitySpace.Exit();
        }
    }
}
