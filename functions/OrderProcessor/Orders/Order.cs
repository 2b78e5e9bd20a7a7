using System.Buffers;
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
    /// <remarks>Formatted once, when the order is made: the item, the condition and the fingerprint all use it.</remarks>
    public string TimestampUtc { get; } = Timestamp.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fffffff'Z'", CultureInfo.InvariantCulture);

    /// <summary>
    /// SHA-256 (lower-case hex) of exactly what is stored: each field's UTF-8 bytes behind their length, in a
    /// fixed order, the timestamp in its stored form. Equal for a redelivery, different for another version
    /// with the same timestamp; the store keeps the greater one, so every arrival order ends with the same item.
    /// Unknown fields are not stored, so they are not part of it.
    /// </summary>
    /// <remarks>Computed on each call (about a microsecond), not cached: a cached field would take part in the record's equality.</remarks>
    public string ComputeFingerprint()
    {
        var timestamp = TimestampUtc;
        Span<char> quantity = stackalloc char[11];
        Quantity.TryFormat(quantity, out var quantityLength, provider: CultureInfo.InvariantCulture);
        quantity = quantity[..quantityLength];
        var size = 6 * sizeof(int)
            + Encoding.UTF8.GetByteCount(OrderId) + Encoding.UTF8.GetByteCount(UserId) + Encoding.UTF8.GetByteCount(ItemName)
            + Encoding.UTF8.GetByteCount(quantity) + Encoding.UTF8.GetByteCount(Status) + Encoding.UTF8.GetByteCount(timestamp);
        var buffer = ArrayPool<byte>.Shared.Rent(size);
        try
        {
            var written = 0;
            foreach (var field in (ReadOnlySpan<string>)[OrderId, UserId, ItemName])
            {
                written += Append(buffer.AsSpan(written), field);
            }

            written += Append(buffer.AsSpan(written), quantity);
            written += Append(buffer.AsSpan(written), Status);
            written += Append(buffer.AsSpan(written), timestamp);
            Span<byte> hash = stackalloc byte[SHA256.HashSizeInBytes];
            SHA256.HashData(buffer.AsSpan(0, written), hash);
            return Convert.ToHexStringLower(hash);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }

        // The field's UTF-8 bytes behind their length (big-endian), so no two field lists encode alike.
        static int Append(Span<byte> destination, ReadOnlySpan<char> field)
        {
            var length = Encoding.UTF8.GetBytes(field, destination[sizeof(int)..]);
            BinaryPrimitives.WriteInt32BigEndian(destination, length);
            return sizeof(int) + length;
        }
    }
}
