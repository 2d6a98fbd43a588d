namespace Exo.Network
{
    /// <summary>
    /// Receive batches: the frames the service takes from the card in one turn. Within a batch, the acknowledgment
    /// that every second full-sized segment calls for (RFC 5681 4.2) waits for the batch's end, so a connection that
    /// got 20 in-order segments in a turn answers with one ACK instead of ten: what Linux does when GRO merges a
    /// NAPI poll's segments into one. Everything else that must be acknowledged at once (out-of-order data, a hole
    /// filled, duplicates, window probes, FIN) still is, so the sender's duplicate ACKs and fast retransmit are as
    /// before. Without a batch (the host tests' single frames) nothing changes.
    /// </summary>
    public sealed unsafe partial class TcpStack
    {
        /// <summary>Connections one batch may hold back; a connection past them is acknowledged at once.</summary>
        public const int MaximumBatchConnections = 32;

        private readonly TcpConnection[] _batchPending = new TcpConnection[MaximumBatchConnections];
        private int _batchCount;
        private bool _batching;

        /// <summary>Frames of one turn follow: their every-second-segment ACKs wait for <see cref="EndReceiveBatch"/>.</summary>
        public void BeginReceiveBatch() => _batching = true;

        /// <summary>Sends the ACKs the batch held back (a connection that sent something meanwhile has none left owing).</summary>
        public void EndReceiveBatch()
        {
            _batching = false;
            for (int i = 0; i < _batchCount; i++)
            {
                TcpConnection connection = _batchPending[i];
                _batchPending[i] = null;
                connection.AcknowledgmentHeld = false;
                if (connection.InUse && connection.UnacknowledgedSegments >= 2)
                {
                    connection.AcknowledgeNow = true;
                    Output(connection);
                }
            }
            _batchCount = 0;
        }

        // The every-second-segment ACK: held to the batch's end when a batch is open and has room, else at once.
        private void AcknowledgeSecondSegment(TcpConnection connection)
        {
            if (_batching && (connection.AcknowledgmentHeld || _batchCount < MaximumBatchConnections))
            {
                if (!connection.AcknowledgmentHeld)
                {
                    connection.AcknowledgmentHeld = true;
                    _batchPending[_batchCount++] = connection;
                }
                return;
            }
            connection.AcknowledgeNow = true;
        }
    }
}
