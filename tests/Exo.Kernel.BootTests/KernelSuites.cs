namespace Exo.Kernel.BootTests;

/// <summary>
/// The in-kernel test suites the kernel runs for <c>test=&lt;suite&gt;</c>. The one list: add new suites here.
/// </summary>
public static class KernelSuites
{
    public static readonly IReadOnlyList<string> All = new[]
    {
        "runtime",
        "physical_memory",
        "paging",
        "heap",
        "exceptions",
        "interrupts",
        "timer",
        "scheduler",
        "smp",
        "usermode",
        "processes",
        "ipc",
        "drivers",
    };

    /// <summary>Theory data: one row per suite, so each suite is its own xunit test.</summary>
    public static TheoryData<string> Names
    {
        get
        {
            var data = new TheoryData<string>();
            foreach (var s in All)
                data.Add(s);
            return data;
        }
    }
}
