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
    /// The priority-inheritance operations are ENOSYS.
    /// </summary>
    public static unsafe class FutexCalls
    {
        private const int OperationMask = 0x7F, PrivateFlag = 128, ClockRealTime = 256;
        private const int Wait = 0, Wake = 1, Requeue = 3, CompareRequeue = 4, WakeOperation = 5, WaitBitset = 9, WakeBitset = 10;
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
                    ulong deadline = 0;
                    if (frame->Argument3 != 0)
                    {
                        Error timeError = TimeCalls.ReadTimespec(frame->Argument3, out long value);
                        if (timeError != Error.None)
                            return SystemCallResult.From(timeError);
                        long relative = value;
                        if (operation == WaitBitset)   // absolute, on the clock the flag names
                            relative = value - (realTime ? WallClock.NowNanoseconds : (long)SystemClock.UptimeNanoseconds);
                        if (relative <= 0)
                            return SystemCallResult.From(Error.TimedOut);
                        deadline = SystemClock.TscAfterNanoseconds((ulong)relative);
                    }
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
                default:
                    return SystemCallResult.From(Error.NoSuchCall);
            }
        }
    }
}
