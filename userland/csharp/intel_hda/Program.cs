using System.Threading;
using Exo.Abi;
using Exo.Std;
using Exo.Std.Devices;
using Exo.Std.Handles;
using Exo.Std.Ipc;
using Exo.Drivers.Virtio;
using Exo.Protocols.Audio;

namespace IntelHda
{
    /// <summary>
    /// The Intel HD Audio driver as the device manager starts it: "intel_hda NAME ADDRESS BAR..." holding its device
    /// (handle 0), one physical range per BAR named, then the DMA memory (AudioDmaLayout), the audio-device channel's
    /// facts page, its own notification (it waits), the audio service's (Signal only), the console. It resets the
    /// controller, finds a codec with an audio function, walks its widgets to a DAC behind an output pin (and an ADC
    /// behind an input pin), points one output and one input stream at cyclic buffers in the DMA memory (with the DMA
    /// position buffer on), writes the facts and signals the service, which mixes straight into the output ring. Then it
    /// sleeps on its notification, which the controller's message interrupt signals (pci_interrupt_bind: QEMU's intel-hda
    /// has plain MSI, which the kernel programs), and takes the streams' status (completions counted in the facts, FIFO
    /// and descriptor errors reported). Without a message interrupt it polls the status every 100 ms instead.
    /// </summary>
    public static unsafe class Program
    {
        private const ushort Format48kStereo16 = 0x0011;   // base 48 kHz, 16 bits, 2 channels
        private const int OutputTag = 1, CaptureTag = 2;
        private const ulong WatchNanoseconds = 100_000_000;
        /// <summary>The bit of its notification the message interrupt signals (the service signals bit 1).</summary>
        private const ulong InterruptBit = 2;
        /// <summary>Status takings per wake-up while INTSTS stays set (a completion that came meanwhile), an explicit bound.</summary>
        private const int MaximumStatusRounds = 4;
        /// <summary>After this many interrupts the driver says so once (the boot test's evidence that messages arrive).</summary>
        private const ulong ReportedInterrupts = 64;
        private const byte CompletionStatus = 4, ErrorStatus = 0x18;
        private const uint CommandMemory = 2, CommandBusMaster = 4;

