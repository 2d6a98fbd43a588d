using System;
using System.IO;

namespace Exo.Storage.HostTests
{
    /// <summary>A test's directory of images, removed when the test ends (they reach tens of MiB each); $EXO_EXT_KEEP=1 keeps them to look at.</summary>
    public sealed class Scratch : IDisposable
    {
        public readonly string Path;

        public Scratch(string name) { Path = ImageFormat.WorkDirectory(name); }

        public static implicit operator string(Scratch scratch) => scratch.Path;

        public void Dispose()
        {
            if (Environment.GetEnvironmentVariable("EXO_EXT_KEEP") == "1")
                return;
            try
            {
                Directory.Delete(Path, true);
            }
            catch (IOException)
            {
                // still open elsewhere: the next run of the test starts from it anyway
            }
        }
    }
}
