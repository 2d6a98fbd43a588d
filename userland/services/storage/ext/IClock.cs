namespace Exo.Storage.Ext
{
    /// <summary>Where the file system gets the time it stamps on inodes (a service without a clock may answer 0).</summary>
    public interface IClock
    {
        void Now(out long seconds, out uint nanoseconds);
    }
}
