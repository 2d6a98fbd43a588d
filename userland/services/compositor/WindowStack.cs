using Exo.Protocols.Compositor;

namespace Exo.Compositor.Scene
{
    /// <summary>One toplevel window: whose it is (client slot, surface id), where its content is, its state and title.</summary>
    public unsafe struct Window
    {
        public const int TitleCapacity = 32;

        public bool InUse;
        /// <summary>The window's number for the panel's list (counted from 1, never reused).</summary>
        public uint Serial;
        public int Client;
        public uint Surface;
        /// <summary>The content rectangle on screen (the frame is drawn around it: WindowFrame).</summary>
        public Rectangle Content;
        /// <summary>A committed buffer has been shown: the window is on screen (unless minimised).</summary>
        public bool Mapped;
        public bool Minimised, Maximised;
        /// <summary>The content rectangle before maximising (restored on the second maximise).</summary>
        public Rectangle Restore;
        public int TitleLength;
        public fixed byte Title[TitleCapacity];

        public bool Visible => InUse && Mapped && !Minimised;
    }

    /// <summary>
    /// The windows and their stacking order (bottom to top), the focused one, and what each change damages on screen.
    /// Fixed capacity, no allocation after construction (the compositor's loop runs without a collector). Windows are
    /// numbered by their slot; the order lists slots.
    /// </summary>
    public sealed unsafe class WindowStack
    {
        public const int Capacity = 32;
        /// <summary>New windows cascade from here, each <see cref="CascadeStepX"/>, <see cref="CascadeStepY"/> further.</summary>
        public const int CascadeLeft = 48, CascadeTop = 64, CascadeStepX = 200, CascadeStepY = 120, CascadePlaces = 4;

        private readonly Window[] _windows = new Window[Capacity];
        private readonly int[] _order = new int[Capacity];
        private int _orderCount, _placed;
        private uint _serials;

        public int ScreenWidth, ScreenHeight;
        /// <summary>The rows at the screen's top that a panel keeps (0 without one): windows are placed and maximised below.</summary>
        public int TopReserved;
        /// <summary>The slot of the window with the keyboard focus, or -1.</summary>
        public int Focused = -1;

        public WindowStack(int screenWidth, int screenHeight) { ScreenWidth = screenWidth; ScreenHeight = screenHeight; }

        public ref Window this[int slot] => ref _windows[slot];
        /// <summary>How many windows are stacked; <see cref="AtDepth"/>(0) is the bottom one.</summary>
        public int Count => _orderCount;
        public int AtDepth(int depth) => _order[depth];

        /// <summary>A new, unmapped window on top, at the next cascade place; -1 when the table is full.</summary>
        public int Add(int client, uint surface)
        {
            for (int slot = 0; slot < Capacity; slot++)
            {
                if (_windows[slot].InUse)
                    continue;
                int place = _placed++ % CascadePlaces;
                _windows[slot] = default;
                _windows[slot].InUse = true;
                _windows[slot].Client = client;
                _windows[slot].Surface = surface;
                _windows[slot].Serial = ++_serials;
                _windows[slot].Content = new Rectangle(CascadeLeft + place * CascadeStepX, TopReserved + CascadeTop + place * CascadeStepY, 0, 0);
                _order[_orderCount++] = slot;
                return slot;
            }
            return -1;
        }

        /// <summary>The slot of the window with this serial, or -1.</summary>
        public int FindSerial(uint serial)
        {
            for (int slot = 0; slot < Capacity; slot++)
                if (_windows[slot].InUse && _windows[slot].Serial == serial)
                    return slot;
            return -1;
        }

        public int Find(int client, uint surface)
        {
            for (int slot = 0; slot < Capacity; slot++)
                if (_windows[slot].InUse && _windows[slot].Client == client && _windows[slot].Surface == surface)
                    return slot;
            return -1;
        }

        /// <summary>Takes a window away (its place on screen is damaged); the focus goes to the topmost visible one left.</summary>
        public void Remove(int slot, ref DamageRegion damage)
        {
            if (!_windows[slot].InUse)
                return;
            if (_windows[slot].Visible)
                damage.Add(WindowFrame.Outer(_windows[slot].Content));
            _windows[slot] = default;
            RemoveFromOrder(slot);
            if (Focused == slot)
                Focused = TopmostVisible();
        }

