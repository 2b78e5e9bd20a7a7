using System.Text.Json;
using Amazon.DynamoDBv2.Model;
using BenchmarkDotNet.Attributes;
using OrderProcessor.Contracts;
using OrderProcessor.Orders;
using OrderProcessor.Storage;

namespace OrderProcessor.Benchmarks;

/// <summary>
/// Per message: the bytes of one SQS record whose body is the SNS envelope of the sample order.
/// <see cref="Floor"/> is System.Text.Json alone reading those bytes into the same records (record,
/// envelope, order); <see cref="Handler"/> is the function's own work on them: the record, the envelope,
/// the strict order reader with every rule, and the PutItem request.
/// </summary>
[MemoryDiagnoser]
public class MessageBenchmarks
{
    private const string SampleOrder =
        """{"orderId":"O1234","userId":"U123","itemName":"Laptop","quantity":1,"status":"new","timestamp":"2025-05-03T12:00:00Z"}""";

    private readonly DynamoDbOrderStore _store = new(InMemoryDynamoDb.Create(), "Orders-bench");
    private byte[] _record = [];

    /// <summary>One SQS record, as it sits in the event Lambda delivers.</summary>
    public static byte[] RecordBytes(string messageId)
    {
        var envelope = JsonSerializer.Serialize(new Dictionary<string, string>
        {
            ["Type"] = "Notification",
            ["MessageId"] = "63a3f6b6-d533-4a47-aef9-fcf5cf758c76",
            ["TopicArn"] = "arn:aws:sns:us-east-1:123456789012:OrderTopic-dev",
            ["Message"] = SampleOrder,
            ["Timestamp"] = "2025-05-03T12:00:01.000Z",
            ["SignatureVersion"] = "1",
            ["Signature"] = "EXAMPLEpH+DcEwjAPg8O9mY8dReBSwksfg2S7WKQcikcNKWLQjwu6A4VbeS0QHVCkhRS7fUQvi2egU3N858fiTDN6bkkOxYDVrY0Ad8L10Hs3zH81mtnPk5uvvolIC1CXGu43obcgFxeL3khZl8IKvO61GWB6jI9b5+gLPoBc1Q=",
            ["SigningCertURL"] = "https://sns.us-east-1.amazonaws.com/SimpleNotificationService-f3ecfb7224c7233fe7bb5f59f96de52f.pem",
            ["UnsubscribeURL"] = "https://sns.us-east-1.amazonaws.com/?Action=Unsubscribe&SubscriptionArn=arn:aws:sns:us-east-1:123456789012:OrderTopic-dev:c7fe3a54",
        });
        return JsonSerializer.SerializeToUtf8Bytes(
            new SqsMessage
            {
                MessageId = messageId,
                ReceiptHandle = "AQEBwJnKyrHigUMZj6rYigCgxlaS3SLy0a+xF+zUqHCLxJHiGMd4eU4ZxdJWexample",
                Body = envelope,
                Md5OfBody = "7b270e59b47ff90a553787216d55d91d",
                EventSource = "aws:sqs",
                EventSourceArn = "arn:aws:sqs:us-east-1:123456789012:OrderQueue-dev",
                AwsRegion = "us-east-1",
                Attributes = new Dictionary<string, string>
                {
                    ["ApproximateReceiveCount"] = "1",
                    ["SentTimestamp"] = "1746273601000",
                    ["SenderId"] = "AIDAIENQZJOLO23YVJ4VO",
                    ["ApproximateFirstReceiveTimestamp"] = "1746273601001",
                },
                MessageAttributes = new Dictionary<string, SqsMessageAttribute>(),
            },
            ContractsJsonContext.Default.SqsMessage);
    }

    [GlobalSetup]
    public void Setup()
    {
        _record = RecordBytes("059f36b4-87a3-44ab-83d2-661975830a7d");
        if (Handler().Item["orderId"].S != Floor().OrderId)
        {
            throw new InvalidOperationException("the handler and the floor disagree on the sample");
        }
    }

    [Benchmark(Baseline = true)]
    public OrderDocument Floor()
    {
        var record = JsonSerializer.Deserialize(_record, ContractsJsonContext.Default.SqsMessage)!;
        var envelope = JsonSerializer.Deserialize(record.Body!, ContractsJsonContext.Default.SnsEnvelope)!;
        return JsonSerializer.Deserialize(envelope.Message!, FloorJsonContext.Default.OrderDocument)!;
    }

    [Benchmark]
    public PutItemRequest Handler()
    {
        var record = JsonSerializer.Deserialize(_record, ContractsJsonContext.Default.SqsMessage)!;
        var parsed = MessageBodyParser.Parse(record.Body);
        return _store.BuildPutItem(parsed.Order!, record.MessageId!, parsed.Order!.ComputeFingerprint());
    }

}
