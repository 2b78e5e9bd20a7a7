using System.Buffers;
using System.Globalization;
using System.Text;
using System.Text.Json;

namespace OrderProcessor.Runtime;

/// <summary>
/// One line of the function's log as Lambda's JSON log format reads it: a JSON object whose <c>timestamp</c> is
/// RFC 3339 and whose <c>level</c> is one of Lambda's six. Lambda's log-level filter counts a line without a valid
/// <c>level</c>, or without a valid <c>timestamp</c>, as INFO, so at <c>logLevel</c> WARN or above such a line would be
/// dropped (https://docs.aws.amazon.com/lambda/latest/dg/monitoring-cloudwatchlogs-log-level.html). Every line the
/// function, its runtime loop and the managed bootstrap write starts here.
/// </summary>
public static class LogLine
{
    /// <summary>Lambda's level names, as the log-level page and <c>AWS_LAMBDA_LOG_LEVEL</c> spell them.</summary>
    public const string Fatal = "FATAL";

    /// <summary>RFC 3339 in UTC with milliseconds: <c>2026-12-03T18:12:05.123Z</c>.</summary>
    public static string Timestamp(DateTimeOffset time) =>
        time.UtcDateTime.ToString("yyyy'-'MM'-'dd'T'HH':'mm':'ss'.'fff'Z'", CultureInfo.InvariantCulture);

    /// <summary>Writes the two fields every line starts with.</summary>
    public static void WriteHeader(Utf8JsonWriter json, string level, DateTimeOffset time)
    {
        ArgumentNullException.ThrowIfNull(json);
        json.WriteString("timestamp", Timestamp(time));
        json.WriteString("level", level);
    }

    /// <summary>A whole line: the header, <c>message</c>, then <paramref name="fields"/> (strings, escaped by the writer).</summary>
    public static string Format(string level, DateTimeOffset time, string message, params ReadOnlySpan<(string Name, string? Value)> fields)
    {
        var buffer = new ArrayBufferWriter<byte>(256);
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            WriteHeader(json, level, time);
            json.WriteString("message", message);
            foreach (var (name, value) in fields)
            {
                if (value is not null)
                {
                    json.WriteString(name, value);
                }
            }

            json.WriteEndObject();
        }

        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }
}
