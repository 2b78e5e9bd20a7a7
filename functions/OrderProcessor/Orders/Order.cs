using System.Buffers.Binary;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;

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

    /// <summary>
    /// SHA-256 (lower-case hex) of exactly what is stored: each field's UTF-8 bytes behind their length, in a
    /// fixed order, the timestamp in its stored form. Equal for a redelivery, different for another version
    /// with the same timestamp; the store keeps the greater one, so every arrival order ends with the same item.
    /// Unknown fields are not stored, so they are not part of it.
    /// </summary>
    /// <remarks>Computed on each call (about a microsecond), not cached: a cached field would take part in the record's equality.</remarks>
    public string ComputeFingerprint()
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        Span<byte> length = stackalloc byte[4];
        foreach (var field in (ReadOnlySpan<string>)[OrderId, UserId, ItemName, Quantity.ToString(CultureInfo.InvariantCulture), Status, TimestampUtc])
        {
            var bytes = Encoding.UTF8.GetBytes(field);
            BinaryPrimitives.WriteInt32BigEndian(length, bytes.Length);
            hash.AppendData(length);
            hash.AppendData(bytes);
        }

        return Convert.ToHexStringLower(hash.GetHashAndReset());
    }
}
