using System.Buffers;
using System.Text;
using System.Text.Json;

namespace OrderProcessor.Processing;

/// <summary>
/// Writes one JSON line per record and one per batch. Strings go through the JSON writer's escaping, so no
/// input can start a new log line or forge a field; a rejected body is written only as a bounded prefix.
/// </summary>
public sealed class OrderLog(TextWriter writer, int bodyPrefixLength)
{
    private readonly Lock _gate = new();

    public void Record(RecordReport report)
    {
        var level = report.Outcome switch
        {
            RecordOutcome.Invalid => "WARN",
            RecordOutcome.Failed => "ERROR",
            _ => "INFO",
        };

        Write(json =>
        {
            json.WriteString("level", level);
            json.WriteString("message", "order record processed");
            json.WriteString("messageId", report.MessageId);
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
        Write(json =>
        {
            json.WriteString("level", failed == 0 ? "INFO" : "WARN");
            json.WriteString("message", "order batch processed");
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

    /// <summary>A line about the function itself (priming, for one), not about a record.</summary>
    public void Notice(string level, string message, TimeSpan duration) => Write(json =>
    {
        json.WriteString("level", level);
        json.WriteString("message", message);
        json.WriteNumber("durationMs", Math.Round(duration.TotalMilliseconds, 3));
    });

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

    private void Write(Action<Utf8JsonWriter> fields)
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
