using System.Text.Json;

namespace OrderProcessor.Processing;

/// <summary>
/// The invocation's metrics as one CloudWatch Embedded Metric Format document
/// (https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/CloudWatch_Embedded_Metric_Format_Specification.html):
/// namespace <see cref="Namespace"/>, dimension <c>FunctionName</c>, a count per outcome (zeros included, so sums and
/// rates are right), <c>BatchSize</c>, and <c>OrderAgeMs</c>, each record's time from SQS's SentTimestamp to its outcome
/// (a value per record, up to EMF's 100; declared only when there is one). The names are the stack's too
/// (infra/function-contract.ts: the alarms, the dashboard and the local status line read them; a test holds them equal).
/// <see cref="OrderLog"/> frames the document as a log line.
/// </summary>
public static class MetricsDocument
{
    /// <summary>The metrics' CloudWatch namespace.</summary>
    public const string Namespace = "OrderPipeline";

    /// <summary>The one dimension, whose value is the function's name.</summary>
    public const string Dimension = "FunctionName";

    public const string BatchSize = "BatchSize";

    public const string OrderAge = "OrderAgeMs";

    /// <summary>EMF takes at most 100 values per metric in one document; past it, the largest ages are kept (they matter for p99).</summary>
    public const int MaxValues = 100;

    /// <summary>The metric name of an outcome: <c>Stored</c>, <c>Duplicate</c>, …</summary>
    public static string MetricName(RecordOutcome outcome) => outcome.ToString();

    /// <summary>Writes the document's fields into the line's JSON object.</summary>
    public static void Write(Utf8JsonWriter json, OutcomeCounts counts, IReadOnlyList<double> orderAgesMs, string functionName, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(json);
        ArgumentNullException.ThrowIfNull(counts);
        var ages = orderAgesMs.Count > MaxValues ? orderAgesMs.OrderDescending().Take(MaxValues).ToList() : orderAgesMs;
        json.WriteStartObject("_aws");
        json.WriteNumber("Timestamp", now.ToUnixTimeMilliseconds());
        json.WriteStartArray("CloudWatchMetrics");
        json.WriteStartObject();
        json.WriteString("Namespace", Namespace);
        json.WriteStartArray("Dimensions");
        json.WriteStartArray();
        json.WriteStringValue(Dimension);
        json.WriteEndArray();
        json.WriteEndArray();
        json.WriteStartArray("Metrics");
        foreach (var outcome in Enum.GetValues<RecordOutcome>())
        {
            Definition(json, MetricName(outcome), "Count");
        }

        Definition(json, BatchSize, "Count");
        if (ages.Count > 0)
        {
            Definition(json, OrderAge, "Milliseconds");
        }

        json.WriteEndArray();
        json.WriteEndObject();
        json.WriteEndArray();
        json.WriteEndObject();
        json.WriteString(Dimension, functionName);
        foreach (var outcome in Enum.GetValues<RecordOutcome>())
        {
            json.WriteNumber(MetricName(outcome), counts[outcome]);
        }

        json.WriteNumber(BatchSize, counts.Total);
        if (ages.Count > 0)
        {
            json.WriteStartArray(OrderAge);
            foreach (var age in ages)
            {
                json.WriteNumberValue(Math.Round(age, 1));
            }

            json.WriteEndArray();
        }
    }

    private static void Definition(Utf8JsonWriter json, string name, string unit)
    {
        json.WriteStartObject();
        json.WriteString("Name", name);
        json.WriteString("Unit", unit);
        json.WriteEndObject();
    }
}
