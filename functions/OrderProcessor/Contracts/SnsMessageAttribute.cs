using System.Text.Json.Serialization;

namespace OrderProcessor.Contracts;

/// <summary>A message attribute inside an <see cref="SnsEnvelope"/>.</summary>
public sealed record SnsMessageAttribute
{
    [JsonPropertyName("Type")]
    public string? Type { get; init; }

    [JsonPropertyName("Value")]
    public string? Value { get; init; }
}
