using Exo.Kernel.Sync;

namespace Exo.PosixX.Vfs.Events
{
    /// <summary>epoll_event's bits (uapi/linux/eventpoll.h).</summary>
    public static class EventPollBits
    {
        public const uint In = 0x1, Priority = 0x2, Out = 0x4, Error = 0x8, HangUp = 0x10, ReadNormal = 0x40, ReadBand = 0x80,
            WriteNormal = 0x100, WriteBand = 0x200, Message = 0x400, ReadHangUp = 0x2000;
        public const uint Exclusive = 1u << 28, WakeUp = 1u << 29, OneShot = 1u << 30, EdgeTriggered = 1u << 31;
    }

    /// <summary>One file an epoll instance watches (epoll_ctl's ADD): the pair (description, descriptor) and what to report.</summary>
    public sealed class EventPollItem
    {
        public EventPollFile Owner;
        /// <summary>Not a reference: the description's destruction removes the item first (EventPollFile.Forget).</summary>
        public OpenFile File;
        public int Descriptor;
        public uint Events;
        public ulong Data;
        /// <summary>Edge-triggered: the file's change count and events when last looked at.</summary>
        public int SeenChanges;
        public uint SeenEvents;
        /// <summary>EPOLLONESHOT after its report: silent until EPOLL_CTL_MOD.</summary>
        public bool Disabled;
        /// <summary>Edge-triggered: what the last look found new (EventPollFile.Look).</summary>
        public uint Pending;
        public EventPollItem NextInOwner, NextForFile;
    }

    /// <summary>
    /// An epoll instance: the files it watches, each looked at (OpenFile.Poll) when epoll_wait asks, level-triggered,
    /// edge-triggered (EPOLLET: reported once per change the file counts, or per rising edge) or one-shot. Items do not
    /// keep their files alive: a description's destruction (its last close) removes its items, as Linux's. One lock for
    /// every instance (<see cref="LockRank.EventPoll"/>); files are looked at under it, holding a reference taken with
    /// TryAddReference. An instance inside another (nested) is looked at by the same thread under the same lock.
    /// </summary>
    public sealed unsafe class EventPollFile : AnonymousFile
    {
        /// <summary>How deep instances may nest (Linux's EP_MAX_NESTS): deeper is ELOOP.</summary>
        public const int MaximumNesting = 4;
        /// <summary>Files one instance watches at most (an explicit limit; Linux's is max_user_watches, far larger).</summary>
        public const int MaximumItems = 65536;

        private static TicketLock s_lock;
        private static Exo.Kernel.Scheduler.Thread s_holder;   // who holds s_lock (a nested instance's Poll under it)

        private EventPollItem _items;
        private int _itemCount;
        private EventPollItem _resume;   // where the next Collect starts (null: the first item)

        public EventPollFile() : base(OpenFlags.ReadWrite) { }

        /// <summary>Before the first instance (boot).</summary>
        public static void Initialize() => s_lock.Rank = LockRank.EventPoll;

        private static void Enter()
        {
            s_lock.Enter();
            s_holder = Exo.Kernel.Scheduler.Scheduler.Current;
        }

        private static void Exit()
        {
            s_holder = null;
            s_lock.Exit();
        }

        // Files whose last reference a look would have dropped under the lock (closed meanwhile): released by Leave.
        private static OpenFile s_orphans;

        // Lock held: the look's reference on 'file' goes, now or (the last) after the lock.
        private static void Drop(OpenFile file)
        {
            if (file.ReleaseUnlessLast())
                return;
            file.NextOrphan = s_orphans;
            s_orphans = file;
        }

        // Exit for a look: the orphans' last references go once the lock is free (their destruction takes it).
        private static void Leave()
        {
            OpenFile orphans = s_orphans;
            s_orphans = null;
            Exit();
            while (orphans != null)
            {
                OpenFile next = orphans.NextOrphan;
                orphans.NextOrphan = null;
                orphans.Release();
                orphans = next;
            }
        }

