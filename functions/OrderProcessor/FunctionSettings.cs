using System.Globalization;

namespace OrderProcessor;

/// <summary>The function's configuration, read once from the environment at start-up.</summary>
public sealed record FunctionSettings
{
    /// <summary>Required: the DynamoDB table that stores orders.</summary>
    public const string TableNameVariable = "TABLE_NAME";

    /// <summary>Optional: records of one batch processed at once (default 10).</summary>
    public const string MaxConcurrencyVariable = "MAX_RECORD_CONCURRENCY";

    public required string TableName { get; init; }

    public int MaxConcurrency { get; init; } = 10;

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

        var settings = new FunctionSettings { TableName = tableName };
        var concurrency = read(MaxConcurrencyVariable);
        if (string.IsNullOrEmpty(concurrency))
        {
            return settings;
        }

        if (!int.TryParse(concurrency, NumberStyles.None, CultureInfo.InvariantCulture, out var value) || value is < 1 or > 100)
        {
            throw new InvalidOperationException(
                $"{MaxConcurrencyVariable} is '{concurrency}': set it to a whole number from 1 to 100, or leave it unset for 10.");
        }

        return settings with { MaxConcurrency = value };
    }
}
