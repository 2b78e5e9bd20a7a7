namespace OrderProcessor.Processing;

/// <summary>How a batch is processed.</summary>
public sealed record ProcessingOptions
{
    /// <summary>The default of <see cref="MaxConcurrency"/>: 10, the largest batch without a batching window.</summary>
    public const int DefaultMaxConcurrency = 10;

    /// <summary>Records of one batch processed at once. Default <see cref="DefaultMaxConcurrency"/>.</summary>
    public int MaxConcurrency { get; init; } = DefaultMaxConcurrency;

    /// <summary>Characters of a rejected body written to the log, at most. Default 256.</summary>
    public int LoggedBodyPrefix { get; init; } = 256;
}
