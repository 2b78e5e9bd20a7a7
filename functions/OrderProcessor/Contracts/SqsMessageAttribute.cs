using System.Text.Json.Serialization;

namespace OrderProcessor.Contracts;

/// <summary>A message attribute of an <see cref="SqsMessage"/>; binary values are base64 on the wire.</summary>
public sealed record SqsMessageAttribute
{
    [JsonPropertyName("stringValue")]
    public string? StringValue { get; init; }

    [JsonPropertyName("binaryValue")]
    public byte[]? BinaryValue { get; init; }

    [JsonPropertyName("stringListValues")]
    public IReadOnlyList<string>? StringListValues { get; init; }

    [JsonPropertyName("binaryListValues")]
    public IReadOnlyList<byte[]>? BinaryListValues { get; init; }

    [JsonPropertyName("dataType")]
    public string? DataType { get; init; }
}
