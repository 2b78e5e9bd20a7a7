namespace OrderProcessor.Storage;

/// <summary>What a conditional write of an order did.</summary>
public enum SaveOutcome
{
    /// <summary>The order was written: it is new, or newer than the stored version.</summary>
    Stored,

    /// <summary>The same version (same timestamp) is already stored: a redelivery. Nothing written.</summary>
    Duplicate,

    /// <summary>A newer version is already stored. Nothing written.</summary>
    Stale,
}
