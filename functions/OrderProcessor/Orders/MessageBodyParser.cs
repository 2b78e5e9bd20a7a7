using System.Buffers;
using System.Text;
using System.Text.Json;
using OrderProcessor.Contracts;

namespace OrderProcessor.Orders;

/// <summary>
/// Turns an SQS message body into an order. The body is either the SNS envelope (raw message delivery
/// off: the order is the JSON string in <c>Message</c>) or the order itself (raw delivery on). A body is
/// taken for an envelope when its top-level <c>Type</c> is <c>"Notification"</c>.
/// </summary>
public static class MessageBodyParser
{
    private static readonly JsonReaderOptions ScanOptions = new() { MaxDepth = OrderRules.MaxDepth };

    private static readonly byte[] NotificationType = Encoding.UTF8.GetBytes(SnsEnvelope.NotificationType);

    /// <summary>Reads one body; never throws for bad input.</summary>
    public static ParseResult Parse(string? body)
    {
        if (string.IsNullOrEmpty(body))
        {
            return ParseResult.Invalid("body is empty");
        }

        return WithUtf8(body, static bytes => IsSnsEnvelope(bytes) ? ParseEnvelope(bytes) : OrderReader.Read(bytes));
    }

    private static ParseResult ParseEnvelope(ReadOnlySpan<byte> body)
    {
        SnsEnvelope? envelope;
        try
        {
            envelope = JsonSerializer.Deserialize(body, ContractsJsonContext.Default.SnsEnvelope);
        }
        catch (JsonException e)
        {
            return ParseResult.Invalid($"SNS envelope is not valid: {e.Message}");
        }

        var result = envelope?.Message switch
        {
            null => ParseResult.Invalid("SNS envelope has no Message"),
            "" => ParseResult.Invalid("SNS envelope's Message is empty"),
            var message => WithUtf8(message, static bytes => OrderReader.Read(bytes)),
        };
        return result with { SnsMessageId = envelope?.MessageId };
    }

    /// <summary>True when the body is a JSON object whose top-level <c>Type</c> is <c>"Notification"</c>.</summary>
    private static bool IsSnsEnvelope(ReadOnlySpan<byte> body)
    {
        var reader = new Utf8JsonReader(body, ScanOptions);
        try
        {
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            {
                return false;
            }

            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                var isType = JsonText.ValueEquals(ref reader, "Type"u8);
                reader.Read();
                if (isType)
                {
                    return reader.TokenType == JsonTokenType.String && JsonText.ValueEquals(ref reader, NotificationType);
                }

                reader.Skip();
            }
        }
        catch (JsonException)
        {
            // Not valid JSON: not an envelope. The order reader says what is wrong with it.
        }

        return false;
    }

    private delegate ParseResult Utf8Parse(ReadOnlySpan<byte> utf8);

    private static ParseResult WithUtf8(string text, Utf8Parse parse)
    {
        var buffer = ArrayPool<byte>.Shared.Rent(Encoding.UTF8.GetMaxByteCount(text.Length));
        try
        {
            var length = Encoding.UTF8.GetBytes(text, buffer);
            return parse(buffer.AsSpan(0, length));
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }
}
