using System.Globalization;

namespace OrderProcessor;

/// <summary>The function's configuration, read once from the environment at start-up.</summary>
public sealed record FunctionSettings
{
    /// <summary>Required: the DynamoDB table that stores orders.</summary>
    public const string TableNameVariable = "TABLE_NAME";

    /// <summary>Optional: records of one batch processed at once (default 10).</summary>
    public const string MaxConcurrencyVariable = "MAX_RECORD_CONCURRENCY";

    /// <summary>
    /// Optional: the function's timeout in seconds, as configured on the function (the stack sets it). With it,
    /// the function stops waiting on writes before Lambda would kill it, and reports the unfinished records
    /// as failed instead of losing the whole batch's answer to a timeout.
    /// </summary>
    public const string FunctionTimeoutVariable = "FUNCTION_TIMEOUT_SECONDS";

    public required string TableName { get; init; }

    public int MaxConcurrency { get; init; } = 10;

    /// <summary>The function's timeout; null when not configured (no time budget is enforced).</summary>
    public TimeSpan? FunctionTimeout { get; init; }

    /// <summary>
    /// How long one invocation may spend on writes: the timeout less a margin (a fifth of it, at most one
    /// second) to log and answer. Null without <see cref="FunctionTimeout"/>.
    /// </summary>
    public TimeSpan? InvocationBudget =>
        FunctionTimeout is { } timeout ? timeout - TimeSpan.FromTicks(Math.Min(timeout.Ticks / 5, TimeSpan.TicksPerSecond)) : null;

    /// <summary>Reads the settings; throws with a message that says what to set when one is missing or wrong.</summary>
    public static FunctionSettings FromEnvironment(Func<string, string?> read)
    {
        var tableName = read(TableNameVariable);
        if (string.IsNullOrWhiteSpace(tableName))
        {
            throw new InvalidOperationException(
                $"{TableNameVariable} is not set: set it to the name of the DynamoDB table that stores orders " +
                "(the Pulumi stack sets it on the function; npm run local sets it for the local pipeline).");
        }

        var concurrency = ReadWholeNumber(read, MaxConcurrencyVariable, 1, 100, "leave it unset for 10");
        var timeout = ReadWholeNumber(read, FunctionTimeoutVariable, 1, 900, "leave it unset for no time budget");
        return new FunctionSettings
        {
            TableName = tableName,
            MaxConcurrency = concurrency ?? 10,
            FunctionTimeout = timeout is { } seconds ? TimeSpan.FromSeconds(seconds) : null,
        };
    }

    private static int? ReadWholeNumber(Func<string, string?> read, string variable, int min, int max, string unset)
    {
        var text = read(variable);
        if (string.IsNullOrEmpty(text))
        {
            return null;
        }

        if (!int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var value) || value < min || value > max)
        {
            throw new InvalidOperationException($"{variable} is '{text}': set it to a whole number from {min} to {max}, or {unset}.");
        }

        return value;
    }
}
