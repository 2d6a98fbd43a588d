namespace Exo.Protocols.Rings
{
    /// <summary>
    /// How a ring side sleeps and wakes the other: Ring wakes whoever waits on this doorbell; Wait sleeps
    /// until it has been rung. A ring left unanswered must stay pending (the next Wait returns at once), like
    /// a notification's bits: the ring protocol depends on it. Spurious returns from Wait are allowed.
    /// Implemented by structs and used as a generic constraint, so calls are direct (no interface dispatch).
    /// Both return false if the doorbell is broken (for example a bad handle): the blocking ring calls then fail.
    /// </summary>
    public interface IRingDoorbell
    {
        bool Ring();
        bool Wait();
    }
}
