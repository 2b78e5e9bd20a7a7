namespace OrderProcessor.Storage;

/// <summary>What a conditional write of an order did.</summary>
public enum SaveOutcome
{
    /// <summary>The order was written: it is new, or newer than the stored version.</summary>
    Stored,

    /// <summary>The same version (same timestamp, same content) is already stored: a redelivery. Nothing written.</summary>
    Duplicate,

    /// <summary>A newer version is already stored. Nothing written.</summary>
    Stale,

    /// <summary>
    /// Another version with the same timestamp met this one: the one with the greater fingerprint is kept
    /// (<see cref="SaveResult.Replaced"/> says whether that is this one), whatever the arrival order.
    /// </summary>
    Conflict,
}
