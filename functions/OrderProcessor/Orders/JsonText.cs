using System.Text.Json;

namespace OrderProcessor.Orders;

/// <summary>Comparisons of JSON text that hold for any valid JSON, escapes that make no valid UTF-16 included.</summary>
internal static class JsonText
{
    /// <summary>
    /// <see cref="Utf8JsonReader.ValueTextEquals(ReadOnlySpan{byte})"/>, except that a name or string whose escapes
    /// make invalid UTF-16 (a lone surrogate, <c>"\udc00"</c>: valid JSON, RFC 8259 section 8.2) equals no text instead
    /// of throwing <see cref="InvalidOperationException"/>: the texts compared here are ASCII. Found by npm run fuzz: a
    /// body whose first member's name was <c>"order\udc00…"</c> escaped the reader, and the record was logged
    /// <c>failed</c> and backed off as if the table were down, instead of <c>invalid</c>.
    /// </summary>
    public static bool ValueEquals(ref Utf8JsonReader reader, ReadOnlySpan<byte> text)
    {
        try
        {
            return reader.ValueTextEquals(text);
        }
        catch (InvalidOperationException)
        {
            return false;
        }
    }
}
