using System.Text.Json;

namespace OrderProcessor.Orders;

/// <summary>
/// Reads and validates an order from its UTF-8 JSON in one pass, with the field-by-field strictness that
/// a plain deserializer does not give: a string <c>"1"</c> or a fraction <c>1.5</c> is not a quantity (but
/// <c>1.0</c>, as Python writes a float, is); a key given twice is refused; every problem is reported at once.
/// Unknown fields are ignored and not stored, so producers can add fields before this function knows them.
/// </summary>
public static class OrderReader
{
    private static readonly JsonReaderOptions ReaderOptions = new() { MaxDepth = OrderRules.MaxDepth };

    /// <summary>
    /// A timestamp's parts, read by <see cref="TryReadShape"/>. The shape is RFC 3339 with seconds, widened to what
    /// mainstream producers write: <c>T</c>, <c>t</c> or a space between date and time (Python's <c>str(datetime)</c>);
    /// 1 to 9 fraction digits (Java's <c>Instant</c> and Go write 9); offsets <c>Z</c>, <c>z</c>, <c>+hh:mm</c>,
    /// <c>+hhmm</c> (PHP's ISO 8601) and <c>+hh</c>. As a regular expression:
    /// <c>^(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?(?:[Zz]|[+-]\d{2}(?::?\d{2})?)?\z</c> with ASCII
    /// digits; the offset is optional in the shape only so that its absence gets a reason of its own. Read by hand
    /// rather than matched, because a match allocates its groups (about 1.2 KB per order).
    /// </summary>
    private readonly record struct TimestampParts(
        int Year, int Month, int Day, int Hour, int Minute, int Second, long FractionTicks, bool HasOffset, bool NegativeOffset, int OffsetHours, int OffsetMinutes);

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
                // The whole text is read first, so that what is not JSON at all is called so whatever it starts with
                // (`[1,` is not an array): the reason then agrees with every other JSON reader's (found by the
                // differential test against the published schema, tests/contract/differential.test.ts).
                var kind = Describe(reader.TokenType);
                reader.Skip();
                reader.Read();
                return ParseResult.Invalid($"order is not a JSON object but {kind}");
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
        if (JsonText.ValueEquals(ref reader, "orderId"u8)) return Field.OrderId;
        if (JsonText.ValueEquals(ref reader, "userId"u8)) return Field.UserId;
        if (JsonText.ValueEquals(ref reader, "itemName"u8)) return Field.ItemName;
        if (JsonText.ValueEquals(ref reader, "quantity"u8)) return Field.Quantity;
        if (JsonText.ValueEquals(ref reader, "status"u8)) return Field.Status;
        if (JsonText.ValueEquals(ref reader, "timestamp"u8)) return Field.Timestamp;
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
            // Beyond decimal's range, which only a magnitude past decimal.MaxValue is (a vanishingly small number such as
            // 1e-400 reads as 0 and is judged below): the sign says which limit it breaks.
            Add(ref problems, reader.ValueSpan[0] == (byte)'-' ? "quantity: must be at least 1" : $"quantity: must be at most {OrderRules.MaxQuantity}");
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

        if (!TryReadShape(text, out var t))
        {
            Add(ref problems, "timestamp: must be an RFC 3339 date-time with an offset, like 2025-05-03T12:00:00Z or 2025-05-03T14:00:00.123+02:00");
            return default;
        }

        if (!t.HasOffset)
        {
            Add(ref problems, "timestamp: has no UTC offset (Z or \u00B1hh:mm), so the instant is ambiguous");
            return default;
        }

        var (year, month, day) = (t.Year, t.Month, t.Day);
        if (year < 1 || month is < 1 or > 12 || day < 1 || day > DateTime.DaysInMonth(year, month)
            || t.Hour > 23 || t.Minute > 59 || t.Second > 59 || t.OffsetHours > 23 || t.OffsetMinutes > 59)
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

        var offset = new TimeSpan(t.OffsetHours, t.OffsetMinutes, 0);
        var utc = new DateTime(year, month, day, t.Hour, t.Minute, t.Second, DateTimeKind.Utc).AddTicks(t.FractionTicks)
            - (t.NegativeOffset ? -offset : offset);
        var instant = new DateTimeOffset(utc, TimeSpan.Zero);
        if (instant < OrderRules.EarliestTimestamp || instant >= OrderRules.LatestTimestamp)
        {
            Add(ref problems, "timestamp: must be from 2000-01-01 up to 2100-01-01 (UTC)");
            return default;
        }

        return instant;
    }

    /// <summary>Reads <paramref name="text"/> as the shape of <see cref="TimestampParts"/>; false when it has another.</summary>
    private static bool TryReadShape(ReadOnlySpan<char> text, out TimestampParts parts)
    {
        parts = default;
        if (text.Length < 19
            || !Digits(text, 0, 4, out var year) || text[4] != '-' || !Digits(text, 5, 2, out var month) || text[7] != '-'
            || !Digits(text, 8, 2, out var day) || text[10] is not ('T' or 't' or ' ')
            || !Digits(text, 11, 2, out var hour) || text[13] != ':' || !Digits(text, 14, 2, out var minute) || text[16] != ':'
            || !Digits(text, 17, 2, out var second))
        {
            return false;
        }

        var at = 19;
        long fractionTicks = 0;
        if (at < text.Length && text[at] == '.')
        {
            var digits = 0;
            while (++at < text.Length && char.IsAsciiDigit(text[at]))
            {
                digits++;
                // Ticks are 100 ns: digits past the seventh are dropped, not rounded, so an instant never moves forward.
                if (digits <= 7)
                {
                    fractionTicks = (fractionTicks * 10) + (text[at] - '0');
                }
            }

            if (digits is < 1 or > 9)
            {
                return false;
            }

            for (var i = digits; i < 7; i++)
            {
                fractionTicks *= 10;
            }
        }

        bool hasOffset = false, negative = false;
        int offsetHours = 0, offsetMinutes = 0;
        if (at < text.Length)
        {
            hasOffset = true;
            switch (text[at])
            {
                case 'Z' or 'z':
                    at++;
                    break;
                case '+' or '-':
                    negative = text[at] == '-';
                    if (!Digits(text, at + 1, 2, out offsetHours))
                    {
                        return false;
                    }

                    at += 3;
                    if (at < text.Length)
                    {
                        at += text[at] == ':' ? 1 : 0;
                        if (!Digits(text, at, 2, out offsetMinutes))
                        {
                            return false;
                        }

                        at += 2;
                    }

                    break;
                default:
                    return false;
            }
        }

        if (at != text.Length)
        {
            return false;
        }

        parts = new TimestampParts(year, month, day, hour, minute, second, fractionTicks, hasOffset, negative, offsetHours, offsetMinutes);
        return true;

        static bool Digits(ReadOnlySpan<char> text, int at, int count, out int value)
        {
            value = 0;
            if (at + count > text.Length)
            {
                return false;
            }

            foreach (var c in text.Slice(at, count))
            {
                if (!char.IsAsciiDigit(c))
                {
                    return false;
                }

                value = (value * 10) + (c - '0');
            }

            return true;
        }
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
