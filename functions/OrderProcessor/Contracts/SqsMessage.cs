using System.Globalization;
using System.Text.Json.Serialization;

namespace OrderProcessor.Contracts;

/// <summary>One SQS message in an <see cref="SqsEvent"/>. Wire names are camelCase except <c>eventSourceARN</c>.</summary>
public sealed record SqsMessage
{
    [JsonPropertyName("messageId")]
    public string? MessageId { get; init; }

    [JsonPropertyName("receiptHandle")]
    public string? ReceiptHandle { get; init; }

    [JsonPropertyName("body")]
    public string? Body { get; init; }

    [JsonPropertyName("md5OfBody")]
    public string? Md5OfBody { get; init; }

    [JsonPropertyName("md5OfMessageAttributes")]
    public string? Md5OfMessageAttributes { get; init; }

    [JsonPropertyName("eventSourceARN")]
    public string? EventSourceArn { get; init; }

    [JsonPropertyName("eventSource")]
    public string? EventSource { get; init; }

    [JsonPropertyName("awsRegion")]
    public string? AwsRegion { get; init; }

    /// <summary>System attributes; every value is a string on the wire (<c>"ApproximateReceiveCount": "2"</c>).</summary>
    [JsonPropertyName("attributes")]
    public IReadOnlyDictionary<string, string>? Attributes { get; init; }

    [JsonPropertyName("messageAttributes")]
    public IReadOnlyDictionary<string, SqsMessageAttribute>? MessageAttributes { get; init; }

    /// <summary><c>ApproximateReceiveCount</c> as a number, or null when absent or not a number.</summary>
    [JsonIgnore]
    public int? ReceiveCount =>
        Attributes is not null
        && Attributes.TryGetValue("ApproximateReceiveCount", out var text)
        && int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var count)
            ? count
            : null;

    /// <summary><c>SentTimestamp</c> (Unix milliseconds: when SQS received the message), or null when absent or not a number.</summary>
    [JsonIgnore]
    public DateTimeOffset? SentAt =>
        Attributes is not null
        && Attributes.TryGetValue("SentTimestamp", out var text)
        && long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var ms)
            ? DateTimeOffset.FromUnixTimeMilliseconds(ms)
            : null;
}
