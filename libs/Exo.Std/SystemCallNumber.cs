namespace Exo.Std
{
    /// <summary>The native system call numbers, as userland/programs/native.inc (the authoritative list) defines them.</summary>
    public static class SystemCallNumber
    {
        public const ulong Null = 0;
        public const ulong Exit = 1;
        public const ulong DebugLog = 2;
        public const ulong Yield = 3;
        public const ulong ConsoleWrite = 4;
        public const ulong ProcessId = 5;
        public const ulong BenchReport = 6;
        public const ulong HandleClose = 10;
        public const ulong HandleDuplicate = 11;
        public const ulong HandleRevoke = 12;
        public const ulong HandleInfo = 13;
        public const ulong MemoryMap = 20;
        public const ulong MemoryUnmap = 21;
        public const ulong MemoryObjectCreate = 22;
        public const ulong MemoryObjectMap = 23;
        public const ulong EndpointCreate = 30;
        public const ulong IpcCall = 31;
        public const ulong IpcReceive = 32;
        public const ulong IpcReplyReceive = 33;
        public const ulong NotificationCreate = 40;
        public const ulong NotificationSignal = 41;
        public const ulong NotificationWait = 42;
        public const ulong NotificationPoll = 43;
        public const ulong ProcessSpawn = 50;
        public const ulong ProcessWait = 51;
        public const ulong ProcessKill = 52;
        public const ulong ProcessWatch = 53;
        public const ulong ResourceCreate = 60;
        public const ulong IoPortEnable = 61;
        public const ulong InterruptBind = 62;
        public const ulong InterruptAcknowledge = 63;
        public const ulong PhysicalMap = 64;
    }
}
