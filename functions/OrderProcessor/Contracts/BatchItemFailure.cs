using System.Text.Json.Serialization;

namespace OrderProcessor.Contracts;

/// <summary>One failed message of a batch, named by its SQS message id.</summary>
public sealed record BatchItemFailure
{
    [JsonPropertyName("itemIdentifier")]
    public required string ItemIdentifier { get; init; }
}
