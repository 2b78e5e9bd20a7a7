using Amazon.DynamoDBv2;
using Amazon.DynamoDBv2.Model;
using Amazon.SQS.Model;
using Moq;
using OrderProcessor.Processing;
using OrderProcessor.Storage;

namespace OrderProcessor.Tests.Processing;

/// <summary>
/// <see cref="Function.Prime"/>, run once per execution environment during init: it reads one key no order can have
/// and one queue attribute, writes nothing, and never fails the init (a failure only makes the first batch slower).
/// </summary>
public sealed class PrimingTests : FunctionWithMockedClients
{
    private readonly List<GetItemRequest> _reads = [];

    private void QueueAttributesAnswer() =>
        Sqs.Setup(c => c.GetQueueAttributesAsync(It.Is<GetQueueAttributesRequest>(r => r.QueueUrl == QueueUrl), It.IsAny<CancellationToken>()))
            .ReturnsAsync(new GetQueueAttributesResponse());

    [Test]
    public void Prime_ReadsOnlyTheKeyNoOrderCanHave_AndOneQueueAttribute_WritingNothing()
    {
        Dynamo.Setup(c => c.GetItemAsync(It.IsAny<GetItemRequest>(), It.IsAny<CancellationToken>()))
            .Callback<GetItemRequest, CancellationToken>((request, _) => { lock (_reads) _reads.Add(request); })
            .ReturnsAsync(new GetItemResponse());
        QueueAttributesAnswer();

        CreateFunction(LogLevel.Debug).Prime();

        Assert.Multiple(() =>
        {
            Assert.That(_reads.Select(r => (r.TableName, r.Key["orderId"].S)), Is.EqualTo(new[] { ("Orders-test", DynamoDbOrderStore.PrimingKey) }));
            Assert.That(MessageBodyParserOrderId(DynamoDbOrderStore.PrimingKey), Is.Null, "no order can have the priming key");
            Sqs.Verify(c => c.GetQueueAttributesAsync(It.IsAny<GetQueueAttributesRequest>(), It.IsAny<CancellationToken>()), Times.Once);
            // Strict mocks: a PutItem, or any other call, would have thrown; the notice says priming succeeded.
            Assert.That(LogLines().Single().GetProperty("message").GetString(), Is.EqualTo("function primed"));
            Assert.That(LogLines().Single().GetProperty("level").GetString(), Is.EqualTo("DEBUG"));
        });
    }

    [Test]
    public async Task Prime_TableUnreachable_IsLoggedAndTheFirstBatchStillRuns()
    {
        Dynamo.Setup(c => c.GetItemAsync(It.IsAny<GetItemRequest>(), It.IsAny<CancellationToken>()))
            .ThrowsAsync(new AmazonDynamoDBException("connection refused"));
        Dynamo.Setup(c => c.PutItemAsync(It.IsAny<PutItemRequest>(), It.IsAny<CancellationToken>())).ReturnsAsync(new PutItemResponse());
        QueueAttributesAnswer();
        var function = CreateFunction(LogLevel.Debug);

        Assert.DoesNotThrow(function.Prime);
        var response = TestEvents.ReadResponse(await function.HandleAsync(TestEvents.EventStream(TestEvents.Record(TestEvents.Order("O1"), "m1"))));

        var warning = LogLines().Single(l => l.TryGetProperty("level", out var level) && level.GetString() == "WARN");
        Assert.Multiple(() =>
        {
            Assert.That(warning.GetProperty("message").GetString(), Is.EqualTo("function priming failed, the first batch will be slower: AmazonDynamoDBException: connection refused"));
            Assert.That(response.BatchItemFailures, Is.Empty, "the order is stored");
            Dynamo.Verify(c => c.PutItemAsync(It.IsAny<PutItemRequest>(), It.IsAny<CancellationToken>()), Times.Once);
        });
    }

