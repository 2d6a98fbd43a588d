using Exo.Protocols.FileSystem;

namespace Exo.PosixX.Vfs.Remote
{
    /// <summary>
    /// A file system served by another process over its channel (`mount -t ringfs NAME DIR`, NAME being what the
    /// server offered the kernel): every operation of its vnodes is a request to the server (Exo.Protocols.FileSystem),
    /// the calling thread sleeping until the reply. Inode numbers are the server's node ids; the root is node
    /// <see cref="RootNode"/>. The kernel keeps no cache: each lookup asks the server, so what stat shows is as fresh
    /// as the last lookup of the object.
    /// </summary>
    public sealed unsafe class RemoteFileSystem : FileSystem
    {
        /// <summary>The node id a server's root directory has.</summary>
        public const ulong RootNode = FileSystemLimits.RootNode;
        /// <summary>What statfs reports as the type ("EXFS": no Linux file system has it).</summary>
        public const ulong RemoteMagic = FileSystemLimits.Magic;
        /// <summary>How long `mount -o wait` waits for a server that has not offered itself yet.</summary>
        public const ulong OfferWaitMilliseconds = 10_000;

        public readonly RemoteChannel Channel;
        /// <summary>File pages already read (RemotePageCache): reads of them ask no server.</summary>
        public readonly RemotePageCache Pages;
        /// <summary>O_DIRECT reads from the disk's driver itself, when the server offered a channel to it.</summary>
        public readonly RemoteDirectReads DirectReads = new RemoteDirectReads();
        private RemoteVnode _root;

        private RemoteFileSystem(RemoteChannel channel, RemotePageCache pages) { Channel = channel; Pages = pages; }

        public override string TypeName => "ringfs";
        public override Vnode Root => _root;
        /// <summary>The protocol's Create fails with EEXIST for a name that exists (FileSystemOperation.Create).</summary>
        public override bool CreateRefusesTakenNames => true;

        /// <summary>Connects to the server offered as 'name' and asks for its root (which must be a directory).</summary>
        public static Error Connect(byte* name, int nameLength, out RemoteFileSystem fileSystem)
        {
            fileSystem = null;
            Error error = RemoteChannel.Open(name, nameLength, out RemoteChannel channel);
            if (error != Error.None)
                return error;
            RemotePageCache pages = RemotePageCache.Create();
            if (pages == null)
            {
                channel.Close();
                return Error.OutOfMemory;
            }
            RemoteFileSystem connected = new RemoteFileSystem(channel, pages);
            FileSystemRequest request = new FileSystemRequest { Operation = FileSystemOperation.GetAttributes, Node = RootNode };
            error = channel.EnterAndAsk(ref request, out FileSystemReply reply);
            if (error == Error.None && (reply.Attributes.Mode & NodeAttributes.TypeMask) != NodeAttributes.Directory)
                error = Error.NotADirectory;
            NodeAttributes attributes = reply.Attributes;
            ulong attributesAt = channel.Changes;
            channel.Leave();
            if (error == Error.None)
            {
                // The file system's identity, which lets the mount follow a restarted server (RemoteChannel); a server
                // that answers without one, or with an error, is never followed.
                FileSystemRequest statistics = new FileSystemRequest { Operation = FileSystemOperation.Statistics, Node = RootNode };
                error = channel.EnterAndAsk(ref statistics, out FileSystemReply figures);
                channel.SetIdentity(error == Error.None ? FileSystemFigures.Read(figures.Data) : default, pages);
                channel.Leave();
                if (!channel.IsBroken)
                    error = Error.None;
            }
            if (error != Error.None)
            {
                channel.Close();
                return error;
            }
            connected._root = new RemoteVnode(connected, attributes, attributesAt, null, default);
            fileSystem = connected;
            return Error.None;
        }

        /// <summary>The server's whole file system to stable storage (its root's Synchronize).</summary>
        public override Error Synchronize()
        {
            FileSystemRequest request = new FileSystemRequest { Operation = FileSystemOperation.Synchronize, Node = RootNode };
            Error error = Channel.EnterAndAsk(ref request, out _);
            Channel.Leave();
            return error;
        }

        /// <summary>
        /// Unmounted: tells the server (the protocol's Unmount: it writes everything back and marks its disk clean),
        /// whatever it answers (a gone server cannot be told; the unmount stands), then closes the channel.
        /// </summary>
        public void Disconnect()
        {
            FileSystemRequest request = new FileSystemRequest { Operation = FileSystemOperation.Unmount, Node = RootNode };
            Channel.EnterAndAsk(ref request, out _);
            Channel.Leave();
            Channel.Close();
            Pages.Release();
        }

        public override FileSystemStatistics Statistics
        {
            get
            {
                FileSystemStatistics statistics = new FileSystemStatistics { Type = RemoteMagic, BlockSize = 4096, MaximumNameLength = Name.MaximumLength };
                FileSystemRequest request = new FileSystemRequest { Operation = FileSystemOperation.Statistics, Node = RootNode };
                if (Channel.EnterAndAsk(ref request, out FileSystemReply reply) == Error.None)
                {
                    FileSystemFigures figures = FileSystemFigures.Read(reply.Data);
                    statistics.BlockSize = figures.BlockSize;
                    statistics.Blocks = figures.Blocks;
                    statistics.FreeBlocks = figures.FreeBlocks;
                    statistics.AvailableBlocks = figures.AvailableBlocks;
                    statistics.Files = figures.Files;
                    statistics.FreeFiles = figures.FreeFiles;
                    statistics.MaximumNameLength = figures.MaximumNameLength;
                }
                Channel.Leave();
                return statistics;
            }
        }
    }
}
