using System.Globalization;

namespace OrderProcessor;

/// <summary>
/// The function's configuration, read once from the environment at start-up: its own variables (below; the stack and
/// the local runner set them through infra/function-contract.ts, and a test holds the two lists equal) and Lambda's
/// (<see cref="Runtime.LambdaVariables"/>).
/// </summary>
public sealed record FunctionSettings
{
    /// <summary>Required: the DynamoDB table that stores orders.</summary>
    public const string TableNameVariable = "TABLE_NAME";

    /// <summary>Optional: records of one batch processed at once (default <see cref="Processing.ProcessingOptions.DefaultMaxConcurrency"/>).</summary>
    public const string MaxConcurrencyVariable = "MAX_RECORD_CONCURRENCY";

    /// <summary>
    /// Optional: the function's timeout in seconds, as configured on the function (the stack sets it). With it,
    /// the function stops waiting on writes before Lambda would kill it, and reports the unfinished records
    /// as failed instead of losing the whole batch's answer to a timeout.
    /// </summary>
    public const string FunctionTimeoutVariable = "FUNCTION_TIMEOUT_SECONDS";

    /// <summary>
    /// Optional, set by the stack with the two below: the order queue's URL. With them, failed records back off
    /// (<see cref="Processing.RetryScheduler"/>); without, they reappear after the queue's visibility timeout.
    /// </summary>
    public const string QueueUrlVariable = "ORDER_QUEUE_URL";

    /// <summary>The backoff's first delay, in seconds (the stack setting retryBackoffBaseSeconds).</summary>
    public const string BackoffBaseVariable = "RETRY_BACKOFF_BASE_SECONDS";

    /// <summary>The backoff's cap, in seconds (the stack setting retryBackoffMaxSeconds).</summary>
    public const string BackoffMaxVariable = "RETRY_BACKOFF_MAX_SECONDS";

    public required string TableName { get; init; }

    /// <summary>From Lambda's <c>AWS_LAMBDA_LOG_LEVEL</c> (the stack's logLevel): lines below it are not written.</summary>
    public Processing.LogLevel LogLevel { get; init; } = Processing.LogLevel.Info;

    /// <summary>From Lambda's <c>AWS_LAMBDA_FUNCTION_NAME</c>: the metrics' FunctionName dimension.</summary>
    public string FunctionName { get; init; } = "OrderProcessor";

    /// <summary>From Lambda's <c>AWS_LAMBDA_FUNCTION_VERSION</c>, on every log line.</summary>
    public string? FunctionVersion { get; init; }

    /// <summary>The order queue, for the visibility changes; null when backoff is off.</summary>
    public string? QueueUrl { get; init; }

    /// <summary>The backoff; null when backoff is off.</summary>
    public Processing.BackoffSchedule? Backoff { get; init; }

    public int MaxConcurrency { get; init; } = Processing.ProcessingOptions.DefaultMaxConcurrency;

    /// <summary>The function's timeout; null when not configured (no time budget is enforced).</summary>
    public TimeSpan? FunctionTimeout { get; init; }

    /// <summary>
    /// How long one invocation may spend on writes when only the configured timeout is known (the managed
    /// runtime): see <see cref="Budget"/>. Null without <see cref="FunctionTimeout"/>.
    /// </summary>
    public TimeSpan? InvocationBudget => FunctionTimeout is { } timeout ? Budget(timeout).Budget : null;

    /// <summary>
    /// The time an invocation may spend on writes out of the time it has: all of it less a margin to log and
    /// answer (a fifth, at most one second). The custom runtime knows the time left from the Runtime API's
    /// deadline; the managed runtime from <see cref="FunctionTimeoutVariable"/>.
    /// </summary>
    public static (TimeSpan Budget, TimeSpan Margin) Budget(TimeSpan available)
    {
        if (available <= TimeSpan.Zero)
        {
            return (TimeSpan.Zero, TimeSpan.Zero);
        }

        var margin = TimeSpan.FromTicks(Math.Min(available.Ticks / 5, TimeSpan.TicksPerSecond));
        return (available - margin, margin);
    }

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

        var concurrency = ReadWholeNumber(read, MaxConcurrencyVariable, 1, 100, $"leave it unset for {Processing.ProcessingOptions.DefaultMaxConcurrency}");
        var timeout = ReadWholeNumber(read, FunctionTimeoutVariable, 1, 900, "leave it unset for no time budget");
        var queueUrl = read(QueueUrlVariable);
        var backoffBase = ReadWholeNumber(read, BackoffBaseVariable, 1, Processing.BackoffSchedule.SqsMaxVisibilitySeconds, "set it with the other two");
        var backoffMax = ReadWholeNumber(read, BackoffMaxVariable, backoffBase ?? 1, Processing.BackoffSchedule.SqsMaxVisibilitySeconds, $"at least {BackoffBaseVariable}; set it with the other two");
        var backoffSet = new[] { string.IsNullOrEmpty(queueUrl), backoffBase is null, backoffMax is null };
        if (backoffSet.Distinct().Count() > 1)
        {
            throw new InvalidOperationException(
                $"{QueueUrlVariable}, {BackoffBaseVariable} and {BackoffMaxVariable} go together: set all three for backoff of failed records " +
                "(the Pulumi stack and npm run local do), or none for the queue's own visibility timeout.");
        }

        return new FunctionSettings
        {
            TableName = tableName,
            LogLevel = Processing.OrderLog.ParseLevel(read(Runtime.LambdaVariables.LogLevel)),
            FunctionName = read(Runtime.LambdaVariables.FunctionName) is { Length: > 0 } name ? name : "OrderProcessor",
            FunctionVersion = read(Runtime.LambdaVariables.FunctionVersion) is { Length: > 0 } version ? version : null,
            QueueUrl = string.IsNullOrEmpty(queueUrl) ? null : queueUrl,
            Backoff = backoffBase is { } first && backoffMax is { } cap ? new Processing.BackoffSchedule(first, cap) : null,
            MaxConcurrency = concurrency ?? Processing.ProcessingOptions.DefaultMaxConcurrency,
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
