using Exo.Kernel.Arch.X64;
using Exo.Kernel.Boot;
using Exo.Kernel.Capabilities;

namespace Exo.Kernel.Syscalls
{
    /// <summary>
    /// framebuffer_query(root, field): the boot loader's framebuffer as the kernel recorded it at boot (a multiboot2
    /// framebuffer tag), one fact per call, for the display fallback of the device manager (needs Manage on the root
    /// resource: only a driver service may learn where device memory is). NotFound without one.
    /// </summary>
    public static unsafe class FramebufferCalls
    {
        internal static void Register() => SystemCalls.Register(SystemCallNumber.FramebufferQuery, &DoQuery);

        private static ulong DoQuery(RegisterFrame* frame)
        {
            Error error = CapabilitySpace.Reference(SystemCalls.CurrentProcess.Handles, frame->Argument0, ObjectType.Resource, Rights.Manage, out KernelObject found);
            if (error != Error.None)
                return SystemCallResult.From(error);
            found.Release();   // the root resource lives for ever; only the capability mattered
            BootInformation* boot = KernelMain.Boot;
            if (!boot->HasFramebuffer)
                return SystemCallResult.From(Error.NotFound);
            switch ((FramebufferField)frame->Argument1)
            {
                case FramebufferField.Address: return boot->Framebuffer.Address;
                case FramebufferField.Pitch: return boot->Framebuffer.Pitch;
                case FramebufferField.Width: return boot->Framebuffer.Width;
                case FramebufferField.Height: return boot->Framebuffer.Height;
                case FramebufferField.BitsPerPixel: return boot->Framebuffer.BitsPerPixel;
                case FramebufferField.Type: return boot->Framebuffer.Type;
                default: return SystemCallResult.From(Error.Invalid);
            }
        }
    }
}
