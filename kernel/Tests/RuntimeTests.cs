using Exo.Runtime;
using static Exo.Kernel.Tests.KernelTestRunner;

namespace Exo.Kernel.Tests
{
    /// <summary>The C# features the kernel relies on, compiled by NativeAOT against Exo.Runtime.</summary>
    public static unsafe class RuntimeTests
    {
        public static void Run()
        {
            Test("classes_and_virtual_calls", &ClassesAndVirtualCalls);
            Test("structs_by_value", &StructsByValue);
            Test("generics", &Generics);
            Test("interface_dispatch_not_devirtualised", &InterfaceDispatch);
            Test("interface_dispatch_generic_interface", &GenericInterfaceDispatch);
            Test("static_constructor_runs_once", &StaticConstructor);
            Test("reference_static_fields", &ReferenceStaticFields);
            Test("strings", &Strings);
            Test("arrays", &Arrays);
            Test("delegates_and_lambdas", &Delegates);
            Test("stackalloc", &StackAlloc);
            Test("casts_is_as", &Casts);
            Test("boxing", &Boxing);
            Test("explicit_free", &ExplicitFree);
            Test("switch_on_string", &SwitchOnString);
            Test("floating_point", &FloatingPoint);
            Test("bit_scans", &BitScans);
        }

        // BitOperations expands to BSF/BSR through X86Base intrinsics; a wrong expansion shows here.
        private static void BitScans()
        {
            for (int bit = 0; bit < 32; bit++)
            {
                Equal((ulong)bit, (ulong)System.Numerics.BitOperations.TrailingZeroCount(0xFFFFFFFFu << bit), "trailing zeros of a 32-bit mask");
                Equal((ulong)bit, (ulong)System.Numerics.BitOperations.Log2(1u << bit), "log2 of a 32-bit power of two");
            }
            Equal(32, (ulong)System.Numerics.BitOperations.TrailingZeroCount(0u), "trailing zeros of zero");
            Equal(63, (ulong)System.Numerics.BitOperations.TrailingZeroCount(1UL << 63), "trailing zeros of bit 63");
            Equal(0, (ulong)System.Numerics.BitOperations.LeadingZeroCount(1UL << 63), "leading zeros of bit 63");
            Equal(31, (ulong)System.Numerics.BitOperations.LeadingZeroCount(1u), "leading zeros of 1");
        }

        private abstract class Shape
        {
            public abstract int Area();
            public virtual string Name => "shape";
        }
        private sealed class Square : Shape
        {
            private readonly int _side;
            public Square(int side) { _side = side; }
            public override int Area() => _side * _side;
            public override string Name => "square";
        }
        private sealed class Rectangle : Shape
        {
            private readonly int _width, _height;
            public Rectangle(int width, int height) { _width = width; _height = height; }
            public override int Area() => _width * _height;
        }

        private static void ClassesAndVirtualCalls()
        {
            Shape[] shapes = new Shape[] { new Square(3), new Rectangle(2, 5) };
            int total = 0;
            for (int i = 0; i < shapes.Length; i++)
                total += shapes[i].Area();
            Equal(19, (ulong)total, "virtual Area() over two types");
            Check(shapes[0].Name == "square", "overridden virtual property");
            Check(shapes[1].Name == "shape", "inherited virtual property");
            ObjectAllocator.Free(shapes[0]); ObjectAllocator.Free(shapes[1]); ObjectAllocator.Free(shapes);
        }

        private struct Point
        {
            public long X, Y;
            public Point(long x, long y) { X = x; Y = y; }
            public Point Add(Point other) => new Point(X + other.X, Y + other.Y);
        }

        private static Point Mirror(Point point) { point.X = -point.X; return point; }

        private static void StructsByValue()
        {
            Point a = new Point(3, 4);
            Point b = Mirror(a);
            Check(a.X == 3, "struct passed by value is copied");
            Check(b.X == -3 && b.Y == 4, "struct returned by value");
            Point c = a.Add(new Point(10, 20));
            Check(c.X == 13 && c.Y == 24, "struct method");
        }

        private sealed class Box<T>
        {
            public T Value;
            public Box(T value) { Value = value; }
        }

        private static T Larger<T>(T a, T b, delegate*<T, T, bool> greater) => greater(a, b) ? a : b;
        private static bool GreaterInt(int a, int b) => a > b;

        private static void Generics()
        {
            Box<int> number = new Box<int>(42);
            Box<string> text = new Box<string>("exo");
            Check(number.Value == 42, "generic class over a value type");
            Check(text.Value == "exo", "generic class over a reference type");
            Check(Larger(3, 9, &GreaterInt) == 9, "generic method");
            ObjectAllocator.Free(number); ObjectAllocator.Free(text);
        }

