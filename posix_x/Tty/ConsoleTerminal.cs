using Exo.Kernel.Sync;
using Exo.PosixX.Vfs;

namespace Exo.PosixX.Tty
{
    /// <summary>
    /// The serial console as a terminal (/dev/console, /dev/ttyS0, and /dev/tty for the processes it controls):
    /// input from the serial interrupt through the line discipline (Terminal), output to the console with the output
    /// processing termios asks for. While a program has it open, serial input is its (SerialPort's input consumer);
    /// when the last closes, input goes back to the kernel shell.
    /// </summary>
    public sealed unsafe class ConsoleTerminal : Terminal
    {
        /// <summary>The one console; null until Initialize.</summary>
        public static ConsoleTerminal Instance;

        private int _openCount;

        public static void Initialize() => Instance = new ConsoleTerminal();

        public static Error Open(Vnode node, int flags, out OpenFile file)
        {
            file = null;
            ConsoleTerminal console = Instance;
            if (console == null)
                return Error.NoSuchDevice;
            file = new TerminalFile(node, flags, console);
            if (System.Threading.Interlocked.Increment(ref console._openCount) == 1)
                Exo.Kernel.Console.SerialPort.SetInputConsumer(&OnInput);
            return Error.None;
        }

        internal override void FileClosed()
        {
            if (System.Threading.Interlocked.Decrement(ref _openCount) == 0)
                Exo.Kernel.Console.SerialPort.SetInputConsumer(null);
        }

        // The serial interrupt, one byte at a time (interrupts masked, no allocation).
        private static void OnInput(byte value)
        {
            ConsoleTerminal console = Instance;
            byte* echo = stackalloc byte[16];
            LineDiscipline.Action action;
            int echoCount, erasures;
            bool readable;
            int group;
            using (console.Waiters.Lock.Hold())
            {
                action = console.Discipline.Input(value, echo, out echoCount, out erasures, out readable);
                group = console.ForegroundGroup;
            }
            if (echoCount > 0)
                Exo.Kernel.Console.ConsoleOutput.Write(echo, echoCount);
            LineDiscipline.WriteErasure(echo);
            for (int i = 0; i < erasures; i++)
                Exo.Kernel.Console.ConsoleOutput.Write(echo, LineDiscipline.ErasureLength);
            if (readable)
                console.Changed();
            Raise(action, group);
        }

        /// <summary>Everything goes out at once: the console never makes a writer wait.</summary>
        protected override Error Output(byte* bytes, int count, bool nonBlocking, out int consumed)
        {
            byte* output = stackalloc byte[2 * ChunkSize];
            int length = Process(bytes, count, output, NewlineAsReturnNewline);
            Exo.Kernel.Console.ConsoleOutput.Write(output, length);
            consumed = count;
            return Error.None;
        }
    }
}