        private EventPollItem Find(OpenFile file, int descriptor)
        {
            for (EventPollItem item = _items; item != null; item = item.NextInOwner)
                if (item.File == file && item.Descriptor == descriptor)
                    return item;
            return null;
        }

        // Lock held: whether 'target' (an instance) reaches 'this' through what it watches, or nests deeper than allowed.
        private bool WouldLoop(EventPollFile target, int depth)
        {
            if (target == this || depth > MaximumNesting)
                return true;
            for (EventPollItem item = target._items; item != null; item = item.NextInOwner)
                if (item.File is EventPollFile inner && WouldLoop(inner, depth + 1))
                    return true;
            return false;
        }

        // Lock held: how deep instances nest above 'this' (who watches it, and who watches them).
        private int DepthAbove(int depth)
        {
            int deepest = depth;
            if (depth > MaximumNesting)
                return depth;
            for (EventPollItem watcher = WatchedBy; watcher != null; watcher = watcher.NextForFile)
            {
                int above = watcher.Owner.DepthAbove(depth + 1);
                if (above > deepest)
                    deepest = above;
            }
            return deepest;
        }

        // Lock held: how deep instances nest below 'this'.
        private int DepthBelow(int depth)
        {
            int deepest = depth;
            if (depth > MaximumNesting)
                return depth;
            for (EventPollItem item = _items; item != null; item = item.NextInOwner)
                if (item.File is EventPollFile inner)
                {
                    int below = inner.DepthBelow(depth + 1);
                    if (below > deepest)
                        deepest = below;
                }
            return deepest;
        }

        /// <summary>EPOLL_CTL_ADD: EEXIST when the pair is watched already, ELOOP for a cycle or too deep a nest.</summary>
        public Error Add(OpenFile file, int descriptor, uint events, ulong data)
        {
            EventPollItem item = new EventPollItem { Owner = this, File = file, Descriptor = descriptor, Events = events, Data = data, SeenChanges = -1 };
            if (item == null)
                return Error.OutOfMemory;
            Error error = Error.None;
            using (InterruptMask.Enter())
            {
                Enter();
                if (Find(file, descriptor) != null)
                    error = Error.AlreadyExists;
                else if (_itemCount >= MaximumItems)
                    error = Error.NoSpace;
                else if (file is EventPollFile inner && (WouldLoop(inner, 1) || DepthAbove(0) + 1 + inner.DepthBelow(0) > MaximumNesting))
                    error = Error.TooManySymbolicLinks;
                if (error == Error.None)
                {
                    item.NextInOwner = _items;
                    _items = item;
                    _itemCount++;
                    item.NextForFile = file.WatchedBy;
                    file.WatchedBy = item;
                }
                Exit();
            }
            if (error != Error.None)
                Exo.Runtime.ObjectAllocator.Free(item);
            else
                Readiness.Changed();   // a waiter on this instance looks at the new file
            return error;
        }

        /// <summary>EPOLL_CTL_MOD: new events and data (a one-shot item is armed again, an edge-triggered one reported if ready); ENOENT if not watched.</summary>
        public Error Modify(OpenFile file, int descriptor, uint events, ulong data)
        {
            Error error = Error.None;
            using (InterruptMask.Enter())
            {
                Enter();
                EventPollItem item = Find(file, descriptor);
                if (item == null)
                {
                    error = Error.NotFound;
                }
                else
                {
                    item.Events = events;
                    item.Data = data;
                    item.Disabled = false;
                    item.SeenChanges = -1;
                    item.SeenEvents = 0;
                }
                Exit();
            }
            if (error == Error.None)
                Readiness.Changed();
            return error;
        }

        /// <summary>EPOLL_CTL_DEL: ENOENT if not watched.</summary>
        public Error Remove(OpenFile file, int descriptor)
        {
            EventPollItem item;
            using (InterruptMask.Enter())
            {
                Enter();
                item = Find(file, descriptor);
                if (item != null)
                    UnlinkLocked(item);
                Exit();
            }
            if (item == null)
                return Error.NotFound;
            Exo.Runtime.ObjectAllocator.Free(item);
            return Error.None;
        }

