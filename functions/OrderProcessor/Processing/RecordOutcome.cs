namespace OrderProcessor.Processing;

/// <summary>What happened to one record of a batch. Only <see cref="Invalid"/> and <see cref="Failed"/> are reported back as failures.</summary>
public enum RecordOutcome
{
    /// <summary>Written to the table.</summary>
    Stored,

    /// <summary>This version was already stored (a redelivery): success, nothing written.</summary>
    Duplicate,

    /// <summary>A newer version was already stored: success, nothing written.</summary>
    Stale,

    /// <summary>Another version with the same timestamp met this one; the greater fingerprint is kept. Success.</summary>
    Conflict,

    /// <summary>The body is not a valid order. Retried, then left in the dead-letter queue.</summary>
    Invalid,

    /// <summary>The write failed after the SDK's retries. Retried by SQS.</summary>
    Failed,
}
