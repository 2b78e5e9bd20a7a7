using OrderProcessor.Storage;

namespace OrderProcessor.Processing;

/// <summary>The log entry of one record.</summary>
public sealed record RecordReport(
    string MessageId,
    string? OrderId,
    RecordOutcome Outcome,
    string? Reason,
    int? ReceiveCount,
    TimeSpan Duration,
    string? RejectedBody)
{
    /// <summary>For a conflict: this version's fingerprint and what the store did with the other one.</summary>
    public (string Fingerprint, SaveResult Save)? Conflict { get; init; }

    /// <summary>The SNS MessageId when the body was an envelope.</summary>
    public string? SnsMessageId { get; init; }

    /// <summary>For a reported record, with backoff on: the visibility timeout it is given, in seconds.</summary>
    public int? RetryAfterSeconds { get; init; }
}
