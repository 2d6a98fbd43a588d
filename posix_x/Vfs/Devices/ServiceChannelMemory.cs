using Exo.Kernel.Memory;

namespace Exo.PosixX.Vfs
{
    /// <summary>
    /// What mmap of a service channel's descriptor maps (OpenFile.MappingNode): the channel's memory object seen as a
    /// file of its size whose pages are its frames. A mapping shares each frame (PhysicalMemory.ShareFrame), and a
    /// memory object gives its frames back with ReleaseFrame, so pages the Linux program still maps outlive the
    /// channel and go with the last unmapping.
    /// </summary>
    public sealed unsafe class ServiceChannelMemory : Vnode
    {
        private readonly MemoryObject _memory;

        public ServiceChannelMemory(MemoryObject memory) : base(null, FileMode.Regular | 0x1B6)
        {
            memory.AddReference();
            _memory = memory;
        }

        public override ulong Size => _memory.Size;

        public override bool MapsFrames => true;

        public override ulong MapFrame(ulong page)
        {
            if (page >= (ulong)_memory.PageCount)
                return 0;
            ulong frame = _memory.FrameAt((int)page);
            PhysicalMemory.ShareFrame(frame);
            return frame;
        }

        protected override void Destroy()
        {
            _memory.Release();
            base.Destroy();
        }
    }
}
