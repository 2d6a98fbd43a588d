using System.Threading;
using Exo.Abi;
using Exo.Std;
using Exo.Std.Ipc;
using Exo.Std.Services;
using Exo.Compositor.Scene;
using Exo.Protocols.Channels;
using Exo.Protocols.Compositor;
using Exo.Protocols.Rings;

namespace Compositor
{
    /// <summary>One connected client: its service channel, the two rings as this side sees them, its request budget.</summary>
    internal struct ClientSlot
    {
        public bool InUse;
        /// <summary>Counted from 1 as clients connect (the console reports name clients by it).</summary>
        public uint Number;
        public ServiceChannelConnection Connection;
        public SpscConsumer Requests;
        public SpscProducer Events;
        public FloodGuard Flood;
        public ulong RequestIndex, EventSequence, EventsDropped;
        public bool EventsWritten;
    }

    /// <summary>
    /// The clients (service channels accepted under CompositorLayout.ServiceName) and their requests. Every request is
    /// copied out of the channel once and checked (RequestRules) before it changes anything; a bad one disconnects its
    /// client with a console report ("compositor: client N disconnected: WHY (request I)") and its windows go, while the
    /// others go on. Events go into each client's ring without waiting: when a client does not read them and its ring is
    /// full, they are dropped and counted in its channel header.
    /// </summary>
    internal static unsafe class Clients
    {
        public const int Capacity = 16;
        /// <summary>Requests taken from one client per round, so that one busy client cannot hold the others up.</summary>
        public const int RequestsPerRound = (int)CompositorLayout.RequestSlots;

        private static ClientSlot* s_clients;
        private static uint s_connected;
        private static ServiceChannelListener s_listener;

        public static bool Initialize()
        {
            s_clients = (ClientSlot*)Exo.Std.Memory.UserHeap.Allocate((nuint)(sizeof(ClientSlot) * Capacity));
            if (s_clients == null)
                return false;
            for (int i = 0; i < Capacity; i++)
                s_clients[i] = default;
            return true;
        }

        public static Error Listen(Notification own, ulong bits)
            => ServiceChannelListener.Listen(CompositorLayout.ServiceName, own, bits, CompositorLayout.ChannelBytes, out s_listener);

        public static byte* BufferArea(int client)
            => (uint)client < Capacity && s_clients[client].InUse ? s_clients[client].Connection.Payload + CompositorLayout.BufferOffset : null;

        /// <summary>A connected client's channel payload (CompositorLayout's offsets count from here), or null.</summary>
        public static byte* Payload(int client)
            => (uint)client < Capacity && s_clients[client].InUse ? s_clients[client].Connection.Payload : null;

        private static CompositorChannelHeader* Header(int client)
            => (CompositorChannelHeader*)(s_clients[client].Connection.Payload + CompositorLayout.HeaderOffset);

        /// <summary>Takes every waiting connection: lays its rings out, then its header (the magic last), and wakes it.</summary>
        public static void AcceptAll(Notification own, ulong bits)
        {
            while (s_listener.Accept(own, bits, out ServiceChannelConnection connection) == Error.None)
            {
                int slot = -1;
                for (int i = 0; i < Capacity && slot < 0; i++)
                    if (!s_clients[i].InUse)
                        slot = i;
                if (slot < 0)
                {
                    Console.WriteLine("compositor: a client refused: too many clients");
                    connection.Close();
                    continue;
                }
                byte* payload = connection.Payload;
                ref ClientSlot client = ref s_clients[slot];
                client = default;
                client.Connection = connection;
                client.Number = ++s_connected;
                ulong ringBytes = SpscRing.RequiredBytes(CompositorLayout.RequestSlots, CompositorLayout.RecordBytes);
                SpscRing.Initialize(payload + CompositorLayout.RequestRingOffset, ringBytes, CompositorLayout.RequestSlots, CompositorLayout.RecordBytes);
                SpscRing.Initialize(payload + CompositorLayout.EventRingOffset, ringBytes, CompositorLayout.EventSlots, CompositorLayout.RecordBytes);
                // The client may write its side at any time: the shapes this side keeps are checked after attaching.
                if (!client.Requests.Attach(payload + CompositorLayout.RequestRingOffset) || !client.Events.Attach(payload + CompositorLayout.EventRingOffset)
                    || client.Requests.Capacity != CompositorLayout.RequestSlots || client.Requests.SlotSize != CompositorLayout.RecordBytes
                    || client.Events.Capacity != CompositorLayout.EventSlots || client.Events.SlotSize != CompositorLayout.RecordBytes)
                {
                    Console.WriteLine("compositor: a client refused: its rings were overwritten");
                    connection.Close();
                    client = default;
                    continue;
                }
                client.InUse = true;
                var header = (CompositorChannelHeader*)(payload + CompositorLayout.HeaderOffset);
                header->Version = CompositorChannelHeader.CurrentVersion;
                header->ScreenWidth = (uint)Screen.Width;
                header->ScreenHeight = (uint)Screen.Height;
                Volatile.Write(ref header->Magic, CompositorChannelHeader.ExpectedMagic);
                connection.Wake(CompositorLayout.EventsBit);
                Console.Write("compositor: client ");
                Console.Write(client.Number);
                Console.WriteLine(" connected");
            }
        }

