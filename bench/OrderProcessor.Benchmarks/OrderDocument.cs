using System.Text.Json.Serialization;

namespace OrderProcessor.Benchmarks;

/// <summary>The order's fields as plain System.Text.Json would read them: the floor's target type.</summary>
public sealed record OrderDocument(
    [property: JsonPropertyName("orderId")] string OrderId,
    [property: JsonPropertyName("userId")] string UserId,
    [property: JsonPropertyName("itemName")] string ItemName,
    [property: JsonPropertyName("quantity")] int Quantity,
    [property: JsonPropertyName("status")] string Status,
    [property: JsonPropertyName("timestamp")] DateTimeOffset Timestamp);

[JsonSerializable(typeof(OrderDocument))]
internal sealed partial class FloorJsonContext : JsonSerializerContext;
