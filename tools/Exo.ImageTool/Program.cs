namespace Exo.ImageTool;

/// <summary>Command line of the image tool. Run is separate from Main so tests can drive it with their own writers.</summary>
public static class Program
{
    public const string Usage =
@"usage: Exo.ImageTool tree OUTPUT ROOT
       Exo.ImageTool cpio OUTPUT [DIRECTORY | FILE]... [--name NAME=PATH]...

Writes OUTPUT, a cpio ""newc"" archive for the kernel's initial RAM disk. Entries are sorted by name and
written deterministically (times, owners and devices 0, inode numbers from 1 in name order), followed by
a TRAILER!!! entry and zeros up to a multiple of 512 bytes.

tree: the root file system. Every directory, regular file and symbolic link under ROOT, named by its path
relative to ROOT (""bin/sh"", no leading ""/"" or ""./""), with its permission bits (sticky, set-user-id and
set-group-id included); a symbolic link's target is its data, as newc stores it. A device, FIFO or socket
in the tree is an error. OUTPUT may not be inside ROOT.

cpio: flat files, each mode 0100755:
  DIRECTORY         every regular file directly inside it (not subdirectories), under its file name
  FILE              that file, under its file name
  --name NAME=PATH  the file PATH, under the archive name NAME (relative, printable ASCII)

Exit status: 0 when OUTPUT was written; 1 when writing it failed; 2 for a usage error, a missing or
unreadable input, or a bad or repeated name.";

    public const int Success = 0, WriteFailed = 1, UsageError = 2;

    public static int Main(string[] args) => Run(args, Console.Out, Console.Error);

    public static int Run(IReadOnlyList<string> args, TextWriter output, TextWriter error)
    {
        if (args.Count == 1 && (args[0] == "-h" || args[0] == "--help" || args[0] == "help"))
        {
            output.WriteLine(Usage);
            return Success;
        }
        if (args.Count == 0)
            return Fail(error, "no command given");
        if (args[0] == "tree")
            return RunTree(args, output, error);
        if (args[0] != "cpio")
            return Fail(error, $"unknown command '{args[0]}'");
        if (args.Count < 2 || args[1].StartsWith("--", StringComparison.Ordinal))
            return Fail(error, "cpio needs an OUTPUT file");
        string archivePath = args[1];
        if (args.Count == 2)
            return Fail(error, "cpio needs at least one DIRECTORY, FILE or --name NAME=PATH");
        // An archive written into the directory it packs must not swallow its previous self.
        string archiveFullPath = Path.GetFullPath(archivePath);

        // Name -> source path, gathered first so every input problem is reported before anything is written.
        var sources = new List<(string Name, string Path)>();
        for (int i = 2; i < args.Count; i++)
        {
            string argument = args[i];
            if (argument == "--name")
            {
                if (i + 1 >= args.Count)
                    return Fail(error, "--name needs a value NAME=PATH");
                string value = args[++i];
                int equals = value.IndexOf('=');
                if (equals <= 0 || equals == value.Length - 1)
                    return Fail(error, $"--name takes NAME=PATH, not '{value}'");
                if (!File.Exists(value[(equals + 1)..]))
                    return Fail(error, $"no such file: {value[(equals + 1)..]}");
                sources.Add((value[..equals], value[(equals + 1)..]));
            }
            else if (argument.StartsWith("--", StringComparison.Ordinal))
            {
                return Fail(error, $"unknown option '{argument}'");
            }
            else if (Directory.Exists(argument))
            {
                foreach (string file in Directory.EnumerateFiles(argument))
                    if (Path.GetFullPath(file) != archiveFullPath && Path.GetFullPath(file) != archiveFullPath + ".tmp")
                        sources.Add((Path.GetFileName(file), file));
            }
            else if (File.Exists(argument))
            {
                sources.Add((Path.GetFileName(argument), argument));
            }
            else
            {
                return Fail(error, $"no such file or directory: {argument}");
            }
        }
        var files = new List<CpioFile>();
        foreach (var (name, path) in sources)
        {
            string? problem = CpioWriter.CheckName(name);
            if (problem != null)
                return Fail(error, $"cannot store {path} as '{name}': {problem}");
            try
            {
                files.Add(new CpioFile(name, File.ReadAllBytes(path)));
            }
            catch (Exception e) when (e is IOException || e is UnauthorizedAccessException)
            {
                return Fail(error, $"cannot read {path}: {e.Message}");
            }
        }

        byte[] archive;
        try
        {
            archive = CpioWriter.Build(files);
        }
        catch (ArgumentException e)
        {
            return Fail(error, e.Message);
        }
        int status = WriteOutput(archivePath, archive, error);
        if (status == Success)
            output.WriteLine($"wrote {archivePath}: {files.Count} file(s), {archive.Length} bytes");
        return status;
    }

