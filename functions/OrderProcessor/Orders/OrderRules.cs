using System.Text;

namespace OrderProcessor.Orders;

/// <summary>
/// The limits an order must meet. The README's contract section and <c>docs/asyncapi.yaml</c> give each with
/// its reason; the corpus (<c>tests/corpus/messages.json</c>) holds a case at and past every limit, so the
/// function and the published schema cannot drift apart unnoticed.
/// </summary>
public static class OrderRules
{
    /// <summary>
    /// Most UTF-8 bytes in <c>orderId</c> and <c>userId</c>. They are opaque: any text a producer uses, up to
    /// half of what DynamoDB allows in a partition key (2,048 bytes), which leaves room for a composite key later.
    /// </summary>
    public const int MaxIdBytes = 1024;

    /// <summary>Most characters (Unicode code points, as JSON Schema counts them) in <c>itemName</c>.</summary>
    public const int MaxItemNameCharacters = 1024;

    /// <summary>Most characters (Unicode code points) in <c>status</c>.</summary>
    public const int MaxStatusCharacters = 64;

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

    /// <summary>How a text field is judged.</summary>
    public enum TextKind
    {
        /// <summary>A key or a value people filter on (ids, status): no white space at either end.</summary>
        Identifier,

        /// <summary>Display text (<c>itemName</c>): white space at the ends is kept as sent.</summary>
        DisplayText,
    }

    /// <summary>
    /// The first problem with a text field, or null when it is acceptable. Checked in this order: empty, too
    /// long, unpaired surrogate, control character (C0, DEL, C1: they break lines and terminals), bidirectional
    /// embedding/override/isolate mark (they make text display as something else), blank, and for identifiers
    /// white space at either end (almost always a producer's bug; it would make a second order that looks like
    /// the first in every console, and trimming would silently change a key).
    /// </summary>
    /// <param name="maxUtf8Bytes">The limit in UTF-8 bytes, or 0 to count characters instead.</param>
    /// <param name="maxCharacters">The limit in Unicode code points, or 0 to count bytes instead.</param>
    public static string? CheckText(string value, TextKind kind, int maxUtf8Bytes, int maxCharacters)
    {
        if (value.Length == 0)
        {
            return "is empty";
        }

        if (maxUtf8Bytes > 0)
        {
            // Counted before the surrogate check: GetByteCount replaces an unpaired surrogate, which is rejected next anyway.
            var bytes = Encoding.UTF8.GetByteCount(value);
            if (bytes > maxUtf8Bytes)
            {
                return $"is {bytes} UTF-8 bytes, more than the {maxUtf8Bytes} allowed";
            }
        }

        if (maxCharacters > 0)
        {
            // Code points, as JSON Schema's maxLength counts them (an unpaired surrogate counts as one; it is rejected next).
            var characters = value.Length;
            for (var i = 0; i + 1 < value.Length; i++)
            {
                if (char.IsSurrogatePair(value[i], value[i + 1]))
                {
                    characters--;
                    i++;
                }
            }

            if (characters > maxCharacters)
            {
                return $"is {characters} characters, more than the {maxCharacters} allowed";
            }
        }

        var blank = true;
        for (var i = 0; i < value.Length; i++)
        {
            var c = value[i];
            if (char.IsSurrogate(c))
            {
                if (!char.IsHighSurrogate(c) || i + 1 == value.Length || !char.IsLowSurrogate(value[i + 1]))
                {
                    return "contains an unpaired surrogate";
                }

                i++;
                blank = false;
                continue;
            }

            if (char.IsControl(c))
            {
                return $"contains a control character (U+{(int)c:X4})";
            }

            if (c is >= '\u202A' and <= '\u202E' or >= '\u2066' and <= '\u2069')
            {
                return $"contains a bidirectional embedding, override or isolate mark (U+{(int)c:X4})";
            }

            blank &= IsWhiteSpace(c);
        }

        if (blank)
        {
            return "is blank";
        }

        if (kind == TextKind.Identifier && (IsWhiteSpace(value[0]) || IsWhiteSpace(value[^1])))
        {
            return "must not begin or end with white space";
        }

        return null;
    }

    /// <summary>
    /// White space exactly as ECMAScript's <c>\s</c> defines it (WhiteSpace and LineTerminator), which is what
    /// the published JSON Schema's patterns use; .NET's <see cref="char.IsWhiteSpace(char)"/> differs at
    /// U+0085 and U+FEFF.
    /// </summary>
    public static bool IsWhiteSpace(char c) => c switch
    {
        >= '\u0009' and <= '\u000D' => true,
        '\u0020' or '\u00A0' or '\u1680' or '\u2028' or '\u2029' or '\u202F' or '\u205F' or '\u3000' or '\uFEFF' => true,
        >= '\u2000' and <= '\u200A' => true,
        _ => false,
    };
}
