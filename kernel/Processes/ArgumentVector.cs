using Exo.Kernel.Memory.Heap;

namespace Exo.Kernel.Processes
{
    /// <summary>
    /// The strings a new program starts with, in the kernel: its arguments (argv), then its environment (envp),
    /// packed one after another, each ending with a zero byte, in one buffer with explicit limits. What the
    /// start stack copies to the program (StartStack); spawn fills it from a command line, execve will fill it
    /// from the caller's vectors.
    /// </summary>
    public sealed unsafe class ArgumentVector
    {
        /// <summary>Bytes of strings, terminators included (Linux allows far more; ours is explicit and checked).</summary>
        public const int Capacity = 32 * 1024;
        public const int MaximumStrings = 1024;

        private byte* _bytes;
        private int _length;
        private int _argumentCount, _environmentCount;

        public byte* Bytes => _bytes;
        public int Length => _length;
        public int ArgumentCount => _argumentCount;
        public int EnvironmentCount => _environmentCount;

        private ArgumentVector() { }

        /// <summary>An empty vector with its buffer, or null when memory runs out. Free it when done.</summary>
        public static ArgumentVector Create()
        {
            byte* bytes = (byte*)KernelHeap.AllocateUninitialized(Capacity);
            if (bytes == null)
                return null;
            ArgumentVector vector = new ArgumentVector();
            vector._bytes = bytes;
            return vector;
        }

        public void Free()
        {
            KernelHeap.Free(_bytes);
            Exo.Runtime.ObjectAllocator.Free(this);
        }

        /// <summary>Adds an argument (all arguments come before the environment). False past the limits.</summary>
        public bool AddArgument(byte* text, int length) => _environmentCount == 0 && Add(text, length, ref _argumentCount);

        public bool AddEnvironment(byte* text, int length) => Add(text, length, ref _environmentCount);

        /// <summary>Each space-separated word of 'line' as an argument (or environment string).</summary>
        public bool AddWords(byte* line, int length, bool environment)
        {
            int start = 0;
            for (int i = 0; i <= length; i++)
            {
                if (i < length && line[i] != (byte)' ')
                    continue;
                if (i > start && !(environment ? AddEnvironment(line + start, i - start) : AddArgument(line + start, i - start)))
                    return false;
                start = i + 1;
            }
            return true;
        }

        private bool Add(byte* text, int length, ref int count)
        {
            if (length < 0 || _length + length + 1 > Capacity || _argumentCount + _environmentCount >= MaximumStrings)
                return false;
            for (int i = 0; i < length; i++)
                _bytes[_length + i] = text[i];
            _bytes[_length + length] = 0;
            _length += length + 1;
            count++;
            return true;
        }
    }
}
