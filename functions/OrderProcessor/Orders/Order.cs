using System.Globalization;

namespace OrderProcessor.Orders;

/// <summary>A valid order, as stored. Only ever built by <see cref="OrderReader"/>, which enforces <see cref="OrderRules"/>.</summary>
public sealed record Order(
    string OrderId,
    string UserId,
    string ItemName,
    int Quantity,
    string Status,
    DateTimeOffset Timestamp)
{
    /// <summary>
    /// The timestamp in UTC, fixed width (<c>2025-05-03T12:00:00.0000000Z</c>), so that comparing the
    /// strings compares the instants: the store's "newer wins" condition relies on it.
    /// </summary>
    public string TimestampUtc => Timestamp.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fffffff'Z'", CultureInfo.InvariantCulture);
}