        public static int Main()
        {
            int bars = Process.ArgumentCount - 3;
            if (bars < 1 || bars > 6 || Process.StartupHandleCount < bars + 5)
            {
                Console.WriteLine("intel_hda: started without its device's capabilities (the device manager starts it)");
                return 1;
            }
            var pci = new PciDevice(Process.StartupHandle(0));
            byte** mapped = stackalloc byte*[DriverBars.MaximumBars];
            if (!DriverBars.Map(3, bars, mapped) || mapped[0] == null)
                return Report("cannot map its registers", Error.Invalid);
            var dma = new MemoryObject(Process.StartupHandle(1 + bars));
            Error error = dma.Map(true, out byte* shared);
            ulong dmaPhysical = 0;
            if (error == Error.None)
                error = dma.PhysicalAddress(out dmaPhysical);
            if (error != Error.None)
                return Report("cannot map its DMA memory", error);
            error = new MemoryObject(Process.StartupHandle(2 + bars)).Map(true, out byte* factsPage);
            if (error != Error.None)
                return Report("cannot map its channel", error);
            var facts = (AudioDeviceFacts*)factsPage;
            var own = new Notification(Process.StartupHandle(3 + bars));
            var service = new Notification(Process.StartupHandle(4 + bars));
            while (Volatile.Read(ref facts->DriverGone) != 0)
                own.Wait(out _);   // the service still holds the old streams: it clears the facts once it let them go

            pci.Read(4, 2, out uint command);
            pci.Write(4, 2, command | CommandMemory | CommandBusMaster);
            var controller = new HdaController(mapped[0]);
            if (!controller.Reset(out uint codecs) || codecs == 0)
                return Report("the controller did not come out of reset with a codec", Error.NotFound);
            HdaCodec codec = default;
            uint converter = 0, pin = 0;
            bool found = false;
            for (uint address = 0; address < 15 && !found; address++)
            {
                if ((codecs & 1u << (int)address) == 0)
                    continue;
                codec = new HdaCodec(&controller, address);
                found = codec.FindAudioFunction() && codec.SetUpOutputPath(out converter, out pin);
            }
            if (!found)
                return Report("no codec has an output pin with a DAC", Error.NotFound);
            codec.SetConverter(converter, OutputTag, Format48kStereo16);
            bool capture = codec.SetUpInputPath(out uint adc, out uint inputPin);
            if (capture)
                codec.SetConverter(adc, CaptureTag, Format48kStereo16);

            bool messages = BindInterrupt(pci, own);   // before the streams run: no completion goes unsignalled
            int outputStream = controller.InputStreams;   // the first output stream descriptor
            for (int i = AudioDmaLayout.OutputRingOffset; i < AudioDmaLayout.TotalBytes; i++)
                shared[i] = 0;
            WriteDescriptorList(shared + AudioDmaLayout.OutputDescriptorListOffset, dmaPhysical + AudioDmaLayout.OutputRingOffset, AudioDmaLayout.OutputRingBytes);
            WriteDescriptorList(shared + AudioDmaLayout.CaptureDescriptorListOffset, dmaPhysical + AudioDmaLayout.CaptureRingOffset, AudioDmaLayout.CaptureRingBytes);
            controller.EnablePositionBuffer(dmaPhysical + AudioDmaLayout.PositionBufferOffset);
            if (!controller.StartStream(outputStream, OutputTag, dmaPhysical + AudioDmaLayout.OutputDescriptorListOffset,
                    AudioDmaLayout.Descriptors, AudioDmaLayout.OutputRingBytes, Format48kStereo16))
                return Report("the output stream did not reset", Error.Invalid);
            if (capture && controller.InputStreams > 0)
                capture = controller.StartStream(0, CaptureTag, dmaPhysical + AudioDmaLayout.CaptureDescriptorListOffset,
                    AudioDmaLayout.Descriptors, AudioDmaLayout.CaptureRingBytes, Format48kStereo16);

            facts->SampleRate = AudioDmaLayout.SampleRate;
            facts->Channels = AudioDmaLayout.Channels;
            facts->BitsPerSample = 16;
            facts->OutputRingBytes = AudioDmaLayout.OutputRingBytes;
            facts->CaptureRunning = capture ? 1u : 0u;
            facts->CodecAddress = codec.Address;
            facts->Converter = converter;
            facts->Pin = pin;
            facts->OutputPositionOffset = (uint)(AudioDmaLayout.PositionBufferOffset + 8 * outputStream);
            facts->CapturePositionOffset = AudioDmaLayout.PositionBufferOffset;
            Volatile.Write(ref facts->Magic, AudioDeviceFacts.ExpectedMagic);
            service.Signal(1);
            Console.Write("intel_hda: codec ");
            Console.Write(codec.Address);
            Console.Write(", DAC ");
            Console.Write(converter);
            Console.Write(" to pin ");
            Console.Write(pin);
            if (capture)
            {
                Console.Write(", capture from pin ");
                Console.Write(inputPin);
                Console.Write(" by ADC ");
                Console.Write(adc);
            }
            Console.WriteLine(", 48 kHz 16-bit stereo");

            ulong interrupts = 0;
            while (true)
            {
                ulong bits;
                if (messages)
                    own.Wait(out bits);
                else
                    own.WaitUntil(MonotonicClock.Nanoseconds + WatchNanoseconds, out bits);
                if ((bits & InterruptBit) != 0 && ++interrupts == ReportedInterrupts)
                {
                    Console.Write("intel_hda: ");
                    Console.Write(ReportedInterrupts);
                    Console.WriteLine(" message interrupts taken");
                }
                // Until INTSTS is clear: a controller that sends a message only when INTSTS becomes set would send none
                // for a completion left pending (QEMU's sends one on every status change while it is set).
                for (int round = 0; round < MaximumStatusRounds; round++)
                {
                    byte status = controller.TakeStreamStatus(outputStream);
                    if ((status & CompletionStatus) != 0)
                        Volatile.Write(ref facts->Interrupts, facts->Interrupts + 1);
                    if ((status & ErrorStatus) != 0)
                        Report("output stream error", Error.Invalid);
                    if (capture)
                        controller.TakeStreamStatus(0);
                    if (!controller.InterruptPending)
                        break;
                }
            }
        }

        // The controller's message interrupt signals InterruptBit of 'own'; says which (the MSI vector, read back from the
        // capability the kernel programmed), or that the driver polls.
        private static bool BindInterrupt(PciDevice pci, Notification own)
        {
            Error error = pci.BindInterrupt(0, own, InterruptBit);
            if (error != Error.None)
            {
                Console.Write("intel_hda: no message interrupt (");
                Console.Write(Errors.Describe(error));
                Console.WriteLine("): polling the streams every 100 ms");
                return false;
            }
            int msi = pci.FindCapability(PciDevice.MsixCapabilityId) == 0 ? pci.FindCapability(PciDevice.MsiCapabilityId) : 0;
            if (msi == 0)
            {
                Console.WriteLine("intel_hda: MSI-X entry 0");
                return true;
            }
            pci.Read(msi + 2, 2, out uint control);
            pci.Read(msi + ((control & 0x80) != 0 ? 12 : 8), 2, out uint data);
            Console.Write("intel_hda: MSI vector ");
            Console.Write(data & 0xFF);
            Console.WriteLine();
            return true;
        }

        // Descriptors equal pieces of a cyclic buffer, each asking for a completion interrupt.
        private static void WriteDescriptorList(byte* list, ulong bufferPhysical, int bytes)
        {
            int piece = bytes / AudioDmaLayout.Descriptors;
            for (int i = 0; i < AudioDmaLayout.Descriptors; i++)
            {
                *(ulong*)(list + 16 * i) = bufferPhysical + (ulong)(i * piece);
                *(uint*)(list + 16 * i + 8) = (uint)piece;
                *(uint*)(list + 16 * i + 12) = 1;
            }
        }

        private static int Report(string what, Error error)
        {
            Console.Write("intel_hda: ");
            Console.Write(what);
            Console.Write(": ");
            Console.WriteLine(Errors.Describe(error));
            return 2;
        }
    }
}
