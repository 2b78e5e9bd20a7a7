using System.Buffers;
using System.Text;
using System.Text.Json;
using OrderProcessor.Runtime;

namespace OrderProcessor.Processing;

/// <summary>
/// Writes one JSON line per record and one per batch, each with an RFC 3339 <c>timestamp</c>, a <c>level</c>
/// (<see cref="LogLine"/>: what Lambda's log-level filter reads), the invocation's request id, trace id, cold-start
/// flag and the function version, at a level filtered by <c>AWS_LAMBDA_LOG_LEVEL</c>; and one CloudWatch Embedded
/// Metric Format document per invocation (<see cref="Metrics"/>), at a level the filter keeps. Strings go through the JSON
/// writer's escaping, so no input can start a new log line or forge a field; a rejected body is written only as a
/// bounded prefix.
/// </summary>
/// <param name="writer">Standard output in Lambda: each line becomes a log event.</param>
/// <param name="bodyPrefixLength">Characters of a rejected body written at most.</param>
/// <param name="minimumLevel">Lines below it are not written.</param>
/// <param name="functionName">The EMF dimension <c>FunctionName</c> (Lambda's <c>AWS_LAMBDA_FUNCTION_NAME</c>).</param>
/// <param name="functionVersion">Lambda's <c>AWS_LAMBDA_FUNCTION_VERSION</c>, on every line when known.</param>
public sealed class OrderLog(TextWriter writer, int bodyPrefixLength, LogLevel minimumLevel = LogLevel.Info, string functionName = "OrderProcessor", string? functionVersion = null)
{
    /// <summary>The metrics' CloudWatch namespace.</summary>
    public const string Namespace = "OrderPipeline";

    private readonly Lock _gate = new();
    private InvocationScope? _scope;

    /// <summary>Sets what the lines of the invocation that starts now carry (one invocation at a time per environment).</summary>
    public void Begin(InvocationScope scope) => _scope = scope;

    public void Record(RecordReport report)
    {
        var level = report.Outcome switch
        {
            RecordOutcome.Invalid => LogLevel.Warn,
            RecordOutcome.Failed => LogLevel.Error,
            _ => LogLevel.Info,
        };

        Write(level, "order record processed", json =>
        {
            json.WriteString("messageId", report.MessageId);
            if (report.SnsMessageId is not null)
            {
                json.WriteString("snsMessageId", report.SnsMessageId);
            }

            if (report.OrderId is not null)
            {
                json.WriteString("orderId", report.OrderId);
            }

            json.WriteString("outcome", OutcomeName(report.Outcome));
            if (report.Conflict is var (fingerprint, save))
            {
                json.WriteString("fingerprint", fingerprint);
                json.WriteString("storedFingerprint", save.OtherFingerprint);
                json.WriteString("kept", save.Replaced ? "this version" : "the stored version");
            }

            if (report.Reason is not null)
            {
                json.WriteString("reason", report.Reason);
            }

            if (report.ReceiveCount is { } count)
            {
                json.WriteNumber("receiveCount", count);
            }

            if (report.RetryAfterSeconds is { } retry)
            {
                json.WriteNumber("retryAfterSeconds", retry);
            }

            json.WriteNumber("durationMs", Math.Round(report.Duration.TotalMilliseconds, 3));
            if (report.RejectedBody is not null)
            {
                json.WriteNumber("bodyLength", report.RejectedBody.Length);
                json.WriteString("bodyPrefix", Prefix(report.RejectedBody, bodyPrefixLength));
            }
        });
    }

