using System.Text.Json;
using System.Text.RegularExpressions;

namespace OrderProcessor.Orders;

/// <summary>
/// Reads and validates an order from its UTF-8 JSON in one pass, with the field-by-field strictness that
/// a plain deserializer does not give: a string <c>"1"</c> or a fraction <c>1.5</c> is not a quantity (but
/// <c>1.0</c>, as Python writes a float, is); a key given twice is refused; every problem is reported at once.
/// Unknown fields are ignored and not stored, so producers can add fields before this function knows them.
/// </summary>
public static partial class OrderReader
{
    private static readonly JsonReaderOptions ReaderOptions = new() { MaxDepth = OrderRules.MaxDepth };

    /// <summary>
    /// RFC 3339 with seconds, widened to what mainstream producers write: <c>T</c>, <c>t</c> or a space between
    /// date and time (Python's <c>str(datetime)</c>); 1 to 9 fraction digits (Java's <c>Instant</c> and Go write 9);
    /// offsets <c>Z</c>, <c>z</c>, <c>+hh:mm</c>, <c>+hhmm</c> (PHP's ISO 8601) and <c>+hh</c>. The offset group is
    /// optional here only so that its absence gets a reason of its own.
    /// </summary>
    [GeneratedRegex(@"^([0-9]{4})-([0-9]{2})-([0-9]{2})[Tt ]([0-9]{2}):([0-9]{2}):([0-9]{2})(?:\.([0-9]{1,9}))?(?:([Zz])|([+-])([0-9]{2})(?::?([0-9]{2}))?)?\z", RegexOptions.CultureInvariant)]
    private static partial Regex TimestampShape();

    [Flags]
    private enum Field
    {
        Unknown = 0,
        OrderId = 1,
        UserId = 2,
        ItemName = 4,
        Quantity = 8,
        Status = 16,
        Timestamp = 32,
    }

    /// <summary>Reads one order; never throws for bad input.</summary>
    public static ParseResult Read(ReadOnlySpan<byte> json)
    {
        if (json.Length > OrderRules.MaxOrderBytes)
        {
            return ParseResult.Invalid($"order is {json.Length} bytes, more than the {OrderRules.MaxOrderBytes} allowed");
        }

        if (json.Trim(" \t\r\n"u8).IsEmpty)
        {
            return ParseResult.Invalid("order is empty");
        }

        string? orderId = null, userId = null, itemName = null, status = null, timestamp = null;
        long quantity = 0;
        var seen = Field.Unknown;
        List<string>? problems = null;

        var reader = new Utf8JsonReader(json, ReaderOptions);
        try
        {
            reader.Read();
            if (reader.TokenType != JsonTokenType.StartObject)
            {
                return ParseResult.Invalid($"order is not a JSON object but {Describe(reader.TokenType)}");
            }

            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                var field = Identify(ref reader);
                if (field != Field.Unknown)
                {
                    if ((seen & field) != 0)
                    {
                        Add(ref problems, $"{Name(field)}: appears more than once");
                    }

                    seen |= field;
                }

                reader.Read();
                switch (field)
                {
                    case Field.OrderId: orderId = ReadString(ref reader, field, ref problems); break;
                    case Field.UserId: userId = ReadString(ref reader, field, ref problems); break;
                    case Field.ItemName: itemName = ReadString(ref reader, field, ref problems); break;
                    case Field.Status: status = ReadString(ref reader, field, ref problems); break;
                    case Field.Timestamp: timestamp = ReadString(ref reader, field, ref problems); break;
                    case Field.Quantity: quantity = ReadQuantity(ref reader, ref problems); break;
                    default: reader.Skip(); break;
                }
            }

            // Anything but white space after the closing brace makes the reader throw.
            reader.Read();
        }
        catch (JsonException e)
        {
            return ParseResult.Invalid($"order is not valid JSON: {e.Message}", ValidId(orderId));
        }