        /// <summary>Serves every client's waiting requests (a bounded number each); true if any still has some.</summary>
        public static bool ServeAll(WindowStack windows)
        {
            bool more = false;
            for (int slot = 0; slot < Capacity; slot++)
                if (s_clients[slot].InUse)
                    more |= Serve(slot, windows);
            return more;
        }

        private static bool Serve(int slot, WindowStack windows)
        {
            ref ClientSlot client = ref s_clients[slot];
            if (client.Connection.IsClientClosed)
            {
                Remove(slot, windows, "ended");
                return false;
            }
            var ring = (SpscRingHeader*)(client.Connection.Payload + CompositorLayout.RequestRingOffset);
            long unread = Volatile.Read(ref ring->Tail) - client.Requests.Consumed;
            if (unread < 0 || unread > CompositorLayout.RequestSlots)
            {
                Disconnect(slot, windows, CompositorProblem.BadRing);
                return false;
            }
            CompositorRequest request;
            int handled = 0;
            ulong now = MonotonicClock.Nanoseconds;
            while (handled < RequestsPerRound && client.Requests.TryRead(&request))
            {
                handled++;
                client.RequestIndex++;
                uint problem = client.Flood.Admit(now, CompositorLayout.MaximumRequestsPerSecond)
                    ? Handle(slot, &request, windows) : CompositorProblem.Flood;
                if (problem != CompositorProblem.None)
                {
                    Disconnect(slot, windows, problem);
                    return false;
                }
            }
            client.Requests.Release();
            return handled == RequestsPerRound;
        }

