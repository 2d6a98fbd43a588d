using Exo.Std.Memory;
using Xunit;

namespace Exo.Std.HostTests;

public class HeapSizeClassTests
{
    [Fact]
    public void Every_size_gets_the_smallest_class_that_holds_it()
    {
        for (uint size = 1; size <= HeapSizeClasses.LargestSize; size++)
        {
            int sizeClass = HeapSizeClasses.ClassOf(size);
            Assert.InRange(sizeClass, 0, HeapSizeClasses.Count - 1);
            uint classSize = HeapSizeClasses.SizeOf(sizeClass);
            Assert.True(classSize >= size, $"size {size}: class {sizeClass} holds only {classSize}");
            Assert.True(sizeClass == 0 || HeapSizeClasses.SizeOf(sizeClass - 1) < size, $"size {size}: a smaller class fits");
            Assert.Equal(0u, classSize % 16);   // 16-byte alignment of every block
        }
        Assert.Equal(HeapSizeClasses.LargestSize, HeapSizeClasses.SizeOf(HeapSizeClasses.Count - 1));
    }
}
