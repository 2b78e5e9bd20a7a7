namespace OrderProcessor.Processing;

/// <summary>
/// How long a record that failed for a transient reason stays invisible before its next receive: an exponential
/// backoff from the message's receive count, capped, with jitter so that the messages of one outage do not all
/// come back at once. The nominal delay of receive n is D(n) = min(max, base·2^(n−1)); the delay drawn is a whole
/// number of seconds from D(n) − ⌊D(n)/10⌋ to D(n) (a tenth of jitter, downwards only, so the cap holds).
/// infra/backoff.ts computes the same range, and from it the outage tolerance that the stack reports.
/// </summary>
/// <param name="BaseSeconds">D(1), the delay after the first failed receive.</param>
/// <param name="MaxSeconds">The cap; SQS allows at most <see cref="SqsMaxVisibilitySeconds"/>.</param>
public sealed record BackoffSchedule(int BaseSeconds, int MaxSeconds)
{
    /// <summary>The longest visibility timeout SQS accepts: 12 hours.</summary>
    public const int SqsMaxVisibilitySeconds = 43_200;

    /// <summary>D(n), in seconds. Receive counts below 1 count as 1.</summary>
    public int NominalSeconds(int receiveCount)
    {
        var cap = Math.Min(MaxSeconds, SqsMaxVisibilitySeconds);
        var exponent = Math.Clamp(receiveCount - 1, 0, 30);
        return (int)Math.Min(cap, (long)BaseSeconds << exponent);
    }

    /// <summary>The range a delay is drawn from, in whole seconds, both ends included.</summary>
    public (int Min, int Max) RangeSeconds(int receiveCount)
    {
        var nominal = NominalSeconds(receiveCount);
        return (nominal - (nominal / 10), nominal);
    }

    /// <summary>A delay for a record on its <paramref name="receiveCount"/>th receive; <paramref name="random"/> gives [0, 1).</summary>
    public int DelaySeconds(int receiveCount, Func<double> random)
    {
        var (min, max) = RangeSeconds(receiveCount);
        return Math.Min(max, min + (int)(random() * (max - min + 1)));
    }
}
