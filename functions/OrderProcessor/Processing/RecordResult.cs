namespace OrderProcessor.Processing;

/// <summary>What processing one record of a batch gave the batch: its outcome, its backoff, its age.</summary>
/// <param name="Outcome">What happened to it; only <see cref="RecordOutcome.Invalid"/> and <see cref="RecordOutcome.Failed"/> are reported back.</param>
/// <param name="RetryAfterSeconds">With backoff on, for a reported record: the visibility timeout it is given.</param>
/// <param name="AgeMs">From SQS's SentTimestamp to its outcome, when SQS gave the timestamp.</param>
public readonly record struct RecordResult(RecordOutcome Outcome, int? RetryAfterSeconds, double? AgeMs)
{
    /// <summary>
    /// What every record is until it succeeds (Powertools' BatchProcessor states the same rule): failed, with no backoff
    /// scheduled, so that a record whose processing never completed is reported and comes back, never deleted.
    /// </summary>
    public static RecordResult NotProcessed { get; } = new(RecordOutcome.Failed, null, null);
}
