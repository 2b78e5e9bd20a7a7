namespace OrderProcessor.Processing;

/// <summary>How many records of a batch had each outcome: counted once per batch, for the batch's log line and its metrics.</summary>
public sealed class OutcomeCounts
{
    private readonly int[] _counts = new int[Enum.GetValues<RecordOutcome>().Length];

    private OutcomeCounts()
    {
    }

    /// <summary>Records in the batch.</summary>
    public int Total { get; private init; }

    /// <summary>Records with this outcome.</summary>
    public int this[RecordOutcome outcome] => _counts[(int)outcome];

    /// <summary>Records reported back as failures (invalid or failed).</summary>
    public int Reported => this[RecordOutcome.Invalid] + this[RecordOutcome.Failed];

    public static OutcomeCounts Of(IReadOnlyList<RecordResult> results)
    {
        ArgumentNullException.ThrowIfNull(results);
        var counts = new OutcomeCounts { Total = results.Count };
        foreach (var result in results)
        {
            counts._counts[(int)result.Outcome]++;
        }

        return counts;
    }
}
