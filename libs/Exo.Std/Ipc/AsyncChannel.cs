using Exo.Protocols.Rings;

namespace Exo.Std.Ipc
{
    /// <summary>
    /// One asynchronous Fusion Ring channel in a shared memory object: a submission ring (client to server)
    /// at offset 0 and a completion ring (server to client) right after it, at the next 64-byte boundary. The
    /// server finds the completion ring from the submission ring's header, so only the memory object (and the
    /// two notifications its doorbells use) needs to be granted.
    /// </summary>
    public static unsafe class AsyncChannel
    {
        /// <summary>Bytes for both rings (0 if a shape is invalid).</summary>
        public static ulong RequiredBytes(uint submissionSlots, uint completionSlots, uint slotSize)
        {
            ulong submission = SpscRing.RequiredBytes(submissionSlots, slotSize);
            ulong completion = SpscRing.RequiredBytes(completionSlots, slotSize);
            return submission == 0 || completion == 0 ? 0 : AlignLine(submission) + completion;
        }

        /// <summary>Initialises both rings in memory[0, length) (64-byte aligned, not yet in use).</summary>
        public static bool Initialize(byte* memory, ulong length, uint submissionSlots, uint completionSlots, uint slotSize)
        {
            ulong required = RequiredBytes(submissionSlots, completionSlots, slotSize);
            if (required == 0 || length < required)
                return false;
            ulong offset = AlignLine(SpscRing.RequiredBytes(submissionSlots, slotSize));
            return SpscRing.Initialize(memory + offset, length - offset, completionSlots, slotSize)
                   && SpscRing.Initialize(memory, offset, submissionSlots, slotSize);
        }

        public static byte* SubmissionRing(byte* memory) => memory;

        /// <summary>The completion ring, or null if the submission ring is not initialised.</summary>
        public static byte* CompletionRing(byte* memory)
        {
            ulong submission = SpscRing.SizeOf(memory);
            return submission == 0 ? null : memory + AlignLine(submission);
        }

        /// <summary>The client's two sides: it produces submissions and consumes completions.</summary>
        public static bool AttachClient(byte* memory, out SpscProducer submissions, out SpscConsumer completions)
        {
            submissions = default;
            completions = default;
            byte* completionRing = CompletionRing(memory);
            return completionRing != null && submissions.Attach(memory) && completions.Attach(completionRing);
        }

        /// <summary>The server's two sides: it consumes submissions and produces completions.</summary>
        public static bool AttachServer(byte* memory, out SpscConsumer submissions, out SpscProducer completions)
        {
            submissions = default;
            completions = default;
            byte* completionRing = CompletionRing(memory);
            return completionRing != null && submissions.Attach(memory) && completions.Attach(completionRing);
        }

        private static ulong AlignLine(ulong value) => (value + 63) & ~63UL;
    }
}
