using System.Text.Json.Serialization;

namespace OrderProcessor.Contracts;

/// <summary>The event that Lambda's SQS event source mapping delivers: a batch of messages.</summary>
public sealed record SqsEvent
{
    [JsonPropertyName("Records")]
    public IReadOnlyList<SqsMessage>? Records { get; init; }
}
