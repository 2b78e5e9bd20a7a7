using System.Text.Json;
using Amazon.DynamoDBv2;
using Amazon.SQS;
using Moq;
using OrderProcessor.Processing;

namespace OrderProcessor.Tests.Processing;

/// <summary>
/// The function with backoff on, its DynamoDB and SQS clients strict mocks (any call a test did not set up fails it),
/// and its log captured as JSON lines.
/// </summary>
public abstract class FunctionWithMockedClients
{
    protected const string QueueUrl = "https://sqs.us-east-1.amazonaws.com/000000000000/OrderQueue-test";

    protected Mock<IAmazonDynamoDB> Dynamo { get; } = new(MockBehavior.Strict);

    protected Mock<IAmazonSQS> Sqs { get; } = new(MockBehavior.Strict);

    protected StringWriter Log { get; } = new();

    protected Function CreateFunction(LogLevel level = LogLevel.Info) => new(
        new FunctionSettings { TableName = "Orders-test", QueueUrl = QueueUrl, Backoff = new BackoffSchedule(480, 540), LogLevel = level },
        Dynamo.Object,
        Log,
        Sqs.Object);

    protected List<JsonElement> LogLines() =>
        TestEvents.JsonLines(Log);
}
