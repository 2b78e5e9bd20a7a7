using System.Text.Json.Serialization;

namespace OrderProcessor.Contracts;

/// <summary>
/// The JSON that SNS writes into an SQS message body when raw message delivery is off. The order travels
/// as a JSON string in <see cref="Message"/>. Note the capitals in <c>SigningCertURL</c> and
/// <c>UnsubscribeURL</c>: that is how SNS spells them in SQS bodies (not in SNS-to-Lambda events).
/// </summary>
public sealed record SnsEnvelope
{
    /// <summary>The value SNS puts in <see cref="Type"/> for a published message.</summary>
    public const string NotificationType = "Notification";

    [JsonPropertyName("Type")]
    public string? Type { get; init; }

    [JsonPropertyName("MessageId")]
    public string? MessageId { get; init; }

    [JsonPropertyName("TopicArn")]
    public string? TopicArn { get; init; }

    /// <summary>Absent or null when the publisher set no subject.</summary>
    [JsonPropertyName("Subject")]
    public string? Subject { get; init; }

    [JsonPropertyName("Message")]
    public string? Message { get; init; }

    [JsonPropertyName("Timestamp")]
    public DateTimeOffset? Timestamp { get; init; }

    [JsonPropertyName("SignatureVersion")]
    public string? SignatureVersion { get; init; }

    [JsonPropertyName("Signature")]
    public string? Signature { get; init; }

    [JsonPropertyName("SigningCertURL")]
    public string? SigningCertUrl { get; init; }

    [JsonPropertyName("UnsubscribeURL")]
    public string? UnsubscribeUrl { get; init; }

    [JsonPropertyName("MessageAttributes")]
    public IReadOnlyDictionary<string, SnsMessageAttribute>? MessageAttributes { get; init; }
}