        private static uint Handle(int slot, CompositorRequest* request, WindowStack windows)
        {
            uint operation = request->Operation, id = request->Surface;
            if (operation == CompositorOperation.CreateSurface)
            {
                if (!RequestRules.IsSurfaceId(id))
                    return CompositorProblem.UnknownSurface;
                if (Surfaces.Find(slot, id) != null)
                    return CompositorProblem.SurfaceExists;
                return Surfaces.Claim(slot, id) == null ? CompositorProblem.TooManySurfaces : CompositorProblem.None;
            }
            SurfaceRecord* surface = Surfaces.Find(slot, id);
            if (surface == null)
                return operation >= CompositorOperation.CreateSurface && operation <= CompositorOperation.SetKeyboardLayout
                    ? CompositorProblem.UnknownSurface : CompositorProblem.UnknownOperation;
            switch (operation)
            {
                case CompositorOperation.Attach:
                {
                    uint offset = request->Offset, stride = request->Stride;
                    int width = request->Width, height = request->Height;
                    uint problem = RequestRules.CheckBuffer(offset, width, height, stride, CompositorLayout.BufferBytes);
                    if (problem != CompositorProblem.None)
                        return problem;
                    surface->HasPending = true;
                    surface->PendingOffset = offset;
                    surface->PendingStride = stride;
                    surface->PendingWidth = width;
                    surface->PendingHeight = height;
                    return CompositorProblem.None;
                }
                case CompositorOperation.Damage:
                {
                    var damage = new Rectangle(request->X, request->Y, request->Width, request->Height);
                    int width = surface->HasPending ? surface->PendingWidth : surface->HasBuffer ? surface->Width : 0;
                    int height = surface->HasPending ? surface->PendingHeight : surface->HasBuffer ? surface->Height : 0;
                    uint problem = RequestRules.CheckDamage(damage, width, height);
                    if (problem == CompositorProblem.None)
                        surface->PendingDamage = surface->PendingDamage.Union(damage);
                    return problem;
                }
                case CompositorOperation.Commit:
                    return Commit(slot, surface, windows);
                case CompositorOperation.MakeToplevel:
                case CompositorOperation.SetTitle:
                {
                    if ((operation == CompositorOperation.MakeToplevel) != (surface->Window < 0) || surface->IsPanel)
                        return CompositorProblem.NotToplevel;
                    byte* title = stackalloc byte[CompositorLayout.MaximumTitleBytes];
                    byte* sent = (byte*)request + CompositorRequest.TitleOffset;
                    for (int i = 0; i < CompositorLayout.MaximumTitleBytes; i++)
                        title[i] = sent[i];
                    int length = RequestRules.TitleLength(title, CompositorLayout.MaximumTitleBytes);
                    if (length < 0)
                        return CompositorProblem.BadTitle;
                    if (operation == CompositorOperation.MakeToplevel)
                    {
                        surface->Window = windows.Add(slot, id);
                        if (surface->Window < 0)
                            return CompositorProblem.TooManySurfaces;
                        Configure(slot, id, 0, 0, ConfigureState.Activated);   // 0 x 0: the client chooses its size
                    }
                    ref Window window = ref windows[surface->Window];
                    window.TitleLength = length;
                    for (int i = 0; i < length; i++)
                        window.Title[i] = title[i];
                    if (window.Visible)
                        Screen.Damage.Add(WindowFrame.TitleBar(window.Content));
                    return CompositorProblem.None;
                }
                case CompositorOperation.MakePanel:
                    if (surface->Window >= 0 || surface->IsPanel || Panel.InUse
                        || request->Height < 1 || request->Height > CompositorLayout.MaximumPanelHeight)
                        return CompositorProblem.BadPanel;
                    surface->IsPanel = true;
                    Panel.Claim(slot, id, request->Height, windows);
                    return CompositorProblem.None;
                case CompositorOperation.ActivateWindow:
                    if (!surface->IsPanel)
                        return CompositorProblem.NotPanel;
                    Panel.Activate((uint)request->X, windows);
                    return CompositorProblem.None;
                case CompositorOperation.SetDisplayMode:
                case CompositorOperation.SetBackground:
                case CompositorOperation.SetKeyboardLayout:
                    return DesktopSettings.Handle(slot, id, operation, request->X, request->Width, request->Height);
                case CompositorOperation.Destroy:
                    if (surface->IsPanel)
                        Panel.Remove(windows);
                    if (surface->Window >= 0)
                        windows.Remove(surface->Window, ref Screen.Damage);
                    *surface = default;
                    return CompositorProblem.None;
                default:
                    return CompositorProblem.UnknownOperation;
            }
        }

        /// <summary>The attached buffer becomes the shown one; the damaged part (or the whole window, when it appears or changes size) is composed again.</summary>
        private static uint Commit(int slot, SurfaceRecord* surface, WindowStack windows)
        {
            bool resized = false;
            if (surface->HasPending)
            {
                resized = !surface->HasBuffer || surface->Width != surface->PendingWidth || surface->Height != surface->PendingHeight;
                surface->HasBuffer = true;
                surface->HasPending = false;
                surface->Offset = surface->PendingOffset;
                surface->Stride = surface->PendingStride;
                surface->Width = surface->PendingWidth;
                surface->Height = surface->PendingHeight;
            }
            if (!surface->HasBuffer)
                return CompositorProblem.NoBuffer;
            Rectangle damage = surface->PendingDamage;
            surface->PendingDamage = default;
            if (surface->IsPanel)
            {
                Panel.Committed(damage, resized);
                return CompositorProblem.None;
            }
            if (surface->Window < 0)
                return CompositorProblem.None;   // a surface without a role is not shown
            ref Window window = ref windows[surface->Window];
            CompositorBenchmark.WindowCommitted();
            if (resized || !window.Mapped)
            {
                bool first = !window.Mapped;
                windows.Map(surface->Window, surface->Width, surface->Height, ref Screen.Damage);
                if (first)
                    ReportShown(ref window);
            }
            else if (window.Visible)
                Screen.Damage.Add(damage.Offset(window.Content.X, window.Content.Y).Intersect(window.Content));
            return CompositorProblem.None;
        }

