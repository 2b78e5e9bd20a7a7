using System.Text;
using System.Text.Json;
using OrderProcessor.Contracts;

namespace OrderProcessor.Tests;

/// <summary>Builds SQS records and events the way the event source mapping delivers them.</summary>
internal static class TestEvents
{
    public const string SampleOrder =
        """{"orderId":"O1234","userId":"U123","itemName":"Laptop","quantity":1,"status":"new","timestamp":"2025-05-03T12:00:00Z"}""";

    public static SqsMessage Record(string body, string? messageId = null, int receiveCount = 1) => new()
    {
        MessageId = messageId ?? Guid.NewGuid().ToString(),
        ReceiptHandle = "handle",
        Body = body,
        EventSource = "aws:sqs",
        EventSourceArn = "arn:aws:sqs:us-east-1:123456789012:OrderQueue-test",
        AwsRegion = "us-east-1",
        Attributes = new Dictionary<string, string> { ["ApproximateReceiveCount"] = receiveCount.ToString(System.Globalization.CultureInfo.InvariantCulture) },
    };

    /// <summary>The body SNS writes into the queue when raw delivery is off, wrapping <paramref name="message"/>.</summary>
    public static string SnsEnvelope(string message) => JsonSerializer.Serialize(new Dictionary<string, string>
    {
        ["Type"] = "Notification",
        ["MessageId"] = Guid.NewGuid().ToString(),
        ["TopicArn"] = "arn:aws:sns:us-east-1:123456789012:OrderTopic-test",
        ["Message"] = message,
        ["Timestamp"] = "2025-05-03T12:00:01.000Z",
        ["SignatureVersion"] = "1",
        ["Signature"] = "EXAMPLE",
        ["SigningCertURL"] = "https://sns.us-east-1.amazonaws.com/cert.pem",
        ["UnsubscribeURL"] = "https://sns.us-east-1.amazonaws.com/?Action=Unsubscribe",
    });

    public static string Order(string orderId = "O1234", string timestamp = "2025-05-03T12:00:00Z", string status = "new", int quantity = 1) =>
        $$"""{"orderId":"{{orderId}}","userId":"U123","itemName":"Laptop","quantity":{{quantity}},"status":"{{status}}","timestamp":"{{timestamp}}"}""";

    public static MemoryStream EventStream(params SqsMessage[] records) =>
        new(JsonSerializer.SerializeToUtf8Bytes(new SqsEvent { Records = records }, ContractsJsonContext.Default.SqsEvent));

    /// <summary>Every line the function wrote to <paramref name="log"/> (log lines and EMF documents), each parsed as JSON.</summary>
    public static List<JsonElement> JsonLines(StringWriter log) =>
        log.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(line => JsonDocument.Parse(line).RootElement).ToList();

    public static SqsBatchResponse ReadResponse(Stream stream) =>
        JsonSerializer.Deserialize(stream, ContractsJsonContext.Default.SqsBatchResponse)!;

    public static string ReadAll(Stream stream)
    {
        using var reader = new StreamReader(stream, Encoding.UTF8);
        return reader.ReadToEnd();
    }
}