        /// <summary>A committed buffer of this size: the window is shown, its content the buffer's size unless maximised.</summary>
        public void Map(int slot, int width, int height, ref DamageRegion damage)
        {
            ref Window window = ref _windows[slot];
            if (window.Visible)
                damage.Add(WindowFrame.Outer(window.Content));
            if (!window.Maximised)
            {
                window.Content.Width = width;
                window.Content.Height = height;
            }
            bool first = !window.Mapped;
            window.Mapped = true;
            if (first && !window.Maximised)
                KeepOnScreen(ref window.Content);
            if (!window.Minimised)
                damage.Add(WindowFrame.Outer(window.Content));
            if (first && !window.Minimised)
                Focused = slot;   // a new window takes the focus, as it is on top
        }

        /// <summary>
        /// The screen changed size (a mode switch): maximised windows fill the new screen below the panel, the others are
        /// moved back onto it as new windows are. The caller configures the maximised ones (their clients draw at the new
        /// size) and composes everything again.
        /// </summary>
        public void ResizeScreen(int width, int height)
        {
            ScreenWidth = width;
            ScreenHeight = height;
            for (int slot = 0; slot < Capacity; slot++)
            {
                ref Window window = ref _windows[slot];
                if (!window.InUse)
                    continue;
                if (window.Maximised)
                {
                    window.Content = WindowFrame.Maximised(ScreenWidth, ScreenHeight, TopReserved);
                    KeepOnScreen(ref window.Restore);
                }
                else
                    KeepOnScreen(ref window.Content);
            }
        }

        /// <summary>
        /// A new window whose cascade place would push it past the screen's right or bottom edge is moved left or up until
        /// it fits (as far as it can: the title bar stays below the panel and the left border on screen).
        /// </summary>
        private void KeepOnScreen(ref Rectangle content)
        {
            int overRight = content.Right + WindowFrame.Border - ScreenWidth;
            if (overRight > 0)
                content.X = content.X - overRight > WindowFrame.Border ? content.X - overRight : WindowFrame.Border;
            int overBottom = content.Bottom + WindowFrame.Border - ScreenHeight;
            int highest = TopReserved + WindowFrame.TitleHeight + WindowFrame.Border;
            if (overBottom > 0)
                content.Y = content.Y - overBottom > highest ? content.Y - overBottom : highest;
        }

        /// <summary>Puts a window on top of the others (its frame damaged: what covered it is now under it).</summary>
        public void Raise(int slot, ref DamageRegion damage)
        {
            if (_orderCount > 0 && _order[_orderCount - 1] == slot)
                return;
            RemoveFromOrder(slot);
            _order[_orderCount++] = slot;
            if (_windows[slot].Visible)
                damage.Add(WindowFrame.Outer(_windows[slot].Content));
        }

        /// <summary>The topmost visible window under (x, y) and which part of it, or -1 (the background).</summary>
        public int TopmostAt(int x, int y, out FramePart part)
        {
            for (int depth = _orderCount - 1; depth >= 0; depth--)
            {
                int slot = _order[depth];
                if (!_windows[slot].Visible)
                    continue;
                part = WindowFrame.HitTest(_windows[slot].Content, x, y);
                if (part != FramePart.None)
                    return slot;
            }
            part = FramePart.None;
            return -1;
        }

        /// <summary>A border drag: the window takes the content rectangle 'content' (WindowFrame.Resized's), its old and new
        /// frames damaged. A maximised window keeps its size.</summary>
        public void Resize(int slot, Rectangle content, ref DamageRegion damage)
        {
            ref Window window = ref _windows[slot];
            Rectangle old = window.Content;
            if (window.Maximised || (content.X == old.X && content.Y == old.Y && content.Width == old.Width && content.Height == old.Height))
                return;
            if (window.Visible)
                damage.Add(WindowFrame.Outer(window.Content));
            window.Content = content;
            if (window.Visible)
                damage.Add(WindowFrame.Outer(window.Content));
        }

