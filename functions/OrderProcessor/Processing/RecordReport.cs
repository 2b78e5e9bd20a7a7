namespace OrderProcessor.Processing;

/// <summary>The log entry of one record.</summary>
public sealed record RecordReport(
    string MessageId,
    string? OrderId,
    RecordOutcome Outcome,
    string? Reason,
    int? ReceiveCount,
    TimeSpan Duration,
    string? RejectedBody);