    public void Batch(IReadOnlyList<RecordOutcome> outcomes, TimeSpan duration)
    {
        var counts = new int[Enum.GetValues<RecordOutcome>().Length];
        foreach (var outcome in outcomes)
        {
            counts[(int)outcome]++;
        }

        var failed = counts[(int)RecordOutcome.Invalid] + counts[(int)RecordOutcome.Failed];
        Write(failed == 0 ? LogLevel.Info : LogLevel.Warn, "order batch processed", json =>
        {
            json.WriteNumber("records", outcomes.Count);
            json.WriteNumber("stored", counts[(int)RecordOutcome.Stored]);
            json.WriteNumber("duplicate", counts[(int)RecordOutcome.Duplicate]);
            json.WriteNumber("stale", counts[(int)RecordOutcome.Stale]);
            json.WriteNumber("conflict", counts[(int)RecordOutcome.Conflict]);
            json.WriteNumber("invalid", counts[(int)RecordOutcome.Invalid]);
            json.WriteNumber("failed", counts[(int)RecordOutcome.Failed]);
            json.WriteNumber("durationMs", Math.Round(duration.TotalMilliseconds, 3));
        });
    }

    /// <summary>A line about the function itself (priming, a visibility change), not about a record.</summary>
    public void Notice(LogLevel level, string message, TimeSpan duration) => Write(level, message, json =>
        json.WriteNumber("durationMs", Math.Round(duration.TotalMilliseconds, 3)));

    /// <summary>
    /// The invocation's metrics as one EMF document
    /// (https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/CloudWatch_Embedded_Metric_Format_Specification.html):
    /// namespace <see cref="Namespace"/>, dimension <c>FunctionName</c>, a count per outcome (zeros included, so sums
    /// and rates are right), <c>BatchSize</c>, and <c>OrderAgeMs</c>, each record's time from SQS's SentTimestamp to
    /// its outcome (a value per record, up to EMF's 100; declared only when there is one). Written at any level.
    /// </summary>
    public void Metrics(IReadOnlyList<RecordOutcome> outcomes, IReadOnlyList<double> orderAgesMs, DateTimeOffset now)
    {
        var counts = new int[Enum.GetValues<RecordOutcome>().Length];
        foreach (var outcome in outcomes)
        {
            counts[(int)outcome]++;
        }

        var ages = orderAgesMs.Count > MaxEmfValues ? orderAgesMs.OrderDescending().Take(MaxEmfValues).ToList() : orderAgesMs;
        WriteLine(json =>
        {
            // Lambda's JSON log format drops a line below the configured level, and counts a line without a valid level
            // or timestamp as INFO (https://docs.aws.amazon.com/lambda/latest/dg/monitoring-cloudwatchlogs-log-level.html),
            // and CloudWatch extracts metrics only from the lines it keeps: the document carries the lowest level that
            // passes at every allowed logLevel (INFO, or the configured level above it), so it is never dropped.
            LogLine.WriteHeader(json, LevelName(minimumLevel > LogLevel.Info ? minimumLevel : LogLevel.Info), now);
            json.WriteStartObject("_aws");
            json.WriteNumber("Timestamp", now.ToUnixTimeMilliseconds());
            json.WriteStartArray("CloudWatchMetrics");
            json.WriteStartObject();
            json.WriteString("Namespace", Namespace);
            json.WriteStartArray("Dimensions");
            json.WriteStartArray();
            json.WriteStringValue("FunctionName");
            json.WriteEndArray();
            json.WriteEndArray();
            json.WriteStartArray("Metrics");
            foreach (var outcome in Enum.GetValues<RecordOutcome>())
            {
                MetricDefinition(json, MetricName(outcome), "Count");
            }

            MetricDefinition(json, "BatchSize", "Count");
            if (ages.Count > 0)
            {
                MetricDefinition(json, "OrderAgeMs", "Milliseconds");
            }

            json.WriteEndArray();
            json.WriteEndObject();
            json.WriteEndArray();
            json.WriteEndObject();
            json.WriteString("FunctionName", functionName);
            foreach (var outcome in Enum.GetValues<RecordOutcome>())
            {
                json.WriteNumber(MetricName(outcome), counts[(int)outcome]);
            }

            json.WriteNumber("BatchSize", outcomes.Count);
            if (ages.Count > 0)
            {
                json.WriteStartArray("OrderAgeMs");
                foreach (var age in ages)
                {
                    json.WriteNumberValue(Math.Round(age, 1));
                }

                json.WriteEndArray();
            }

            WriteScope(json);
        });
    }

