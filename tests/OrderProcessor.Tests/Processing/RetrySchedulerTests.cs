using Amazon.DynamoDBv2.Model;
using Amazon.SQS;
using Amazon.SQS.Model;
using Moq;
using OrderProcessor.Processing;

namespace OrderProcessor.Tests.Processing;

/// <summary>The function with backoff on: the DynamoDB and SQS clients mocked, the batch through <see cref="Function.HandleAsync(Stream)"/>.</summary>
public sealed class RetrySchedulerTests : FunctionWithMockedClients
{
    private readonly List<ChangeMessageVisibilityBatchRequest> _changes = [];

    private void VisibilityChangeSucceeds() =>
        Sqs.Setup(c => c.ChangeMessageVisibilityBatchAsync(It.IsAny<ChangeMessageVisibilityBatchRequest>(), It.IsAny<CancellationToken>()))
            .Callback<ChangeMessageVisibilityBatchRequest, CancellationToken>((request, _) => _changes.Add(request))
            .ReturnsAsync(new ChangeMessageVisibilityBatchResponse { Successful = [], Failed = [] });

    /// <summary>Orders whose id starts with "T" fail to write (throttled); the rest are stored.</summary>
    private void WritesOfTOrdersAreThrottled() =>
        Dynamo.Setup(c => c.PutItemAsync(It.IsAny<PutItemRequest>(), It.IsAny<CancellationToken>()))
            .Returns<PutItemRequest, CancellationToken>((request, _) => request.Item["orderId"].S.StartsWith('T')
                ? throw new ProvisionedThroughputExceededException("slow down")
                : Task.FromResult(new PutItemResponse()));

    /// <summary>A scheduler on the mocked queue, logging to <see cref="FunctionWithMockedClients.Log"/>.</summary>
    private RetryScheduler Scheduler(BackoffSchedule? schedule = null, Func<double>? random = null) =>
        new(Sqs.Object, QueueUrl, schedule ?? new BackoffSchedule(10, 20), new OrderProcessor.Processing.OrderLog(Log, 256), random);

    private static OrderProcessor.Contracts.SqsMessage Record(string body, string id, int receiveCount) =>
        TestEvents.Record(body, id, receiveCount) with { ReceiptHandle = $"handle-{id}" };

    [Test]
    public async Task HandleAsync_FailedAndInvalidRecords_OneBatchCallBacksOffTheFailedAndReleasesTheInvalid()
    {
        WritesOfTOrdersAreThrottled();
        VisibilityChangeSucceeds();
        var records = new[]
        {
            Record(TestEvents.Order("T1"), "m-failed-1", receiveCount: 1),
            Record(TestEvents.Order("S1"), "m-stored", receiveCount: 1),
            Record("not an order", "m-invalid", receiveCount: 2),
            Record(TestEvents.Order("T2"), "m-failed-3", receiveCount: 3),
        };

        var response = TestEvents.ReadResponse(await CreateFunction().HandleAsync(TestEvents.EventStream(records)));

        Assert.That(response.BatchItemFailures.Select(f => f.ItemIdentifier), Is.EquivalentTo(new[] { "m-failed-1", "m-invalid", "m-failed-3" }));
        var change = _changes.Single();
        var byHandle = change.Entries.ToDictionary(e => e.ReceiptHandle, e => e.VisibilityTimeout);
        Assert.Multiple(() =>
        {
            Assert.That(change.QueueUrl, Is.EqualTo(QueueUrl));
            Assert.That(byHandle.Keys, Is.EquivalentTo(new[] { "handle-m-failed-1", "handle-m-invalid", "handle-m-failed-3" }));
            Assert.That(byHandle["handle-m-failed-1"], Is.InRange(432, 480), "first receive: the base, less up to a tenth");
            Assert.That(byHandle["handle-m-failed-3"], Is.InRange(486, 540), "third receive: the cap, less up to a tenth");
            Assert.That(byHandle["handle-m-invalid"], Is.Zero, "poison is released at once, to reach the DLQ sooner");
            Assert.That(change.Entries.Select(e => e.Id), Is.Unique);
        });
        var failedLine = LogLines().Single(l => l.TryGetProperty("messageId", out var id) && id.GetString() == "m-failed-1");
        Assert.That(failedLine.GetProperty("retryAfterSeconds").GetInt32(), Is.EqualTo(byHandle["handle-m-failed-1"]));
    }

    [Test]
    public async Task HandleAsync_AllStored_ChangesNoVisibility()
    {
        WritesOfTOrdersAreThrottled();

        var response = TestEvents.ReadResponse(await CreateFunction().HandleAsync(TestEvents.EventStream(Record(TestEvents.Order("S1"), "m1", 1))));

        Assert.That(response.BatchItemFailures, Is.Empty);
        Sqs.VerifyNoOtherCalls();
    }

    [Test]
    public async Task HandleAsync_VisibilityChangeFails_StillReportsTheRecordAndSaysSo()
    {
        WritesOfTOrdersAreThrottled();
        Sqs.Setup(c => c.ChangeMessageVisibilityBatchAsync(It.IsAny<ChangeMessageVisibilityBatchRequest>(), It.IsAny<CancellationToken>()))
            .ThrowsAsync(new AmazonSQSException("SQS is unreachable"));

        var response = TestEvents.ReadResponse(await CreateFunction().HandleAsync(TestEvents.EventStream(Record(TestEvents.Order("T1"), "m1", 1))));

        Assert.That(response.BatchItemFailures.Single().ItemIdentifier, Is.EqualTo("m1"));
        Assert.That(LogLines().Any(l => l.GetProperty("level").GetString() == "WARN" && l.GetProperty("message").GetString()!.Contains("visibility change failed", StringComparison.Ordinal)));
    }

