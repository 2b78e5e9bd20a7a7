// Reads SQS message bodies, one per line, each as a JSON string (so that any text, line breaks included, fits on a
// line), and writes the function's verdict on each, one per line, in the same order: {"valid":true,"orderId":…} or
// {"valid":false,"reason":…}. The verdict is MessageBodyParser.Parse's, the function's own entry for a body.
using System.Text;
using System.Text.Json;
using OrderProcessor.Orders;

var input = Console.OpenStandardInput();
var output = Console.OpenStandardOutput();
using var reader = new StreamReader(input, new UTF8Encoding(false), false, 1 << 16);
using var buffered = new BufferedStream(output, 1 << 16);
using var writer = new Utf8JsonWriter(buffered);
var newline = "\n"u8.ToArray();
var lineNumber = 0;
while (reader.ReadLine() is { } line)
{
    lineNumber++;
    string body;
    try
    {
        body = JsonSerializer.Deserialize(line, VerdictJson.Default.String) ?? throw new JsonException("null");
    }
    catch (JsonException e)
    {
        Console.Error.WriteLine($"line {lineNumber} is not a JSON string: {e.Message}");
        return 2;
    }

    var result = MessageBodyParser.Parse(body);
    writer.Reset();
    writer.WriteStartObject();
    writer.WriteBoolean("valid", result.Order is not null);
    if (result.Order is not null)
    {
        writer.WriteString("orderId", result.Order.OrderId);
    }
    else
    {
        writer.WriteString("reason", result.Reason);
    }

    writer.WriteEndObject();
    writer.Flush();
    buffered.Write(newline);
}

buffered.Flush();
return 0;

[System.Text.Json.Serialization.JsonSerializable(typeof(string))]
internal sealed partial class VerdictJson : System.Text.Json.Serialization.JsonSerializerContext;
