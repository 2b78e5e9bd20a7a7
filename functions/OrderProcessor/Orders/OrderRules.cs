namespace OrderProcessor.Orders;

/// <summary>The limits an order must meet. The README's "Order rules" section lists them for users.</summary>
public static class OrderRules
{
    /// <summary>Most characters in <c>orderId</c> and <c>userId</c>.</summary>
    public const int MaxIdLength = 128;

    /// <summary>Most characters (UTF-16 code units) in <c>itemName</c>.</summary>
    public const int MaxItemNameLength = 256;

    /// <summary>Most characters in <c>status</c>.</summary>
    public const int MaxStatusLength = 32;

    /// <summary>Largest <c>quantity</c>.</summary>
    public const int MaxQuantity = 1_000_000;

    /// <summary>Largest order JSON, in UTF-8 bytes (after unwrapping the SNS envelope).</summary>
    public const int MaxOrderBytes = 64 * 1024;

    /// <summary>Deepest JSON nesting accepted anywhere in an order (unknown fields included).</summary>
    public const int MaxDepth = 16;

    /// <summary>Earliest accepted <c>timestamp</c> (inclusive).</summary>
    public static readonly DateTimeOffset EarliestTimestamp = new(2000, 1, 1, 0, 0, 0, TimeSpan.Zero);

    /// <summary>Latest accepted <c>timestamp</c> (exclusive).</summary>
    public static readonly DateTimeOffset LatestTimestamp = new(2100, 1, 1, 0, 0, 0, TimeSpan.Zero);

    /// <summary>
    /// Identifiers (<c>orderId</c>, <c>userId</c>, <c>status</c>) are ASCII letters, digits and <c>- _ . :</c>:
    /// they become keys and log fields, so nothing in them may look like a separator, a quote or a new line.
    /// </summary>
    public static bool IsIdentifier(string value, int maxLength)
    {
        if (value.Length == 0 || value.Length > maxLength)
        {
            return false;
        }

        foreach (var c in value)
        {
            if (!(char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.' or ':'))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>
    /// Free text (<c>itemName</c>): any Unicode but control characters and the bidirectional embedding,
    /// override and isolate marks (they can make a stored name display as something else), not blank,
    /// within the limit.
    /// </summary>
    public static bool IsText(string value, int maxLength)
    {
        if (value.Length == 0 || value.Length > maxLength || string.IsNullOrWhiteSpace(value))
        {
            return false;
        }

        foreach (var c in value)
        {
            if (char.IsControl(c) || c is >= '\u202A' and <= '\u202E' or >= '\u2066' and <= '\u2069')
            {
                return false;
            }
        }

        return true;
    }
}