        private interface ICounter
        {
            int Next();
        }
        private sealed class ByOne : ICounter { private int _value; public int Next() => ++_value; }
        private sealed class ByTen : ICounter { private int _value; public int Next() => _value += 10; }
        private sealed class ByHundred : ICounter { private int _value; public int Next() => _value += 100; }
        private sealed class Doubling : ICounter { private int _value = 1; public int Next() => _value *= 2; }
        private sealed class Negative : ICounter { private int _value; public int Next() => --_value; }

        // The concrete type depends on a run-time value and there are more implementations than the
        // compiler's guarded devirtualisation tries, so the call goes through the dispatch cell and
        // RhpInitialDynamicInterfaceDispatch (the test checks the resolver's counter).
        [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.NoInlining)]
        private static ICounter MakeCounter(ulong selector) => (selector % 5) switch
        {
            0 => new ByOne(),
            1 => new ByTen(),
            2 => new ByHundred(),
            3 => new Doubling(),
            _ => new Negative(),
        };

        [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.NoInlining)]
        private static int CallTwice(ICounter counter) { counter.Next(); return counter.Next(); }

        private static void InterfaceDispatch()
        {
            ulong selector = Arch.X64.Cpu.ReadTimeStampCounter() & 2;   // even, but unknown to the compiler
            ulong resolutionsBefore = RuntimeStatistics.InterfaceDispatchResolutions;
            ICounter first = MakeCounter(selector * 5);        // ByOne
            ICounter second = MakeCounter(selector * 5 + 1);   // ByTen
            ICounter third = MakeCounter(selector * 5 + 3);    // Doubling
            Equal(2, (ulong)CallTwice(first), "interface call on the first implementation");
            Equal(20, (ulong)CallTwice(second), "interface call on the second implementation");
            Equal(3, (ulong)first.Next(), "same call site, state kept");
            Equal(4, (ulong)CallTwice(third), "interface call on a third implementation");
            ObjectAllocator.Free(third);
            Check(RuntimeStatistics.InterfaceDispatchResolutions > resolutionsBefore, "calls went through the dispatch cell, not devirtualised");
            ObjectAllocator.Free(first); ObjectAllocator.Free(second);
        }

        private interface IProducer<T> { T Produce(); }
        private sealed class Constant<T> : IProducer<T>
        {
            private readonly T _value;
            public Constant(T value) { _value = value; }
            public T Produce() => _value;
        }

        [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.NoInlining)]
        private static T ProduceFrom<T>(IProducer<T> producer) => producer.Produce();

        private static void GenericInterfaceDispatch()
        {
            ulong resolutionsBefore = RuntimeStatistics.InterfaceDispatchResolutions;
            IProducer<long> producer = new Constant<long>(1234567890123);
            Check(ProduceFrom(producer) == 1234567890123, "generic interface over long");
            IProducer<string> names = new Constant<string>("fusion");
            Check(ProduceFrom(names) == "fusion", "generic interface over string");
            Check(RuntimeStatistics.InterfaceDispatchResolutions > resolutionsBefore, "generic interface calls were resolved at run time");
            ObjectAllocator.Free(producer); ObjectAllocator.Free(names);
        }

        private static class LazyCounter
        {
            public static int ConstructorRuns;
            public static readonly long Stamp;
            static LazyCounter()
            {
                ConstructorRuns++;
                Stamp = (long)Arch.X64.Cpu.ReadTimeStampCounter() | 1;
            }
        }

        private static void StaticConstructor()
        {
            long first = LazyCounter.Stamp;
            long second = LazyCounter.Stamp;
            Check(first != 0, "static constructor ran before the first read");
            Check(first == second, "static value stable");
            Equal(1, (ulong)LazyCounter.ConstructorRuns, "static constructor ran exactly once");
        }

        private static class Registry
        {
            public static string Greeting = "hello from a static";
            public static readonly int[] Primes = new int[] { 2, 3, 5, 7, 11 };
            public static object Slot;
        }

        private static void ReferenceStaticFields()
        {
            Check(Registry.Greeting == "hello from a static", "static string field initialised");
            Equal(5, (ulong)Registry.Primes.Length, "static array field initialised");
            Equal(11, (ulong)Registry.Primes[4], "static array contents");
            Registry.Slot = Registry.Primes;
            Check(Registry.Slot == (object)Registry.Primes, "write and read back a reference static");
            Registry.Greeting = "changed";
            Check(Registry.Greeting == "changed", "static string field written");
        }

        private static void Strings()
        {
            string text = "Exo-OS";
            Equal(6, (ulong)text.Length, "length");
            Check(text[0] == 'E' && text[5] == 'S', "indexer");
            Check(text == "Exo-OS", "equality with a literal");
            Check(text != "Exo-Os", "inequality");
            Check(text.StartsWith("Exo"), "StartsWith");
            Check(text.GetHashCode() == "Exo-OS".GetHashCode(), "hash of equal strings");
            fixed (char* characters = text)
                Check(characters[3] == '-' && characters[6] == '\0', "fixed gives the characters and the terminator");
        }

        private static void Arrays()
        {
            int[] numbers = new int[100];
            for (int i = 0; i < numbers.Length; i++)
                numbers[i] = i * i;
            long sum = 0;
            foreach (int value in numbers)
                sum += value;
            Equal(328350, (ulong)sum, "sum of squares");
            string[] words = new string[] { "a", "b", "c" };
            object[] objects = words;   // covariance
            Check(objects[2] == (object)"c", "covariant read");
            byte[][] jagged = new byte[3][];
            jagged[1] = new byte[7];
            Check(jagged[1].Length == 7 && jagged[0] == null, "jagged array");
            ObjectAllocator.Free(numbers); ObjectAllocator.Free(words); ObjectAllocator.Free(jagged[1]); ObjectAllocator.Free(jagged);
        }

        private sealed class Accumulator
        {
            public int Total;
            public void Add(int value) => Total += value;
        }

        private static int s_staticDelegateCalls;
        private static void StaticTarget(int value) => s_staticDelegateCalls += value;

        private static void Delegates()
        {
            Accumulator accumulator = new Accumulator();
            System.Action<int> instance = accumulator.Add;
            instance(5);
            instance(7);
            Equal(12, (ulong)accumulator.Total, "delegate to an instance method");
            System.Action<int> staticCall = StaticTarget;
            staticCall(3);
            Equal(3, (ulong)s_staticDelegateCalls, "delegate to a static method");
            int captured = 100;
            System.Func<int, int> lambda = x => x + captured;
            Equal(142, (ulong)lambda(42), "lambda with a captured variable");
            ObjectAllocator.Free(instance); ObjectAllocator.Free(staticCall); ObjectAllocator.Free(lambda); ObjectAllocator.Free(accumulator);
        }

        private static void StackAlloc()
        {
            int* values = stackalloc int[64];
            for (int i = 0; i < 64; i++)
                values[i] = i;
            int sum = 0;
            for (int i = 0; i < 64; i++)
                sum += values[i];
            Equal(2016, (ulong)sum, "stackalloc buffer");
            byte* zeroed = stackalloc byte[300];
            bool allZero = true;
            for (int i = 0; i < 300; i++)
                allZero &= zeroed[i] == 0;
            Check(allZero, "stackalloc is zeroed");
        }

        private static void Casts()
        {
            object square = new Square(2);
            Check(square is Shape, "is base class");
            Check(square is Square, "is exact class");
            Check(!(square is Rectangle), "is not a sibling class");
            Check(square as Rectangle == null, "as gives null for a sibling");
            object counter = new ByOne();
            Check(counter is ICounter, "is interface");
            Check(!(square is ICounter), "is not an interface it lacks");
            Shape shape = (Shape)square;
            Equal(4, (ulong)shape.Area(), "cast then call");
            ObjectAllocator.Free(square); ObjectAllocator.Free(counter);
        }

        private static void Boxing()
        {
            object boxed = 12345;
            Check(boxed is int, "boxed int type");
            Equal(12345, (ulong)(int)boxed, "unbox");
            object boxedPoint = new Point(1, 2);
            Point back = (Point)boxedPoint;
            Check(back.X == 1 && back.Y == 2, "box and unbox a struct");
            ObjectAllocator.Free(boxed); ObjectAllocator.Free(boxedPoint);
        }

        private static void ExplicitFree()
        {
            ulong before = Memory.Heap.KernelHeap.BytesInUse;
            for (int i = 0; i < 1000; i++)
            {
                int[] scratch = new int[16];
                scratch[15] = i;
                ObjectAllocator.Free(scratch);
            }
            Equal(before, Memory.Heap.KernelHeap.BytesInUse, "every object freed explicitly returns its bytes");
        }

        private static int Classify(string word) => word switch
        {
            "help" => 1, "mem" => 2, "uptime" => 3, "cpu" => 4, "modules" => 5,
            "panic" => 6, "reboot" => 7, "shutdown" => 8, _ => 0,
        };

        private static void SwitchOnString()
        {
            Equal(4, (ulong)Classify("cpu"), "switch finds a case");
            Equal(8, (ulong)Classify("shutdown"), "switch finds the last case");
            Equal(0, (ulong)Classify("frobnicate"), "switch default");
        }

        private static void FloatingPoint()
        {
            double sum = 0;
            for (int i = 1; i <= 100; i++)
                sum += 1.0 / i;
            Check(sum > 5.187 && sum < 5.188, "harmonic sum in double");
            float f = 1.5f;
            f *= 3;
            Check(f == 4.5f, "float arithmetic");
            Check((long)(sum * 1000) == 5187, "double to long conversion");
        }
    }
}
