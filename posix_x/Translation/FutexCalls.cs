using Exo.Kernel.Arch.X64;
using Exo.Kernel.Syscalls;
using Exo.Kernel.Time;
using Exo.PosixX.KernelInterface;
using Exo.PosixX.Synchronization;
using static Exo.PosixX.Abi.LinuxSystemCallNumber;

namespace Exo.PosixX.Translation
{
    /// <summary>
    /// futex: WAIT and WAKE, and their BITSET forms (with an absolute deadline on CLOCK_MONOTONIC, or CLOCK_REALTIME
    /// with FUTEX_CLOCK_REALTIME), REQUEUE and CMP_REQUEUE, WAKE_OP; private (FUTEX_PRIVATE_FLAG: known by address
    /// space and address, no page-table walk) or shared (a MAP_SHARED word by its physical address: Synchronization.Futexes).
    /// The priority-inheritance lock operations (LOCK_PI, LOCK_PI2, TRYLOCK_PI, UNLOCK_PI: Futexes.PriorityInheritance,
    /// the protocol without the inheritance yet); WAIT_REQUEUE_PI and CMP_REQUEUE_PI are ENOSYS.
    /// </summary>
    public static unsafe class FutexCalls
    {
        private const int OperationMask = 0x7F, PrivateFlag = 128, ClockRealTime = 256;
        private const int Wait = 0, Wake = 1, Requeue = 3, CompareRequeue = 4, WakeOperation = 5, LockPriorityInheriting = 6,
            UnlockPriorityInheriting = 7, TryLockPriorityInheriting = 8, WaitBitset = 9, WakeBitset = 10, LockPriorityInheriting2 = 13;
        private const uint MatchAny = Futexes.MatchAny;

        internal static void Register() => LinuxSystemCalls.Register(Futex, &DoFutex, CallPath.Hybrid);

        // futex(uaddr, op, val, timeout or val2, uaddr2, val3)
        private static ulong DoFutex(RegisterFrame* frame)
        {
            int operation = (int)frame->Argument1 & OperationMask;
            bool realTime = ((int)frame->Argument1 & ClockRealTime) != 0;
            bool privateWord = ((int)frame->Argument1 & PrivateFlag) != 0;
            ulong address = frame->Argument0;
            switch (operation)
            {
                case Wait:
                case WaitBitset:
                {
                    uint bitset = operation == Wait ? MatchAny : (uint)frame->Argument5;
                    if (bitset == 0 || (realTime && operation == Wait))
                        return SystemCallResult.From(Error.Invalid);
                    // WAIT's timeout is relative; WAIT_BITSET's absolute, on the clock the flag names.
                    Error timeError = Deadline(frame->Argument3, absolute: operation == WaitBitset, realTime, out ulong deadline);
                    if (timeError != Error.None)
                        return SystemCallResult.From(timeError);
                    return SystemCallResult.From(Futexes.Wait(address, (uint)frame->Argument2, bitset, deadline, privateWord));
                }
                case Wake:
                case WakeBitset:
                {
                    uint bitset = operation == Wake ? MatchAny : (uint)frame->Argument5;
                    if (bitset == 0)
                        return SystemCallResult.From(Error.Invalid);
                    int count = (int)frame->Argument2;
                    Error error = Futexes.Wake(address, count < 0 ? int.MaxValue : count, bitset, privateWord, out int woken, runWoken: true);
                    return SystemCallResult.From(error, (ulong)woken);
                }
                case Requeue:
                case CompareRequeue:
                {
                    // futex(uaddr, op, wake count, requeue count (the timeout's place), uaddr2, expected value)
                    int wakeCount = (int)frame->Argument2, requeueCount = (int)frame->Argument3;
                    if (wakeCount < 0 || requeueCount < 0)
                        return SystemCallResult.From(Error.Invalid);
                    Error error = Futexes.Requeue(address, frame->Argument4, wakeCount, requeueCount, operation == CompareRequeue,
                        (uint)frame->Argument5, privateWord, out int total);
                    return SystemCallResult.From(error, (ulong)total);
                }
                case WakeOperation:
                {
                    // futex(uaddr, op, wake count, second wake count (the timeout's place), uaddr2, encoded operation)
                    Error error = Futexes.WakeOperation(address, frame->Argument4, (int)frame->Argument2, (int)frame->Argument3,
                        (uint)frame->Argument5, privateWord, out int woken);
                    return SystemCallResult.From(error, (ulong)woken);
                }
                case LockPriorityInheriting:
                case LockPriorityInheriting2:
                case TryLockPriorityInheriting:
                {
                    // LOCK_PI's timeout is absolute on CLOCK_REALTIME; LOCK_PI2's on CLOCK_MONOTONIC unless the flag says
                    // CLOCK_REALTIME; TRYLOCK_PI has none.
                    ulong deadline = 0;
                    bool expired = false;   // a deadline already past: the lock is still tried once, as on Linux
                    if (operation != TryLockPriorityInheriting)
                    {
                        Error timeError = Deadline(frame->Argument3, absolute: true, realTime || operation == LockPriorityInheriting, out deadline);
                        expired = timeError == Error.TimedOut;
                        if (timeError != Error.None && !expired)
                            return SystemCallResult.From(timeError);
                    }
                    Error error = Futexes.LockPriorityInheriting(address, deadline, privateWord,
                        tryOnly: operation == TryLockPriorityInheriting || expired);
                    return SystemCallResult.From(expired && error == Error.WouldBlock ? Error.TimedOut : error);
                }
                case UnlockPriorityInheriting:
                    return SystemCallResult.From(Futexes.UnlockPriorityInheriting(address, privateWord));
                default:
                    return SystemCallResult.From(Error.NoSuchCall);   // WAIT_REQUEUE_PI and CMP_REQUEUE_PI
            }
        }

        // A timeout (a struct timespec at 'timespec'; 0: none) as a TSC deadline (0: none); ETIMEDOUT when already past.
        // Inlined: the untimed wait of a futex ping-pong pays only the test of 'timespec'.
        [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
        private static Error Deadline(ulong timespec, bool absolute, bool realTime, out ulong deadline)
        {
            deadline = 0;
            if (timespec == 0)
                return Error.None;
            Error error = TimeCalls.ReadTimespec(timespec, out long value);
            if (error != Error.None)
                return error;
            long relative = absolute ? value - (realTime ? WallClock.NowNanoseconds : (long)SystemClock.UptimeNanoseconds) : value;
            if (relative <= 0)
                return Error.TimedOut;
            deadline = SystemClock.TscAfterNanoseconds((ulong)relative);
            return Error.None;
        }
    }
}
