using System;
using System.Diagnostics;
using System.IO;
using System.Text;

namespace Exo.Storage.HostTests
{
    /// <summary>Debian's e2fsprogs as the reference: mke2fs -d builds images from a tree, e2fsck -fn judges them, debugfs reads them.</summary>
    public static class E2fsprogs
    {
        public static (int Status, string Output) Run(string program, params string[] arguments)
        {
            var start = new ProcessStartInfo("/usr/sbin/" + program)
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
            };
            foreach (string argument in arguments)
                start.ArgumentList.Add(argument);
            start.Environment["E2FSPROGS_FAKE_TIME"] = null;
            start.Environment["MKE2FS_CONFIG"] = "/etc/mke2fs.conf";
            using var process = Process.Start(start)!;
            var output = process.StandardOutput.ReadToEndAsync();
            var error = process.StandardError.ReadToEndAsync();
            if (!process.WaitForExit(60_000))
            {
                process.Kill();
                throw new TimeoutException(program + " did not finish");
            }
            return (process.ExitCode, output.Result + error.Result);
        }

        /// <summary>An image of 'megabytes' MiB made by mke2fs with 'options' from the tree at 'tree'.</summary>
        public static void MakeImage(string image, int megabytes, string tree, params string[] options)
        {
            File.Delete(image);
            var arguments = new System.Collections.Generic.List<string> { "-q", "-F" };
            arguments.AddRange(options);
            if (tree != null)
            {
                arguments.Add("-d");
                arguments.Add(tree);
            }
            arguments.Add(image);
            arguments.Add(megabytes + "M");
            var (status, output) = Run("mke2fs", arguments.ToArray());
            if (status != 0)
                throw new InvalidOperationException("mke2fs failed: " + output);
            if (tree != null)
            {
                // mke2fs -d writes linear directories; e2fsck -D indexes the large ones (htree) where dir_index is on.
                var (fixStatus, fixOutput) = Run("e2fsck", "-fyD", image);
                if (fixStatus > 1)
                    throw new InvalidOperationException("e2fsck -fyD failed: " + fixOutput);
            }
        }

        /// <summary>e2fsck -fn's exit status and report (0: clean).</summary>
        public static (int Status, string Output) Check(string image) => Run("e2fsck", "-fn", image);

        /// <summary>Fails the test with e2fsck's report unless e2fsck -fn finds the image clean.</summary>
        public static void AssertClean(string image, Xunit.Abstractions.ITestOutputHelper output)
        {
            var (status, report) = Check(image);
            if (status != 0)
                output.WriteLine(report);
            Xunit.Assert.True(status == 0, "e2fsck -fn found problems:\n" + report);
        }

        public static string Debugfs(string image, string request)
        {
            var (_, output) = Run("debugfs", "-R", request, image);
            // debugfs's own banner line is on standard error: keep what follows it.
            string banner = "debugfs 1.";
            int at = output.IndexOf(banner, StringComparison.Ordinal);
            if (at >= 0)
            {
                int end = output.IndexOf('\n', at);
                output = output.Remove(at, end - at + 1);
            }
            return output;
        }

        /// <summary>debugfs's "cat" of a file, as bytes.</summary>
        public static byte[] Cat(string image, string path)
        {
            var start = new ProcessStartInfo("/usr/sbin/debugfs") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
            start.ArgumentList.Add("-R");
            start.ArgumentList.Add("cat \"" + path + "\"");
            start.ArgumentList.Add(image);
            using var process = Process.Start(start)!;
            var error = process.StandardError.ReadToEndAsync();
            using var memory = new MemoryStream();
            process.StandardOutput.BaseStream.CopyTo(memory);
            process.WaitForExit();
            _ = error.Result;
            return memory.ToArray();
        }
    }
}
