namespace Exo.Protocols.FileSystem
{
    /// <summary>Why a decoder refused a message; None when it is well formed.</summary>
    public enum MessageProblem
    {
        None = 0,
        /// <summary>Shorter than its header, or than the lengths its header gives.</summary>
        Truncated,
        /// <summary>Longer than the protocol allows.</summary>
        TooLong,
        BadMagic,
        UnknownOperation,
        /// <summary>A name missing where the operation needs one, present where it has none, or malformed.</summary>
        BadName,
        /// <summary>Data missing, present or longer than the operation allows.</summary>
        BadData,
        /// <summary>A field out of its range (a zero node, a count above the limit, an unknown SetMask bit, reserved bits set).</summary>
        BadField,
        /// <summary>A reply's attributes, records or figures are malformed.</summary>
        BadAttributes,
        /// <summary>A reply answers another request (operation or sequence number differ).</summary>
        NotTheAnswer,
        /// <summary>A reply's errno is outside 1..4095, or it carries data with an error.</summary>
        BadError,
    }

    public static class MessageProblems
    {
        /// <summary>A short description for logs.</summary>
        public static string Describe(MessageProblem problem) => problem switch
        {
            MessageProblem.None => "well formed",
            MessageProblem.Truncated => "truncated",
            MessageProblem.TooLong => "too long",
            MessageProblem.BadMagic => "bad magic",
            MessageProblem.UnknownOperation => "unknown operation",
            MessageProblem.BadName => "bad name",
            MessageProblem.BadData => "bad data length",
            MessageProblem.BadField => "field out of range",
            MessageProblem.BadAttributes => "bad attributes or records",
            MessageProblem.NotTheAnswer => "answers another request",
            MessageProblem.BadError => "bad error number",
            _ => "unknown problem",
        };

        /// <summary>
        /// A name the protocol carries: 1 to MaximumNameLength bytes, none of them '/' or zero, not "." or ".."
        /// (the client resolves those itself).
        /// </summary>
        public static unsafe bool IsValidName(byte* name, int length)
        {
            if (name == null || length < 1 || length > FileSystemLimits.MaximumNameLength)
                return false;
            if (name[0] == (byte)'.' && (length == 1 || (length == 2 && name[1] == (byte)'.')))
                return false;
            for (int i = 0; i < length; i++)
                if (name[i] == (byte)'/' || name[i] == 0)
                    return false;
            return true;
        }
    }
}
