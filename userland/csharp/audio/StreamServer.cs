using System.Runtime.InteropServices;
using System.Threading;
using Exo.Abi;
using Exo.Std;
using Exo.Std.Handles;
using Exo.Std.Ipc;
using Exo.Audio.Mixing;
using Exo.Protocols.Audio;

namespace AudioService
{
    /// <summary>
    /// The server thread: answers calls on the service's endpoint (AudioServiceOperation). Open makes the stream's shared
    /// memory (header and ring), keeps a mapping and the client's notification, publishes the slot to the mixing thread and
    /// moves the memory object to the client; OpenCapture likewise for a capture stream. Bad values (rate, channels, format, volume) get Invalid; no free slot, Busy.
    /// </summary>
    internal static unsafe class StreamServer
    {
        public static Endpoint Endpoint;

        [UnmanagedCallersOnly]
        public static void Serve(ulong argument)
        {
            Error error = Endpoint.Receive(out Message message);
            while (error == Error.None)
            {
                Message reply = Answer(message);
                message = reply;
                error = Endpoint.ReplyAndReceive(ref message);
                if (error != Error.None && reply.Handle.IsValid)
                {
                    // The handle could not go (nothing was replied): the caller gets the error instead.
                    reply.Handle.Close();
                    message = Status(error);
                    error = Endpoint.ReplyAndReceive(ref message);
                }
            }
            Console.Write("audio: the server thread ends: ");
            Console.WriteLine(Errors.Describe(error));
            ServiceThread.Exit(1);
        }

        private static Message Answer(Message request)
        {
            switch (request.Word0)
            {
                case AudioServiceOperation.Open:
                    return Open(request, AudioStreamDirection.Playback);
                case AudioServiceOperation.OpenCapture:
                    return Open(request, AudioStreamDirection.Capture);
                case AudioServiceOperation.SetMasterVolume:
                    CloseIfSent(request);
                    if (request.Word1 > 2 * AudioStreamLayout.UnityVolume)
                        return Status(Error.Invalid);
                    Volatile.Write(ref StreamTable.MasterVolume, (uint)request.Word1);
                    return Status(Error.None);
                case AudioServiceOperation.GetMasterVolume:
                    CloseIfSent(request);
                    return new Message(0, Volatile.Read(ref StreamTable.MasterVolume));
                case AudioServiceOperation.Statistics:
                    CloseIfSent(request);
                    return OutputLoop.Statistics(request.Word1 == 1);
                default:
                    CloseIfSent(request);
                    return Status(Error.Invalid);
            }
        }

        private static Message Open(Message request, uint direction)
        {
            var client = new Notification(request.Handle);
            if (!request.Handle.IsValid)
                return Status(Error.Invalid);
            uint rate = (uint)request.Word1, channels = (uint)request.Word2, format = (uint)request.Word3;
            if (request.Word1 > uint.MaxValue || request.Word2 > 2 || request.Word3 > 2 || !IsValid(rate, channels, format, direction))
            {
                client.Close();
                return Status(Error.Invalid);
            }
            StreamSlot* slot = StreamTable.Claim();
            if (slot == null)
            {
                client.Close();
                return Status(Error.Busy);
            }
            Error error = MemoryObject.Create(AudioStreamLayout.TotalBytes, out MemoryObject memory);
            byte* shared = null;
            if (error == Error.None)
                error = memory.Map(true, out shared);
            MemoryObject forClient = default;
            if (error == Error.None)
                error = memory.Duplicate(Rights.Map | Rights.Write | Rights.Read | Rights.Grant, out forClient);
            if (error != Error.None)
            {
                if (shared != null)
                    Exo.Std.Memory.VirtualMemory.Unmap(shared, AudioStreamLayout.TotalBytes);
                memory.Close();
                client.Close();
                Volatile.Write(ref slot->State, StreamSlot.Free);
                return Status(error);
            }
            var header = (AudioStreamHeader*)shared;
            header->SampleRate = rate;
            header->Channels = channels;
            header->Format = format;
            header->RingBytes = AudioStreamLayout.RingBytes;
            header->Volume = AudioStreamLayout.UnityVolume;
            header->Direction = direction;
            StreamTable.Publish(slot, header, memory, client, ownsMemory: true);
            Message reply = Status(Error.None);
            reply.Handle = forClient.Handle;
            reply.MoveHandle = true;
            return reply;
        }

        /// <summary>Whether a stream of these values can be made ('channels' at most 2, 'format' at most 2: checked before).</summary>
        public static bool IsValid(uint rate, uint channels, uint format, uint direction)
            => direction == AudioStreamDirection.Capture ? AudioStreamLayout.IsCaptureFormat(rate, channels, format)
                : direction == AudioStreamDirection.Playback
                    && StreamSource.TryCreate((byte*)1, AudioStreamLayout.RingBytes, format, (int)channels, rate, out _);

        private static void CloseIfSent(Message request)
        {
            if (request.Handle.IsValid)
                request.Handle.Close();
        }

        private static Message Status(Error error) => new Message(SystemCall.ResultOf(error));
    }
}