        // Lock held: 'item' out of its owner's list and its file's.
        private static void UnlinkLocked(EventPollItem item)
        {
            RemoveFromOwner(item);
            RemoveFromFile(item);
        }

        // Lock held: 'item' out of its owner's list.
        private static void RemoveFromOwner(EventPollItem item)
        {
            EventPollFile owner = item.Owner;
            if (owner._resume == item)
                owner._resume = item.NextInOwner;
            if (owner._items == item)
            {
                owner._items = item.NextInOwner;
            }
            else
            {
                EventPollItem before = owner._items;
                while (before.NextInOwner != item)
                    before = before.NextInOwner;
                before.NextInOwner = item.NextInOwner;
            }
            owner._itemCount--;
        }

        // Lock held: 'item' out of its file's list.
        private static void RemoveFromFile(EventPollItem item)
        {
            OpenFile file = item.File;
            if (file.WatchedBy == item)
            {
                file.WatchedBy = item.NextForFile;
            }
            else
            {
                EventPollItem before = file.WatchedBy;
                while (before.NextForFile != item)
                    before = before.NextForFile;
                before.NextForFile = item.NextForFile;
            }
        }

        /// <summary>A watched description is being destroyed (its last reference gone): every item watching it goes.</summary>
        public static void Forget(OpenFile file)
        {
            EventPollItem items;
            using (InterruptMask.Enter())
            {
                Enter();
                items = file.WatchedBy;
                for (EventPollItem item = items; item != null; item = item.NextForFile)
                    RemoveFromOwner(item);   // the file's own list goes whole
                file.WatchedBy = null;
                Exit();
            }
            while (items != null)
            {
                EventPollItem next = items.NextForFile;
                Exo.Runtime.ObjectAllocator.Free(items);
                items = next;
            }
        }

        /// <summary>One reported event: epoll_event as Linux packs it (12 bytes on x86-64).</summary>
        [System.Runtime.InteropServices.StructLayout(System.Runtime.InteropServices.LayoutKind.Sequential, Pack = 4)]
        public struct Event { public uint Events; public ulong Data; }

        // The directions an item watches (error and hang-up come with both).
        private static PollEvents InterestOf(uint events)
            => ((events & (EventPollBits.In | EventPollBits.Priority | EventPollBits.ReadNormal | EventPollBits.ReadBand | EventPollBits.ReadHangUp)) != 0 ? PollEvents.In : PollEvents.None)
                | ((events & (EventPollBits.Out | EventPollBits.WriteNormal | EventPollBits.WriteBand)) != 0 ? PollEvents.Out : PollEvents.None);

        // The epoll bits of a file's readiness (poll's, with the normal-data variants).
        private static uint EventsOf(PollEvents events)
        {
            uint bits = (uint)(ushort)events;
            if ((events & PollEvents.In) != 0)
                bits |= EventPollBits.ReadNormal;
            if ((events & PollEvents.Out) != 0)
                bits |= EventPollBits.WriteNormal;
            return bits;
        }