    /// <summary>EMF takes at most 100 values per metric in one document; past it, the largest ages are kept (they matter for p99).</summary>
    public const int MaxEmfValues = 100;

    /// <summary>The metric name of an outcome: <c>Stored</c>, <c>Duplicate</c>, …</summary>
    public static string MetricName(RecordOutcome outcome) => outcome.ToString();

    /// <summary>Reads <c>AWS_LAMBDA_LOG_LEVEL</c>; unset or unknown means INFO, Lambda's default.</summary>
    public static LogLevel ParseLevel(string? text) => text?.ToUpperInvariant() switch
    {
        "TRACE" => LogLevel.Trace,
        "DEBUG" => LogLevel.Debug,
        "WARN" => LogLevel.Warn,
        "ERROR" => LogLevel.Error,
        "FATAL" => LogLevel.Fatal,
        _ => LogLevel.Info,
    };

    /// <summary>A level as Lambda spells it: <c>TRACE</c>, <c>DEBUG</c>, <c>INFO</c>, <c>WARN</c>, <c>ERROR</c>, <c>FATAL</c>.</summary>
    public static string LevelName(LogLevel level) => level switch
    {
        LogLevel.Trace => "TRACE",
        LogLevel.Debug => "DEBUG",
        LogLevel.Info => "INFO",
        LogLevel.Warn => "WARN",
        LogLevel.Error => "ERROR",
        LogLevel.Fatal => LogLine.Fatal,
        _ => throw new ArgumentOutOfRangeException(nameof(level), level, null),
    };

    private static void MetricDefinition(Utf8JsonWriter json, string name, string unit)
    {
        json.WriteStartObject();
        json.WriteString("Name", name);
        json.WriteString("Unit", unit);
        json.WriteEndObject();
    }

    /// <summary>The lower-case name of an outcome, as logged.</summary>
    public static string OutcomeName(RecordOutcome outcome) => outcome switch
    {
        RecordOutcome.Stored => "stored",
        RecordOutcome.Duplicate => "duplicate",
        RecordOutcome.Stale => "stale",
        RecordOutcome.Conflict => "conflict",
        RecordOutcome.Invalid => "invalid",
        RecordOutcome.Failed => "failed",
        _ => throw new ArgumentOutOfRangeException(nameof(outcome), outcome, null),
    };

    /// <summary>At most <paramref name="length"/> characters, never ending in half a surrogate pair.</summary>
    internal static string Prefix(string text, int length)
    {
        if (text.Length <= length)
        {
            return text;
        }

        var end = length > 0 && char.IsHighSurrogate(text[length - 1]) ? length - 1 : length;
        return text[..end];
    }

    private void Write(LogLevel level, string message, Action<Utf8JsonWriter> fields)
    {
        if (level < minimumLevel)
        {
            return;
        }

        WriteLine(json =>
        {
            LogLine.WriteHeader(json, LevelName(level), DateTimeOffset.UtcNow);
            json.WriteString("message", message);
            WriteScope(json);
            fields(json);
        });
    }

    private void WriteScope(Utf8JsonWriter json)
    {
        if (_scope is { } scope)
        {
            if (scope.RequestId is not null)
            {
                json.WriteString("requestId", scope.RequestId);
            }

            if (scope.TraceId is not null)
            {
                json.WriteString("traceId", scope.TraceId);
            }

            json.WriteBoolean("coldStart", scope.ColdStart);
        }

        if (functionVersion is not null)
        {
            json.WriteString("functionVersion", functionVersion);
        }
    }

    private void WriteLine(Action<Utf8JsonWriter> fields)
    {
        var buffer = new ArrayBufferWriter<byte>(256);
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            fields(json);
            json.WriteEndObject();
        }

        var line = Encoding.UTF8.GetString(buffer.WrittenSpan);
        lock (_gate)
        {
            writer.WriteLine(line);
        }
    }
}