        /// <summary>"compositor: window 'TITLE' shown at X,Y WxH" (its content's place: the desktop's tests find windows by it).</summary>
        private static void ReportShown(ref Window window)
        {
            Console.Write("compositor: window '");
            for (int i = 0; i < window.TitleLength; i++)
                Console.Write((char)window.Title[i]);
            Console.Write("' shown at ");
            Console.Write(window.Content.X);
            Console.Write(',');
            Console.Write(window.Content.Y);
            Console.Write(' ');
            Console.Write(window.Content.Width);
            Console.Write('x');
            Console.Write(window.Content.Height);
            Console.WriteLine();
        }

        /// <summary>The screen's new size written into every client's header (after a mode switch).</summary>
        public static void PublishScreenSize()
        {
            for (int slot = 0; slot < Capacity; slot++)
                if (s_clients[slot].InUse)
                {
                    Volatile.Write(ref Header(slot)->ScreenWidth, (uint)Screen.Width);
                    Volatile.Write(ref Header(slot)->ScreenHeight, (uint)Screen.Height);
                }
        }

        /// <summary>An event for a client's surface into its ring (dropped and counted when the ring is full).</summary>
        public static void Send(int slot, ref CompositorEvent record)
        {
            if ((uint)slot >= Capacity || !s_clients[slot].InUse)
                return;
            ref ClientSlot client = ref s_clients[slot];
            record.Sequence = ++client.EventSequence;
            fixed (CompositorEvent* pointer = &record)
                if (!client.Events.TryWrite(pointer))
                {
                    if (client.EventsDropped++ == 0)
                    {
                        Console.Write("compositor: client ");
                        Console.Write(client.Number);
                        Console.WriteLine(" does not read its events: they are dropped");
                    }
                    Volatile.Write(ref Header(slot)->EventsDropped, (uint)client.EventsDropped);
                    return;
                }
            client.EventsWritten = true;
        }

        public static void Configure(int slot, uint surface, int width, int height, uint state)
        {
            CompositorEvent record = default;
            record.Kind = CompositorEventKind.Configure;
            record.Surface = surface;
            record.Width = width;
            record.Height = height;
            record.State = state;
            Send(slot, ref record);
        }

        /// <summary>Publishes what was written into each client's event ring and rings those clients.</summary>
        public static void FlushEvents()
        {
            for (int slot = 0; slot < Capacity; slot++)
            {
                ref ClientSlot client = ref s_clients[slot];
                if (!client.InUse || !client.EventsWritten)
                    continue;
                client.EventsWritten = false;
                client.Events.Publish();
                client.Connection.Wake(CompositorLayout.EventsBit);
            }
        }

        private static void Disconnect(int slot, WindowStack windows, uint problem)
        {
            CompositorChannelHeader* header = Header(slot);
            header->ProblemRequest = s_clients[slot].RequestIndex;
            Volatile.Write(ref header->Problem, problem);
            Console.Write("compositor: client ");
            Console.Write(s_clients[slot].Number);
            Console.Write(" disconnected: ");
            Console.Write(CompositorProblem.Describe(problem));
            Console.Write(" (request ");
            Console.Write(s_clients[slot].RequestIndex);
            Console.WriteLine(")");
            Remove(slot, windows, null);
        }

        /// <summary>A client goes: its windows leave the screen, its surfaces are forgotten, its channel let go.</summary>
        private static void Remove(int slot, WindowStack windows, string why)
        {
            for (int i = 0; i < CompositorLayout.MaximumSurfacesPerClient; i++)
            {
                SurfaceRecord* surface = Surfaces.At(slot, i);
                if (surface->Id != 0 && surface->IsPanel)
                    Panel.Remove(windows);
                if (surface->Id != 0 && surface->Window >= 0)
                    windows.Remove(surface->Window, ref Screen.Damage);
                *surface = default;
            }
            Desktop.Forget(slot);
            DesktopSettings.Forget(slot);
            ref ClientSlot client = ref s_clients[slot];
            if (why != null)
            {
                Console.Write("compositor: client ");
                Console.Write(client.Number);
                Console.Write(' ');
                Console.Write(why);
                Console.WriteLine(", its windows removed");
            }
            client.Connection.Wake(CompositorLayout.EventsBit);
            client.Connection.Close();
            client = default;
        }
    }
}