    /// <summary>tree OUTPUT ROOT: the whole tree under ROOT.</summary>
    private static int RunTree(IReadOnlyList<string> args, TextWriter output, TextWriter error)
    {
        if (args.Count != 3 || args[1].StartsWith("--", StringComparison.Ordinal) || args[2].StartsWith("--", StringComparison.Ordinal))
            return Fail(error, "tree takes OUTPUT and ROOT");
        string archivePath = args[1], root = args[2];
        if (!Directory.Exists(root))
            return Fail(error, $"no such directory: {root}");
        string rootFullPath = Path.TrimEndingDirectorySeparator(Path.GetFullPath(root)) + Path.DirectorySeparatorChar;
        if (Path.GetFullPath(archivePath).StartsWith(rootFullPath, StringComparison.Ordinal))
            return Fail(error, $"the archive {archivePath} would be inside the tree it packs");

        List<CpioItem> items;
        byte[] archive;
        try
        {
            items = CpioTree.Read(root);
            archive = CpioWriter.Build(items);
        }
        catch (Exception e) when (e is InvalidDataException || e is ArgumentException)
        {
            return Fail(error, e.Message);
        }
        catch (Exception e) when (e is IOException || e is UnauthorizedAccessException)
        {
            return Fail(error, $"cannot read {root}: {e.Message}");
        }
        int status = WriteOutput(archivePath, archive, error);
        if (status == Success)
        {
            int directories = items.Count(i => (i.Mode & CpioWriter.FileTypeMask) == CpioWriter.DirectoryType);
            int links = items.Count(i => (i.Mode & CpioWriter.FileTypeMask) == CpioWriter.SymbolicLinkType);
            output.WriteLine($"wrote {archivePath}: {directories} directories, {items.Count - directories - links} files, "
                + $"{links} symbolic links, {archive.Length} bytes");
        }
        return status;
    }

    /// <summary>Writes the archive beside its path and renames it, so a failed run never leaves a half archive for make to trust.</summary>
    private static int WriteOutput(string archivePath, byte[] archive, TextWriter error)
    {
        string archiveFullPath = Path.GetFullPath(archivePath);
        string temporary = archivePath + ".tmp";
        try
        {
            string? directory = Path.GetDirectoryName(archiveFullPath);
            if (directory != null)
                Directory.CreateDirectory(directory);
            File.WriteAllBytes(temporary, archive);
            File.Move(temporary, archivePath, overwrite: true);
        }
        catch (Exception e) when (e is IOException || e is UnauthorizedAccessException)
        {
            TryDelete(temporary);
            error.WriteLine($"Exo.ImageTool: cannot write {archivePath}: {e.Message}");
            return WriteFailed;
        }
        return Success;
    }

    private static int Fail(TextWriter error, string message)
    {
        error.WriteLine($"Exo.ImageTool: {message}");
        error.WriteLine("run 'Exo.ImageTool --help' for usage");
        return UsageError;
    }

    private static void TryDelete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (Exception e) when (e is IOException || e is UnauthorizedAccessException)
        {
            // Nothing more to do: the error that matters was already reported.
        }
    }
}
