namespace OrderProcessor.Processing;

/// <summary>How a batch is processed.</summary>
public sealed record ProcessingOptions
{
    /// <summary>Records of one batch processed at once. Default 10 (the largest batch without a batching window).</summary>
    public int MaxConcurrency { get; init; } = 10;

    /// <summary>Characters of a rejected body written to the log, at most. Default 256.</summary>
    public int LoggedBodyPrefix { get; init; } = 256;
}