    [Test]
    public async Task HandleAsync_EntryRefused_StillReportsTheRecordAndSaysWhich()
    {
        WritesOfTOrdersAreThrottled();
        Sqs.Setup(c => c.ChangeMessageVisibilityBatchAsync(It.IsAny<ChangeMessageVisibilityBatchRequest>(), It.IsAny<CancellationToken>()))
            .ReturnsAsync(new ChangeMessageVisibilityBatchResponse { Failed = [new BatchResultErrorEntry { Id = "0", Code = "ReceiptHandleIsInvalid", Message = "expired" }] });

        var response = TestEvents.ReadResponse(await CreateFunction().HandleAsync(TestEvents.EventStream(Record(TestEvents.Order("T1"), "m1", 1))));

        Assert.That(response.BatchItemFailures.Single().ItemIdentifier, Is.EqualTo("m1"));
        Assert.That(LogLines().Any(l => l.GetProperty("message").GetString()!.Contains("m1 (ReceiptHandleIsInvalid", StringComparison.Ordinal)));
    }

    [Test]
    public async Task ScheduleAsync_MoreThanTenRecords_OneCallPerTen()
    {
        VisibilityChangeSucceeds();
        var scheduler = Scheduler();
        var retries = Enumerable.Range(0, 23).Select(i => (Record("x", $"m{i}", 1), 10)).ToList();

        await scheduler.ScheduleAsync(retries, CancellationToken.None);

        Assert.That(_changes.Select(c => c.Entries.Count), Is.EqualTo(new[] { 10, 10, 3 }));
        Assert.That(_changes.SelectMany(c => c.Entries).Select(e => e.ReceiptHandle), Is.EqualTo(retries.Select(r => r.Item1.ReceiptHandle)));
    }

    [Test]
    public async Task ScheduleAsync_ExactlyTenRecords_OneCall()
    {
        VisibilityChangeSucceeds();
        var scheduler = Scheduler();

        await scheduler.ScheduleAsync(Enumerable.Range(0, 10).Select(i => (Record("x", $"m{i}", 1), 10)).ToList(), CancellationToken.None);

        Assert.That(_changes.Select(c => c.Entries.Count), Is.EqualTo(new[] { 10 }), "no empty second call: SQS refuses a batch without entries");
    }

    [Test]
    public async Task ScheduleAsync_NoRecordHasAReceiptHandle_MakesNoCall()
    {
        var scheduler = Scheduler();

        await scheduler.ScheduleAsync([(TestEvents.Record("x", "m1") with { ReceiptHandle = null }, 10), (TestEvents.Record("x", "m2") with { ReceiptHandle = "" }, 10)], CancellationToken.None);

        Sqs.VerifyNoOtherCalls();
    }

    // The AWS SDK for .NET v4 leaves a response's lists null when the service sends none: no entry refused.
    [Test]
    public async Task ScheduleAsync_ResponseWithoutAFailedList_WarnsOfNothing()
    {
        Sqs.Setup(c => c.ChangeMessageVisibilityBatchAsync(It.IsAny<ChangeMessageVisibilityBatchRequest>(), It.IsAny<CancellationToken>()))
            .ReturnsAsync(new ChangeMessageVisibilityBatchResponse { Successful = null, Failed = null });
        var scheduler = Scheduler();

        await scheduler.ScheduleAsync([(Record("x", "m1", 1), 10)], CancellationToken.None);

        Assert.That(LogLines(), Is.Empty);
    }

    [TestCase(0.0)]
    [TestCase(0.999)]
    public void DelaySeconds_Failed_DrawsFromTheGivenRandomSource(double draw)
    {
        var schedule = new BackoffSchedule(100, 1000);
        var scheduler = Scheduler(schedule, () => draw);

        var delay = scheduler.DelaySeconds(Record("x", "m1", 2), RecordOutcome.Failed);

        Assert.That(delay, Is.EqualTo(schedule.DelaySeconds(2, () => draw)));
    }

    // Priming reads an attribute SQS has (an unknown name is refused with InvalidAttributeName, failing the init).
    [Test]
    public async Task PrimeAsync_ReadsTheQueuesVisibilityTimeout()
    {
        GetQueueAttributesRequest? sent = null;
        Sqs.Setup(c => c.GetQueueAttributesAsync(It.IsAny<GetQueueAttributesRequest>(), It.IsAny<CancellationToken>()))
            .Callback<GetQueueAttributesRequest, CancellationToken>((request, _) => sent = request)
            .ReturnsAsync(new GetQueueAttributesResponse());
        var scheduler = Scheduler();

        await scheduler.PrimeAsync(CancellationToken.None);

        Assert.That(sent?.QueueUrl, Is.EqualTo(QueueUrl));
        Assert.That(sent?.AttributeNames, Is.EqualTo(new[] { "VisibilityTimeout" }));
    }
}