        /// <summary>
        /// Up to 'capacity' ready items into 'events' (kernel memory): how many. Edge-triggered and one-shot items
        /// are consumed (what was reported is not reported again until the file changes or MOD re-arms). 'wait'
        /// notes when a watched file becomes ready by itself (OpenFile.ReadyAt).
        /// </summary>
        public int Collect(Event* events, int capacity, ref ReadinessWait wait)
        {
            int found = 0;
            using (InterruptMask.Enter())
            {
                Enter();
                // Round robin: a wait that filled its capacity starts the next one after its last report, so that a
                // few always-ready items do not hide the others from a small maxevents (Linux requeues them at the end).
                EventPollItem start = _resume ?? _items, next;
                _resume = null;
                for (EventPollItem item = start; item != null && found < capacity; item = next)
                {
                    next = item.NextInOwner ?? (start != _items ? _items : null);
                    if (next == start)
                        next = null;
                    if (item.Disabled || !item.File.TryAddReference())
                        continue;
                    OpenFile file = item.File;
                    uint ready = Look(item, file);
                    wait.Note(file.ReadyAt);
                    if ((item.Events & EventPollBits.EdgeTriggered) != 0)
                    {
                        item.SeenChanges = file.ChangeCount(InterestOf(item.Events));
                        item.SeenEvents = ready;
                        ready = item.Pending;
                    }
                    if (ready != 0)
                    {
                        events[found].Events = ready;
                        events[found].Data = item.Data;
                        found++;
                        if ((item.Events & EventPollBits.OneShot) != 0)
                            item.Disabled = true;
                        if (found == capacity)
                            _resume = item.NextInOwner;
                    }
                    Drop(file);
                }
                Leave();
            }
            return found;
        }

        // Lock held, a reference on 'file': the events 'item' would report (edge-triggered: those new since it was last
        // looked at, in item.Pending, all of them when the file counted a change).
        private static uint Look(EventPollItem item, OpenFile file)
        {
            uint ready = EventsOf(file.Poll()) & (item.Events | EventPollBits.Error | EventPollBits.HangUp);
            if ((item.Events & EventPollBits.EdgeTriggered) != 0)
                item.Pending = file.ChangeCount(InterestOf(item.Events)) != item.SeenChanges ? ready : ready & ~item.SeenEvents;
            return ready;
        }

        /// <summary>Whether some item would be reported now (poll on the instance, or an instance inside another); nothing consumed.</summary>
        public override PollEvents Poll()
        {
            bool held = s_holder == Exo.Kernel.Scheduler.Scheduler.Current;
            bool ready = false;
            using (InterruptMask.Enter())
            {
                if (!held)
                    Enter();
                for (EventPollItem item = _items; item != null && !ready; item = item.NextInOwner)
                {
                    if (item.Disabled || !item.File.TryAddReference())
                        continue;
                    uint bits = Look(item, item.File);
                    ready = ((item.Events & EventPollBits.EdgeTriggered) != 0 ? item.Pending : bits) != 0;
                    Drop(item.File);
                }
                if (!held)
                    Leave();
            }
            return ready ? PollEvents.In : PollEvents.None;
        }

        public override ulong ReadyAt
        {
            get
            {
                ulong soonest = 0;
                bool held = s_holder == Exo.Kernel.Scheduler.Scheduler.Current;
                using (InterruptMask.Enter())
                {
                    if (!held)
                        Enter();
                    for (EventPollItem item = _items; item != null; item = item.NextInOwner)
                    {
                        if (item.Disabled || !item.File.TryAddReference())
                            continue;
                        ulong at = item.File.ReadyAt;
                        if (at != 0 && (soonest == 0 || at < soonest))
                            soonest = at;
                        Drop(item.File);
                    }
                    if (!held)
                        Leave();
                }
                return soonest;
            }
        }

        public override string KindName => "eventpoll";

        public override Error Read(IoBuffer buffer, ulong count, out ulong done) { done = 0; return Error.Invalid; }
        public override Error Write(IoBuffer buffer, ulong count, out ulong done) { done = 0; return Error.Invalid; }

        protected override void Destroy()
        {
            EventPollItem items;
            using (InterruptMask.Enter())
            {
                Enter();
                items = _items;
                for (EventPollItem item = items; item != null; item = item.NextInOwner)
                    RemoveFromFile(item);   // this instance's own list goes whole
                _items = null;
                _resume = null;
                _itemCount = 0;
                Exit();
            }
            while (items != null)
            {
                EventPollItem next = items.NextInOwner;
                Exo.Runtime.ObjectAllocator.Free(items);
                items = next;
            }
            base.Destroy();
        }
    }
}
