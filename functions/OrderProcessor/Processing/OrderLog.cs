using System.Buffers;
using System.Text;
using System.Text.Json;
using OrderProcessor.Runtime;

namespace OrderProcessor.Processing;

/// <summary>
/// Writes one JSON line per record and one per batch, each with an RFC 3339 <c>timestamp</c>, a <c>level</c>
/// (<see cref="LogLine"/>: what Lambda's log-level filter reads), the invocation's request id, trace id, cold-start
/// flag and the function version, at a level filtered by <c>AWS_LAMBDA_LOG_LEVEL</c>; and frames the invocation's
/// CloudWatch Embedded Metric Format document (<see cref="MetricsDocument"/>) as a line at a level the filter keeps. Strings go through the JSON
/// writer's escaping, so no input can start a new log line or forge a field; a rejected body is written only as a
/// bounded prefix.
/// </summary>
/// <param name="writer">Standard output in Lambda: each line becomes a log event.</param>
/// <param name="bodyPrefixLength">Characters of a rejected body written at most.</param>
/// <param name="minimumLevel">Lines below it are not written.</param>
/// <param name="functionName">The metrics' dimension <c>FunctionName</c> (Lambda's <c>AWS_LAMBDA_FUNCTION_NAME</c>).</param>
/// <param name="functionVersion">Lambda's <c>AWS_LAMBDA_FUNCTION_VERSION</c>, on every line when known.</param>
public sealed class OrderLog(TextWriter writer, int bodyPrefixLength, LogLevel minimumLevel = LogLevel.Info, string functionName = "OrderProcessor", string? functionVersion = null)
{
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

    public void Batch(OutcomeCounts counts, TimeSpan duration)
    {
        ArgumentNullException.ThrowIfNull(counts);
        Write(counts.Reported == 0 ? LogLevel.Info : LogLevel.Warn, "order batch processed", json =>
        {
            json.WriteNumber("records", counts.Total);
            foreach (var outcome in Enum.GetValues<RecordOutcome>())
            {
                json.WriteNumber(OutcomeName(outcome), counts[outcome]);
            }

            json.WriteNumber("durationMs", Math.Round(duration.TotalMilliseconds, 3));
        });
    }

    /// <summary>A line about the function itself (priming, a visibility change), not about a record.</summary>
    public void Notice(LogLevel level, string message, TimeSpan duration) => Write(level, message, json =>
        json.WriteNumber("durationMs", Math.Round(duration.TotalMilliseconds, 3)));

    /// <summary>
    /// The invocation's metrics (<see cref="MetricsDocument"/>) as one line. Lambda's JSON log format drops a line below
    /// the configured level, and counts a line without a valid level or timestamp as INFO
    /// (https://docs.aws.amazon.com/lambda/latest/dg/monitoring-cloudwatchlogs-log-level.html), and CloudWatch extracts
    /// metrics only from the lines it keeps: the document carries the lowest level that passes at every allowed logLevel
    /// (INFO, or the configured level above it), so it is never dropped.
    /// </summary>
    public void Metrics(OutcomeCounts counts, IReadOnlyList<double> orderAgesMs, DateTimeOffset now) => WriteLine(json =>
    {
        LogLine.WriteHeader(json, LevelName(minimumLevel > LogLevel.Info ? minimumLevel : LogLevel.Info), now);
        MetricsDocument.Write(json, counts, orderAgesMs, functionName, now);
        WriteScope(json);
    });

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