    [Test]
    public void Prime_ARequestThatNeverAnswers_IsGivenUpAfterTheLimit()
    {
        // A read that only ends when its token is cancelled: priming must not hold the init for ever.
        Dynamo.Setup(c => c.GetItemAsync(It.IsAny<GetItemRequest>(), It.IsAny<CancellationToken>()))
            .Returns<GetItemRequest, CancellationToken>(async (_, token) =>
            {
                await Task.Delay(Timeout.Infinite, token);
                return new GetItemResponse();
            });
        QueueAttributesAnswer();

        var function = CreateFunction(LogLevel.Debug);

        // Bounded only so that a regression fails instead of hanging the suite; priming's own limit is 2 s.
        Assert.That(Task.Run(function.Prime).Wait(TimeSpan.FromSeconds(60)), Is.True, "priming returned");
        Assert.That(LogLines().Single().GetProperty("message").GetString(), Does.StartWith("function priming failed, the first batch will be slower: TaskCanceledException"));
    }

    [TestCase("AccessDeniedException")]
    [TestCase("ResourceNotFoundException")]
    [TestCase("UnrecognizedClientException")]
    public void Prime_TableRefusesForGood_FailsTheInitWithTheReason(string code)
    {
        Dynamo.Setup(c => c.GetItemAsync(It.IsAny<GetItemRequest>(), It.IsAny<CancellationToken>()))
            .ThrowsAsync(new AmazonDynamoDBException("User is not authorized to perform: dynamodb:GetItem") { ErrorCode = code, StatusCode = System.Net.HttpStatusCode.BadRequest });
        QueueAttributesAnswer();
        var function = CreateFunction(LogLevel.Debug);

        var error = Assert.Throws<InvalidOperationException>(function.Prime);

        Assert.That(error!.Message, Is.EqualTo("the function cannot use its table or queue, so it does not start: AmazonDynamoDBException: User is not authorized to perform: dynamodb:GetItem"));
    }

    [Test]
    public void Prime_QueueDoesNotExist_FailsTheInit()
    {
        Dynamo.Setup(c => c.GetItemAsync(It.IsAny<GetItemRequest>(), It.IsAny<CancellationToken>())).ReturnsAsync(new GetItemResponse());
        Sqs.Setup(c => c.GetQueueAttributesAsync(It.IsAny<GetQueueAttributesRequest>(), It.IsAny<CancellationToken>()))
            .ThrowsAsync(new Amazon.SQS.AmazonSQSException("The specified queue does not exist.") { ErrorCode = "AWS.SimpleQueueService.NonExistentQueue" });

        Assert.Throws<InvalidOperationException>(CreateFunction(LogLevel.Debug).Prime);
    }

    [Test]
    public void Prime_TableThrottledAndQueueDenied_TheDenialStillFailsTheInit()
    {
        Dynamo.Setup(c => c.GetItemAsync(It.IsAny<GetItemRequest>(), It.IsAny<CancellationToken>()))
            .ThrowsAsync(new AmazonDynamoDBException("Rate exceeded") { ErrorCode = "ProvisionedThroughputExceededException" });
        Sqs.Setup(c => c.GetQueueAttributesAsync(It.IsAny<GetQueueAttributesRequest>(), It.IsAny<CancellationToken>()))
            .ThrowsAsync(new Amazon.SQS.AmazonSQSException("not authorized to perform sqs:GetQueueAttributes") { ErrorCode = "AccessDenied" });

        var error = Assert.Throws<InvalidOperationException>(CreateFunction(LogLevel.Debug).Prime);

        Assert.That(error!.Message, Does.EndWith("AmazonSQSException: not authorized to perform sqs:GetQueueAttributes"));
    }

    [Test]
    public void Prime_Throttled_IsAPassingFaultThatOnlyLogs()
    {
        Dynamo.Setup(c => c.GetItemAsync(It.IsAny<GetItemRequest>(), It.IsAny<CancellationToken>()))
            .ThrowsAsync(new AmazonDynamoDBException("Rate exceeded") { ErrorCode = "ProvisionedThroughputExceededException" });
        QueueAttributesAnswer();

        Assert.DoesNotThrow(CreateFunction(LogLevel.Debug).Prime);
    }

    /// <summary>The order id an order with <paramref name="orderId"/> is read with, or null when it is rejected.</summary>
    private static string? MessageBodyParserOrderId(string orderId) =>
        OrderProcessor.Orders.MessageBodyParser.Parse(TestEvents.Order(orderId)).Order?.OrderId;
}
