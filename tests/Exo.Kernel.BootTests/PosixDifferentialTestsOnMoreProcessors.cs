namespace Exo.Kernel.BootTests;

/// <summary>A runner whose guest has two processors.</summary>
public sealed class ExoOsProgramRunnerOnTwoProcessors : ExoOsProgramRunner
{
    public ExoOsProgramRunnerOnTwoProcessors() : base(2) { }
}

/// <summary>A runner whose guest has four processors.</summary>
public sealed class ExoOsProgramRunnerOnFourProcessors : ExoOsProgramRunner
{
    public ExoOsProgramRunnerOnFourProcessors() : base(4) { }
}

/// <summary>
/// The differential programs again on a guest with two processors (the issue: everything at 1 and 2): a parent and
/// its children, a pipe's two ends, a signal's sender and receiver may now run at the same time.
/// </summary>
public sealed class PosixDifferentialTestsOnTwoProcessors : PosixDifferentialTests, IClassFixture<ExoOsProgramRunnerOnTwoProcessors>
{
    public PosixDifferentialTestsOnTwoProcessors(ITestOutputHelper output, ExoOsProgramRunnerOnTwoProcessors exo) : base(output, exo) { }
}

/// <summary>
/// The signal, process (fork, vfork, exec, wait), pipe, thread and futex, event I/O (eventfd, epoll, timerfd,
/// signalfd, AF_UNIX sockets), pseudo-terminal (a master and its slave's readers, the signal characters), record lock, memfd (a fork child writing a shared mapping), priority (threads, children of
/// another user) and YMM-state programs on four processors (signals, fork and threads at 4; waiters and wakers on other
/// processors).
/// </summary>
public sealed class PosixDifferentialTestsOnFourProcessors : IClassFixture<ExoOsProgramRunnerOnFourProcessors>
{
    private readonly PosixDifferentialTests _check;

    public PosixDifferentialTestsOnFourProcessors(ITestOutputHelper output, ExoOsProgramRunnerOnFourProcessors exo)
        => _check = new PosixDifferentialTests(output, exo);

    [Theory]
    [InlineData("signals")]
    [InlineData("processes")]
    [InlineData("pipes")]
    [InlineData("threads")]
    [InlineData("futexes")]
    [InlineData("pimutexes")]
    [InlineData("eventfds")]
    [InlineData("epolls")]
    [InlineData("timerfds")]
    [InlineData("signalfds")]
    [InlineData("unixsockets")]
    [InlineData("recordlocks")]
    [InlineData("memfd")]
    [InlineData("priorities")]
    [InlineData("lesser_calls")]
    [InlineData("vectorstate")]
    [InlineData("pty")]
    [InlineData("pty_signals")]
    [InlineData("pty_shell")]
    public Task Program_prints_the_same_on_linux_and_on_exo_os(string program) => _check.Program_prints_the_same_on_linux_and_on_exo_os(program);
}
