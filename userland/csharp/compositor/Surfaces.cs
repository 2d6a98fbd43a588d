using Exo.Compositor.Scene;
using Exo.Protocols.Compositor;

namespace Compositor
{
    /// <summary>
    /// A client's surface as the compositor keeps it: its id, its role (a toplevel window or none yet), the buffer shown
    /// (copied out of the request and checked: the client cannot move it afterwards) and what is attached and damaged for
    /// the next commit.
    /// </summary>
    internal struct SurfaceRecord
    {
        public uint Id;   // 0: a free record
        public int Window;   // the WindowStack slot of its toplevel, or -1
        public bool IsPanel;   // the panel's surface (Panel)
        public bool HasBuffer, HasPending;
        public uint Offset, Stride, PendingOffset, PendingStride;
        public int Width, Height, PendingWidth, PendingHeight;
        public Rectangle PendingDamage;
    }

    /// <summary>Every client's surfaces: CompositorLayout.MaximumSurfacesPerClient records for each client slot.</summary>
    internal static unsafe class Surfaces
    {
        private static SurfaceRecord* s_records;

        public static bool Initialize()
        {
            int count = Clients.Capacity * CompositorLayout.MaximumSurfacesPerClient;
            s_records = (SurfaceRecord*)Exo.Std.Memory.UserHeap.Allocate((nuint)(sizeof(SurfaceRecord) * count));
            if (s_records == null)
                return false;
            for (int i = 0; i < count; i++)
                s_records[i] = default;
            return true;
        }

        public static SurfaceRecord* At(int client, int index) => s_records + client * CompositorLayout.MaximumSurfacesPerClient + index;

        public static SurfaceRecord* Find(int client, uint id)
        {
            if (id == 0)
                return null;
            for (int i = 0; i < CompositorLayout.MaximumSurfacesPerClient; i++)
                if (At(client, i)->Id == id)
                    return At(client, i);
            return null;
        }

        public static SurfaceRecord* Claim(int client, uint id)
        {
            for (int i = 0; i < CompositorLayout.MaximumSurfacesPerClient; i++)
            {
                SurfaceRecord* record = At(client, i);
                if (record->Id == 0)
                {
                    *record = default;
                    record->Id = id;
                    record->Window = -1;
                    return record;
                }
            }
            return null;
        }

        /// <summary>
        /// A window's content, clipped to 'area', into the back buffer: the committed buffer's pixels where it has them,
        /// <see cref="Screen.EmptyContent"/> elsewhere (a maximised window whose client has not drawn the new size yet).
        /// </summary>
        public static void DrawContent(int client, uint id, Rectangle content, Rectangle area, uint* back, int backWidth)
        {
            SurfaceRecord* record = Find(client, id);
            Rectangle clip = content.Intersect(area);
            byte* buffers = Clients.BufferArea(client);
            bool hasBuffer = record != null && record->HasBuffer && buffers != null;
            int width = hasBuffer ? record->Width : 0, height = hasBuffer ? record->Height : 0;
            for (int y = clip.Y; y < clip.Bottom; y++)
            {
                uint* line = back + (long)y * backWidth;
                int row = y - content.Y;
                uint* source = hasBuffer && row < height ? (uint*)(buffers + record->Offset + (ulong)row * record->Stride) : null;
                for (int x = clip.X; x < clip.Right; x++)
                {
                    int column = x - content.X;
                    line[x] = source != null && column < width ? source[column] & 0xFFFFFF : Screen.EmptyContent;
                }
            }
        }
    }
}
