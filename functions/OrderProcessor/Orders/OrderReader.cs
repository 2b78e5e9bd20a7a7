using System.Buffers.Text;
using System.Globalization;
using System.Text.Json;

namespace OrderProcessor.Orders;

/// <summary>
/// Reads and validates an order from its UTF-8 JSON in one pass, with the field-by-field strictness that
/// a plain deserializer does not give: a string <c>"1"</c>, a fraction <c>1.0</c> or an exponent <c>1e3</c>
/// is not a quantity; a key given twice is refused; every problem is reported at once.
/// Unknown fields are ignored and not stored, so producers can add fields before this function knows them.
/// </summary>
public static class OrderReader
{
    private static readonly JsonReaderOptions ReaderOptions = new() { MaxDepth = OrderRules.MaxDepth };

    private static readonly string[] TimestampFormats =
    [
        "yyyy-MM-dd'T'HH:mm:ssK",
        "yyyy-MM-dd'T'HH:mm:ss.FFFFFFFK",
    ];

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
        catch (InvalidOperationException e)
        {
            // GetString on an escape that is not valid UTF-16 (a lone surrogate, for example).
            return ParseResult.Invalid($"order is not valid JSON: {e.Message}", ValidId(orderId));
        }

        foreach (var field in (ReadOnlySpan<Field>)[Field.OrderId, Field.UserId, Field.ItemName, Field.Quantity, Field.Status, Field.Timestamp])
        {
            if ((seen & field) == 0)
            {
                Add(ref problems, $"{Name(field)}: is missing");
            }
        }

        CheckIdentifier(orderId, Field.OrderId, OrderRules.MaxIdLength, ref problems);
        CheckIdentifier(userId, Field.UserId, OrderRules.MaxIdLength, ref problems);
        CheckIdentifier(status, Field.Status, OrderRules.MaxStatusLength, ref problems);
        if (itemName is not null && !OrderRules.IsText(itemName, OrderRules.MaxItemNameLength))
        {
            Add(ref problems, itemName.Length == 0
                ? "itemName: is empty"
                : $"itemName: must be 1 to {OrderRules.MaxItemNameLength} characters, not blank, without control or bidirectional-override characters");
        }

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
                return reader.GetString();
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
                Add(ref problems, $"quantity: must be a JSON integer, not {Describe(reader.TokenType)}");
                reader.Skip();
                return 0;
        }

        var text = reader.ValueSpan;
        if (text.IndexOfAny("."u8) >= 0 || text.IndexOfAny("eE"u8) >= 0)
        {
            Add(ref problems, "quantity: must be a JSON integer, written without a fraction or an exponent");
            return 0;
        }

        if (text[0] == (byte)'-' || (text.Length == 1 && text[0] == (byte)'0'))
        {
            Add(ref problems, "quantity: must be at least 1");
            return 0;
        }

        if (text.Length > 9 || !Utf8Parser.TryParse(text, out int value, out _) || value > OrderRules.MaxQuantity)
        {
            Add(ref problems, $"quantity: must be at most {OrderRules.MaxQuantity}");
            return 0;
        }

        return value;
    }

    private static void CheckIdentifier(string? value, Field field, int maxLength, ref List<string>? problems)
    {
        if (value is null || OrderRules.IsIdentifier(value, maxLength))
        {
            return;
        }

        Add(ref problems, value.Length == 0
            ? $"{Name(field)}: is empty"
            : $"{Name(field)}: must be 1 to {maxLength} characters of A-Z a-z 0-9 - _ . :");
    }

    private static DateTimeOffset ParseTimestamp(string text, ref List<string>? problems)
    {
        if (text.Length == 0)
        {
            Add(ref problems, "timestamp: is empty");
            return default;
        }

        var hasOffset = text[^1] == 'Z' || (text.Length > 6 && text[^6] is '+' or '-' && text[^3] == ':');
        if (!hasOffset)
        {
            Add(ref problems, "timestamp: must end with a UTC offset, Z or +hh:mm");
            return default;
        }

        if (!DateTimeOffset.TryParseExact(text, TimestampFormats, CultureInfo.InvariantCulture, DateTimeStyles.None, out var instant))
        {
            Add(ref problems, "timestamp: must be an ISO 8601 date-time, yyyy-MM-ddTHH:mm:ss[.fffffff] then Z or +hh:mm");
            return default;
        }

        if (instant < OrderRules.EarliestTimestamp || instant >= OrderRules.LatestTimestamp)
        {
            Add(ref problems, "timestamp: must be from 2000-01-01 up to 2100-01-01 (UTC)");
            return default;
        }

        return instant;
    }

    private static string? ValidId(string? orderId) =>
        orderId is not null && OrderRules.IsIdentifier(orderId, OrderRules.MaxIdLength) ? orderId : null;

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
