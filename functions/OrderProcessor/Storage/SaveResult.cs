namespace OrderProcessor.Storage;

/// <summary>The outcome of a write and, for a <see cref="SaveOutcome.Conflict"/>, the version it met.</summary>
/// <param name="Outcome">What the write did.</param>
/// <param name="OtherFingerprint">For a conflict: the fingerprint of the other version with the same timestamp.</param>
/// <param name="Replaced">For a conflict: true when this version was written over the other, false when the other was kept.</param>
public readonly record struct SaveResult(SaveOutcome Outcome, string? OtherFingerprint = null, bool Replaced = false)
{
    public static implicit operator SaveResult(SaveOutcome outcome) => new(outcome);
}
