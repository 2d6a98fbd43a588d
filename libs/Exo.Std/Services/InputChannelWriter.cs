using System.Threading;
using Exo.Protocols.Input;
using Exo.Protocols.Rings;
using Exo.Std.Ipc;

namespace Exo.Std.Services
{
    /// <summary>
    /// An input driver's side of an input channel (libs/Exo.Protocols/Input/InputChannelHeader.cs): lays the ring out in
    /// the page, writes events into it (dropped and counted when it is full: a stalled client never stalls the device),
    /// and publishes them with a ring of the client's notification.
    /// </summary>
    public unsafe struct InputChannelWriter
    {
        private SpscProducer _events;
        private Notification _client;

        public InputChannelHeader* Header;

        /// <summary>Lays out the ring in 'page' (mapped, InputChannelHeader.PageBytes); false if it cannot.</summary>
        public bool Attach(byte* page, Notification client)
        {
            Header = (InputChannelHeader*)page;
            _client = client;
            return SpscRing.Initialize(page + InputChannelHeader.RingOffset, InputChannelHeader.PageBytes - InputChannelHeader.RingOffset,
                    InputChannelHeader.RingSlots, InputEvent.Size) && _events.Attach(page + InputChannelHeader.RingOffset);
        }

        /// <summary>Says which devices the driver found, then Magic: the client may read the ring from now on.</summary>
        public void Open(uint devices)
        {
            Header->Devices = devices;
            Volatile.Write(ref Header->Magic, InputChannelHeader.ExpectedMagic);
            _client.Signal(InputChannelHeader.ClientBit);
        }

        /// <summary>Writes 'record' unpublished (a Kind None record is skipped).</summary>
        public void Emit(InputEvent* record)
        {
            if (record->Kind != InputEventKind.None && !_events.TryWrite(record))
                Header->Dropped++;
        }

        /// <summary>Publishes what Emit wrote and rings the client (it waits on its notification, not on the ring's sleep flag).</summary>
        public void Flush()
        {
            if (_events.Unpublished == 0)
                return;
            _events.Publish();
            _client.Signal(InputChannelHeader.ClientBit);
        }
    }
}
