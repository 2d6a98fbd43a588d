using System.Runtime.CompilerServices;

namespace System
{
    // Layout fixed by the compiler: MethodTable*, int length, then UTF-16 characters and a terminating zero.
    // Literals are frozen objects in the image; new strings only come from explicit allocation (Exo.*).
    public sealed class String
    {
        internal const int FIRST_CHAR_OFFSET = 12;

        private int _stringLength;
        private char _firstChar;

        public int Length => _stringLength;

        [IndexerName("Chars")]
        public unsafe char this[int index]
        {
            get
            {
                if ((uint)index >= (uint)_stringLength)
                    Internal.Runtime.CompilerHelpers.ThrowHelpers.ThrowIndexOutOfRangeException();
                return Unsafe.Add(ref _firstChar, index);
            }
        }

        public ref readonly char GetPinnableReference() => ref _firstChar;

        public static bool Equals(string a, string b)
        {
            if ((object)a == (object)b) return true;
            if ((object)a == null || (object)b == null || a._stringLength != b._stringLength) return false;
            for (int i = 0; i < a._stringLength; i++)
                if (Unsafe.Add(ref a._firstChar, i) != Unsafe.Add(ref b._firstChar, i)) return false;
            return true;
        }

        public override bool Equals(object obj) => obj is string s && Equals(this, s);
        public bool Equals(string value) => Equals(this, value);
        public static bool operator ==(string a, string b) => Equals(a, b);
        public static bool operator !=(string a, string b) => !Equals(a, b);

        public override int GetHashCode()
        {
            // FNV-1a over UTF-16 code units: stable, cheap, allocation-free.
            uint hash = 2166136261;
            for (int i = 0; i < _stringLength; i++)
                hash = (hash ^ Unsafe.Add(ref _firstChar, i)) * 16777619;
            return (int)hash;
        }

        public bool StartsWith(string value)
        {
            if (value._stringLength > _stringLength) return false;
            for (int i = 0; i < value._stringLength; i++)
                if (Unsafe.Add(ref _firstChar, i) != value[i]) return false;
            return true;
        }

        public static bool IsNullOrEmpty(string value) => (object)value == null || value._stringLength == 0;

        public override string ToString() => this;
    }
}