        /// <summary>
        /// Moves a window by (dx, dy): its old and new places are damaged. A maximised window stays put, and a title bar
        /// does not go under the panel (where it could not be grabbed again).
        /// </summary>
        public void Move(int slot, int dx, int dy, ref DamageRegion damage)
        {
            ref Window window = ref _windows[slot];
            if (TopReserved > 0)
            {
                int highest = TopReserved + WindowFrame.TitleHeight + WindowFrame.Border;
                int room = highest - window.Content.Y;   // how far up it may still go (negative), 0 when it may not
                if (dy < 0 && dy < room)
                    dy = room < 0 ? room : 0;
            }
            if (window.Maximised || (dx == 0 && dy == 0))
                return;
            if (window.Visible)
                damage.Add(WindowFrame.Outer(window.Content));
            window.Content = window.Content.Offset(dx, dy);
            if (window.Visible)
                damage.Add(WindowFrame.Outer(window.Content));
        }

        /// <summary>Maximises a window or restores it; returns the content size the client is asked to draw at.</summary>
        public Rectangle ToggleMaximised(int slot, ref DamageRegion damage)
        {
            ref Window window = ref _windows[slot];
            if (window.Visible)
                damage.Add(WindowFrame.Outer(window.Content));
            if (window.Maximised)
            {
                window.Maximised = false;
                window.Content = window.Restore;
            }
            else
            {
                window.Maximised = true;
                window.Restore = window.Content;
                window.Content = WindowFrame.Maximised(ScreenWidth, ScreenHeight, TopReserved);
            }
            if (window.Visible)
                damage.Add(WindowFrame.Outer(window.Content));
            return window.Content;
        }

        /// <summary>Hides a window (its place damaged); the focus goes to the topmost visible one left.</summary>
        public void Minimise(int slot, ref DamageRegion damage)
        {
            ref Window window = ref _windows[slot];
            if (window.Visible)
                damage.Add(WindowFrame.Outer(window.Content));
            window.Minimised = true;
            if (Focused == slot)
                Focused = TopmostVisible();
        }

        /// <summary>Shows a minimised window again, on top and focused.</summary>
        public void Unminimise(int slot, ref DamageRegion damage)
        {
            _windows[slot].Minimised = false;
            Raise(slot, ref damage);
            if (_windows[slot].Visible)
            {
                damage.Add(WindowFrame.Outer(_windows[slot].Content));
                Focused = slot;
            }
        }

        /// <summary>Shows every minimised window again (on top, the last one focused); how many came back.</summary>
        public int RestoreMinimised(ref DamageRegion damage)
        {
            int restored = 0;
            for (int slot = 0; slot < Capacity; slot++)
            {
                if (!_windows[slot].InUse || !_windows[slot].Minimised)
                    continue;
                Unminimise(slot, ref damage);
                restored++;
            }
            return restored;
        }

        /// <summary>
        /// The windows a panel lists (every mapped one, minimised too), oldest first, into 'entries' (room for 'capacity');
        /// returns how many. What a panel shows does not depend on the stacking, so its buttons keep their places.
        /// </summary>
        public int ListWindows(WindowListEntry* entries, int capacity)
        {
            int count = 0;
            uint after = 0;
            while (count < capacity)
            {
                int next = -1;
                for (int slot = 0; slot < Capacity; slot++)
                    if (_windows[slot].InUse && _windows[slot].Mapped && _windows[slot].Serial > after
                        && (next < 0 || _windows[slot].Serial < _windows[next].Serial))
                        next = slot;
                if (next < 0)
                    break;
                ref Window window = ref _windows[next];
                WindowListEntry* entry = entries + count++;
                *entry = default;
                entry->Serial = window.Serial;
                entry->State = (next == Focused && window.Visible ? WindowListState.Focused : 0)
                    | (window.Minimised ? WindowListState.Minimised : 0) | (window.Maximised ? WindowListState.Maximised : 0);
                entry->TitleLength = (uint)window.TitleLength;
                byte* title = (byte*)entry + WindowListEntry.TitleOffset;
                for (int i = 0; i < window.TitleLength && i < CompositorLayout.MaximumTitleBytes; i++)
                    title[i] = window.Title[i];
                after = window.Serial;
            }
            return count;
        }

        /// <summary>The topmost visible window, or -1.</summary>
        public int TopmostVisible()
        {
            for (int depth = _orderCount - 1; depth >= 0; depth--)
                if (_windows[_order[depth]].Visible)
                    return _order[depth];
            return -1;
        }

        private void RemoveFromOrder(int slot)
        {
            int at = 0;
            for (int depth = 0; depth < _orderCount; depth++)
                if (_order[depth] != slot)
                    _order[at++] = _order[depth];
            _orderCount = at;
        }
    }
}
