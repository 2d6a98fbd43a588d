using Exo.Kernel.Ipc;

namespace Exo.PosixX.Vfs
{
    /// <summary>
    /// /dev/exo: a character device for each name a native service listens under (Kernel.Ipc.ServiceChannels), major
    /// <see cref="Devices.ServiceChannelMajor"/> and the listener's slot as minor, made the first time the name is
    /// listened under and kept while Exo-OS runs (a restarted service listens in the same slot). Opening one is
    /// <see cref="ServiceChannelFile"/>. Mode 0666: any program may connect; the service decides what it serves.
    /// </summary>
    public static unsafe class ServiceChannelDevices
    {
        private static Vnode s_directory;

        /// <summary>Makes /dev/exo in the devtmpfs root 'devices' and hooks the kernel's listeners to it.</summary>
        public static void Initialize(Vnode devices)
        {
            s_directory = RootFileSystem.EnsureDirectory(devices, "exo", 0x1ED);   // kept: the hook below adds to it
            ServiceChannels.NameAdded = &AddNode;
            ServiceChannels.ClientDoorbellRang = &Readiness.Changed;
        }

        private static void AddNode(int slot, byte* name, int length)
        {
            if (s_directory == null)
                return;
            if (s_directory.Create(new Name(name, length), FileMode.CharacterDevice | 0x1B6, 0, 0,
                    Devices.Number(Devices.ServiceChannelMajor, slot), out Vnode node) == Error.None)
                node.Release();
        }
    }
}
