using System.Runtime.InteropServices;

namespace Exo.ImageTool;

/// <summary>
/// Reads a directory tree (the root file system's staging directory) as archive entries: every directory,
/// regular file and symbolic link under the root, named by its path relative to the root with '/' between
/// components (the root itself is not an entry). Modes keep the permission bits (set-user-id, set-group-id
/// and sticky included); owners and times are not read (the writer stores 0). Symbolic links are stored, never
/// followed. Anything else (a device, FIFO or socket) is refused: the kernel's root file system makes its own
/// device nodes.
/// </summary>
public static class CpioTree
{
    /// <summary>The entries under 'root', in no particular order (the writer sorts). InvalidDataException names what cannot be archived.</summary>
    public static List<CpioItem> Read(string root)
    {
        if (!Directory.Exists(root))
            throw new DirectoryNotFoundException($"no such directory: {root}");
        var items = new List<CpioItem>();
        ReadDirectory(root, "", items);
        return items;
    }

    /// <summary>Adds the entries of 'directory' (archive prefix 'prefix') and returns how many subdirectories it has.</summary>
    private static uint ReadDirectory(string directory, string prefix, List<CpioItem> items)
    {
        uint subdirectories = 0;
        foreach (FileSystemInfo info in new DirectoryInfo(directory).EnumerateFileSystemInfos())
        {
            string name = prefix + info.Name;
            string? problem = CpioWriter.CheckName(name);
            if (problem != null)
                throw new InvalidDataException($"cannot store {info.FullName} as '{name}': {problem}");
            uint type = FileType(info);
            uint permissions = (uint)info.UnixFileMode & CpioWriter.PermissionMask;
            switch (type)
            {
                case CpioWriter.SymbolicLinkType:
                    string target = info.LinkTarget ?? throw new InvalidDataException($"cannot read the symbolic link {info.FullName}");
                    try
                    {
                        items.Add(CpioItem.SymbolicLink(name, target));
                    }
                    catch (ArgumentException e)
                    {
                        throw new InvalidDataException($"cannot store the symbolic link {info.FullName}: {e.Message}");
                    }
                    break;
                case CpioWriter.DirectoryType:
                    uint links = 2 + ReadDirectory(info.FullName, name + "/", items);
                    items.Add(CpioItem.Directory(name, permissions, links));
                    subdirectories++;
                    break;
                case CpioWriter.RegularFileType:
                    items.Add(CpioItem.File(name, File.ReadAllBytes(info.FullName), permissions));
                    break;
                default:
                    throw new InvalidDataException($"{info.FullName} is not a regular file, directory or symbolic link (mode {Convert.ToString(type, 8)})");
            }
        }
        return subdirectories;
    }

    /// <summary>The S_IFMT bits of 'info' itself (a symbolic link is not followed).</summary>
    private static uint FileType(FileSystemInfo info)
    {
        uint? type = UnixFileType.Of(info.FullName);
        if (type != null)
            return type.Value;
        // Without lstat(2), .NET tells only links, directories and everything else apart.
        if (info.LinkTarget != null)
            return CpioWriter.SymbolicLinkType;
        return info is DirectoryInfo ? CpioWriter.DirectoryType : CpioWriter.RegularFileType;
    }

    /// <summary>
    /// lstat(2) from the C library, for the one thing .NET does not say: whether a path is a regular file or a
    /// device, FIFO or socket (reading a FIFO would block the build). x86-64 Linux only, where st_mode is the
    /// 32-bit field at offset 24 of struct stat; elsewhere Of returns null.
    /// </summary>
    private static class UnixFileType
    {
        private const int StatSize = 144, ModeOffset = 24;
        private static bool s_unavailable = !OperatingSystem.IsLinux() || RuntimeInformation.ProcessArchitecture != Architecture.X64;

        [DllImport("libc", EntryPoint = "lstat", SetLastError = true)]
        private static extern int LStat(string path, byte[] status);

        public static uint? Of(string path)
        {
            if (s_unavailable)
                return null;
            byte[] status = new byte[StatSize + 64];
            try
            {
                if (LStat(path, status) != 0)
                    throw new IOException($"cannot read the type of {path} (errno {Marshal.GetLastPInvokeError()})");
            }
            catch (Exception e) when (e is DllNotFoundException || e is EntryPointNotFoundException)
            {
                s_unavailable = true;   // a C library without an lstat symbol (glibc before 2.33)
                return null;
            }
            return BitConverter.ToUInt32(status, ModeOffset) & CpioWriter.FileTypeMask;
        }
    }
}