        foreach (var field in (ReadOnlySpan<Field>)[Field.OrderId, Field.UserId, Field.ItemName, Field.Quantity, Field.Status, Field.Timestamp])
        {
            if ((seen & field) == 0)
            {
                Add(ref problems, $"{Name(field)}: is missing");
            }
        }

        CheckText(orderId, Field.OrderId, OrderRules.TextKind.Identifier, OrderRules.MaxIdBytes, 0, ref problems);
        CheckText(userId, Field.UserId, OrderRules.TextKind.Identifier, OrderRules.MaxIdBytes, 0, ref problems);
        CheckText(itemName, Field.ItemName, OrderRules.TextKind.DisplayText, 0, OrderRules.MaxItemNameCharacters, ref problems);
        CheckText(status, Field.Status, OrderRules.TextKind.Identifier, 0, OrderRules.MaxStatusCharacters, ref problems);

        var instant = timestamp is null ? default : ParseTimestamp(timestamp, ref problems);

        if (problems is not null)
        {
            return ParseResult.Invalid(string.Join("; ", problems), ValidId(orderId));
        }

        return ParseResult.Valid(new Order(orderId!, userId!, itemName!, (int)quantity, status!, instant));
    }

    private static Field Identify(ref Utf8JsonReader reader)
    {
        if (reader.ValueTextEquals("orderId"u8)) return Field.OrderId;
        if (reader.ValueTextEquals("userId"u8)) return Field.UserId;
        if (reader.ValueTextEquals("itemName"u8)) return Field.ItemName;
        if (reader.ValueTextEquals("quantity"u8)) return Field.Quantity;
        if (reader.ValueTextEquals("status"u8)) return Field.Status;
        if (reader.ValueTextEquals("timestamp"u8)) return Field.Timestamp;
        return Field.Unknown;
    }

    private static string Name(Field field) => field switch
    {
        Field.OrderId => "orderId",
        Field.UserId => "userId",
        Field.ItemName => "itemName",
        Field.Quantity => "quantity",
        Field.Status => "status",
        Field.Timestamp => "timestamp",
        _ => "?",
    };

    private static string? ReadString(ref Utf8JsonReader reader, Field field, ref List<string>? problems)
    {
        switch (reader.TokenType)
        {
            case JsonTokenType.String:
                try
                {
                    return reader.GetString();
                }
                catch (InvalidOperationException)
                {
                    // An escape that is not valid UTF-16: a lone \uD800, say. Unknown fields are skipped unread.
                    Add(ref problems, $"{Name(field)}: contains an unpaired surrogate");
                    return null;
                }

            case JsonTokenType.Null:
                Add(ref problems, $"{Name(field)}: is null");
                return null;
            default:
                Add(ref problems, $"{Name(field)}: must be a string, not {Describe(reader.TokenType)}");
                reader.Skip();
                return null;
        }
    }

    private static long ReadQuantity(ref Utf8JsonReader reader, ref List<string>? problems)
    {
        switch (reader.TokenType)
        {
            case JsonTokenType.Number:
                break;
            case JsonTokenType.Null:
                Add(ref problems, "quantity: is null");
                return 0;
            default:
                Add(ref problems, $"quantity: must be a number, not {Describe(reader.TokenType)}");
                reader.Skip();
                return 0;
        }

        // A whole number in any JSON spelling (1, 1.0, 1e3): JSON Schema's "integer" is the value, not the
        // notation, and producers' serializers differ (Python writes a float 1.0, Java may write 1.0E3).
        if (!reader.TryGetDecimal(out var value))
        {
            // Beyond decimal's range: huge, or vanishingly small.
            var tiny = !reader.TryGetDouble(out var approximate) || Math.Abs(approximate) < 1;
            Add(ref problems, reader.ValueSpan[0] == (byte)'-' || tiny ? "quantity: must be at least 1" : $"quantity: must be at most {OrderRules.MaxQuantity}");
            return 0;
        }

        if (value != decimal.Truncate(value))
        {
            Add(ref problems, "quantity: must be a whole number");
            return 0;
        }

        if (value < 1)
        {
            Add(ref problems, "quantity: must be at least 1");
            return 0;
        }

        if (value > OrderRules.MaxQuantity)
        {
            Add(ref problems, $"quantity: must be at most {OrderRules.MaxQuantity}");
            return 0;
        }

        return (long)value;
    }

    private static void CheckText(string? value, Field field, OrderRules.TextKind kind, int maxUtf8Bytes, int maxCharacters, ref List<string>? problems)
    {
        if (value is not null && OrderRules.CheckText(value, kind, maxUtf8Bytes, maxCharacters) is { } problem)
        {
            Add(ref problems, $"{Name(field)}: {problem}");
        }
    }

    private static DateTimeOffset ParseTimestamp(string text, ref List<string>? problems)
    {
        if (text.Length == 0)
        {
            Add(ref problems, "timestamp: is empty");
            return default;
        }

        var match = TimestampShape().Match(text);
        if (!match.Success)
        {
            Add(ref problems, "timestamp: must be an RFC 3339 date-time with an offset, like 2025-05-03T12:00:00Z or 2025-05-03T14:00:00.123+02:00");
            return default;
        }

        if (!match.Groups[8].Success && !match.Groups[9].Success)
        {
            Add(ref problems, "timestamp: has no UTC offset (Z or \u00B1hh:mm), so the instant is ambiguous");
            return default;
        }

        int Number(int group) => match.Groups[group].Success ? int.Parse(match.Groups[group].ValueSpan, provider: null) : 0;
        int year = Number(1), month = Number(2), day = Number(3), hour = Number(4), minute = Number(5), second = Number(6);
        int offsetHours = Number(10), offsetMinutes = Number(11);
        if (year < 1 || month is < 1 or > 12 || day < 1 || day > DateTime.DaysInMonth(year, month)
            || hour > 23 || minute > 59 || second > 59 || offsetHours > 23 || offsetMinutes > 59)
        {
            Add(ref problems, "timestamp: is not a valid date and time");
            return default;
        }

        // Checked on the local year first, so that the arithmetic below cannot leave DateTime's range.
        if (year is < 1999 or > 2100)
        {
            Add(ref problems, "timestamp: must be from 2000-01-01 up to 2100-01-01 (UTC)");
            return default;
        }

        // Ticks are 100 ns: digits past the seventh are dropped, not rounded, so an instant never moves forward.
        var fraction = match.Groups[7].ValueSpan;
        long fractionTicks = 0;
        for (var i = 0; i < 7; i++)
        {
            fractionTicks = (fractionTicks * 10) + (i < fraction.Length ? fraction[i] - '0' : 0);
        }

        var offset = new TimeSpan(offsetHours, offsetMinutes, 0);
        var utc = new DateTime(year, month, day, hour, minute, second, DateTimeKind.Utc).AddTicks(fractionTicks)
            - (match.Groups[9].ValueSpan is "-" ? -offset : offset);
        var instant = new DateTimeOffset(utc, TimeSpan.Zero);
        if (instant < OrderRules.EarliestTimestamp || instant >= OrderRules.LatestTimestamp)
        {
            Add(ref problems, "timestamp: must be from 2000-01-01 up to 2100-01-01 (UTC)");
            return default;
        }

        return instant;
    }

    private static string? ValidId(string? orderId) =>
        orderId is not null && OrderRules.CheckText(orderId, OrderRules.TextKind.Identifier, OrderRules.MaxIdBytes, 0) is null ? orderId : null;

    private static string Describe(JsonTokenType token) => token switch
    {
        JsonTokenType.StartObject => "an object",
        JsonTokenType.StartArray => "an array",
        JsonTokenType.String => "a string",
        JsonTokenType.Number => "a number",
        JsonTokenType.True or JsonTokenType.False => "a boolean",
        JsonTokenType.Null => "null",
        _ => token.ToString(),
    };

    private static void Add(ref List<string>? problems, string problem) => (problems ??= []).Add(problem);
}
