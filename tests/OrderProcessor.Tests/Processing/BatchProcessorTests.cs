using System.Text.Json;
using Amazon.DynamoDBv2;
using Amazon.DynamoDBv2.Model;
using Moq;
using OrderProcessor.Contracts;
using OrderProcessor.Orders;
using OrderProcessor.Processing;
using OrderProcessor.Storage;

namespace OrderProcessor.Tests.Processing;

public sealed class BatchProcessorTests
{
    private readonly Mock<IAmazonDynamoDB> _client = new(MockBehavior.Strict);
    private readonly StringWriter _log = new();

    private Function CreateFunction() =>
        new(new FunctionSettings { TableName = "Orders-test" }, _client.Object, _log);

    /// <summary>Every line written: log lines and the EMF document.</summary>
    private List<JsonElement> AllLines() =>
        TestEvents.JsonLines(_log);

    /// <summary>The log lines, without the invocation's EMF document.</summary>
    private List<JsonElement> LogLines() => AllLines().Where(l => !l.TryGetProperty("_aws", out _)).ToList();

    private JsonElement RecordLine(string messageId) =>
        LogLines().Single(l => l.TryGetProperty("messageId", out var id) && id.GetString() == messageId);

    private void PutSucceeds() =>
        _client.Setup(c => c.PutItemAsync(It.IsAny<PutItemRequest>(), It.IsAny<CancellationToken>())).ReturnsAsync(new PutItemResponse());

    [Test]
    public async Task HandleAsync_EnvelopeAndRawBodies_StoresBoth()
    {
        PutSucceeds();
        var records = new[]
        {
            TestEvents.Record(TestEvents.SnsEnvelope(TestEvents.Order("O1")), "m1"),
            TestEvents.Record(TestEvents.Order("O2"), "m2"),
        };

        var response = TestEvents.ReadResponse(await CreateFunction().HandleAsync(TestEvents.EventStream(records)));

        Assert.That(response.BatchItemFailures, Is.Empty);
        _client.Verify(c => c.PutItemAsync(It.Is<PutItemRequest>(r => r.Item["orderId"].S == "O1" && r.Item["messageId"].S == "m1"), It.IsAny<CancellationToken>()), Times.Once);
        _client.Verify(c => c.PutItemAsync(It.Is<PutItemRequest>(r => r.Item["orderId"].S == "O2" && r.Item["messageId"].S == "m2"), It.IsAny<CancellationToken>()), Times.Once);
    }

    [Test]
    public async Task HandleAsync_InvalidRecord_FailsAloneAndSiblingsAreStored()
    {
        PutSucceeds();
        var records = new[]
        {
            TestEvents.Record(TestEvents.Order("O1"), "good-1"),
            TestEvents.Record("""{"orderId":"O2","quantity":"1"}""", "bad"),
            TestEvents.Record(TestEvents.Order("O3"), "good-2"),
        };

        var response = TestEvents.ReadResponse(await CreateFunction().HandleAsync(TestEvents.EventStream(records)));

        Assert.That(response.BatchItemFailures.Select(f => f.ItemIdentifier), Is.EqualTo(new[] { "bad" }));
        _client.Verify(c => c.PutItemAsync(It.IsAny<PutItemRequest>(), It.IsAny<CancellationToken>()), Times.Exactly(2));
        var invalid = RecordLine("bad");
        Assert.That(invalid.GetProperty("outcome").GetString(), Is.EqualTo("invalid"));
        Assert.That(invalid.GetProperty("reason").GetString(), Does.StartWith("quantity: must be a number, not a string"));
        Assert.That(invalid.GetProperty("orderId").GetString(), Is.EqualTo("O2"));
    }

    [Test]
    public async Task HandleAsync_WriteThrows_FailsOnlyThatRecord()
    {
        _client.Setup(c => c.PutItemAsync(It.Is<PutItemRequest>(r => r.Item["orderId"].S == "O2"), It.IsAny<CancellationToken>()))
            .ThrowsAsync(new AmazonDynamoDBException("service unavailable"));
        _client.Setup(c => c.PutItemAsync(It.Is<PutItemRequest>(r => r.Item["orderId"].S != "O2"), It.IsAny<CancellationToken>()))
            .ReturnsAsync(new PutItemResponse());
        var records = new[] { TestEvents.Record(TestEvents.Order("O1"), "m1"), TestEvents.Record(TestEvents.Order("O2"), "m2"), TestEvents.Record(TestEvents.Order("O3"), "m3") };

        var response = TestEvents.ReadResponse(await CreateFunction().HandleAsync(TestEvents.EventStream(records)));

        Assert.That(response.BatchItemFailures.Select(f => f.ItemIdentifier), Is.EqualTo(new[] { "m2" }));
        var failed = RecordLine("m2");
        Assert.That(failed.GetProperty("outcome").GetString(), Is.EqualTo("failed"));
        Assert.That(failed.GetProperty("level").GetString(), Is.EqualTo("ERROR"));
        Assert.That(failed.GetProperty("reason").GetString(), Is.EqualTo("AmazonDynamoDBException: service unavailable"));
    }

    [Test]
    public async Task HandleAsync_ConditionalCheckFailure_IsASuccessLoggedAsDuplicate()
    {
        _client.Setup(c => c.PutItemAsync(It.IsAny<PutItemRequest>(), It.IsAny<CancellationToken>()))
            .ThrowsAsync(new ConditionalCheckFailedException("condition") { Item = StoredVersion(SampleFingerprint) });

        var response = TestEvents.ReadResponse(await CreateFunction().HandleAsync(TestEvents.EventStream(TestEvents.Record(TestEvents.SampleOrder, "m1", receiveCount: 2))));

        Assert.That(response.BatchItemFailures, Is.Empty);
        var line = LogLines()[0];
        Assert.That(line.GetProperty("outcome").GetString(), Is.EqualTo("duplicate"));
        Assert.That(line.GetProperty("receiveCount").GetInt32(), Is.EqualTo(2));
        Assert.That(line.GetProperty("orderId").GetString(), Is.EqualTo("O1234"));
    }

    [Test]
    public async Task HandleAsync_SameTimestampOtherContentStored_IsASuccessLoggedAsConflictWithBothFingerprints()
    {
        var other = new string('f', 64);
        _client.Setup(c => c.PutItemAsync(It.IsAny<PutItemRequest>(), It.IsAny<CancellationToken>()))
            .ThrowsAsync(new ConditionalCheckFailedException("condition") { Item = StoredVersion(other) });

        var response = TestEvents.ReadResponse(await CreateFunction().HandleAsync(TestEvents.EventStream(TestEvents.Record(TestEvents.SampleOrder, "m1"))));

        Assert.That(response.BatchItemFailures, Is.Empty);
        var line = LogLines()[0];
        Assert.That(
            (line.GetProperty("outcome").GetString(), line.GetProperty("fingerprint").GetString(), line.GetProperty("storedFingerprint").GetString(), line.GetProperty("kept").GetString()),
            Is.EqualTo(("conflict", SampleFingerprint, other, "the stored version")));
        Assert.That(LogLines().Single(l => l.GetProperty("message").GetString() == "order batch processed").GetProperty("conflict").GetInt32(), Is.EqualTo(1));
    }

    private static readonly string SampleFingerprint = OrderReader.Read(System.Text.Encoding.UTF8.GetBytes(TestEvents.SampleOrder)).Order!.ComputeFingerprint();

    private static Dictionary<string, AttributeValue> StoredVersion(string fingerprint) => new()
    {
        ["timestamp"] = new AttributeValue { S = "2025-05-03T12:00:00.0000000Z" },
        ["fingerprint"] = new AttributeValue { S = fingerprint },
    };

    [Test]
    public async Task HandleAsync_Batch_LogsOneLinePerRecordAndOneForTheBatch()
    {
        PutSucceeds();
        var records = new[] { TestEvents.Record(TestEvents.Order("O1"), "m1"), TestEvents.Record("nope", "m2") };

        await CreateFunction().HandleAsync(TestEvents.EventStream(records));

        var lines = LogLines();
        Assert.That(lines, Has.Count.EqualTo(3));
        var batch = lines[^1];
        Assert.Multiple(() =>
        {
            Assert.That(batch.GetProperty("message").GetString(), Is.EqualTo("order batch processed"));
            Assert.That(batch.GetProperty("records").GetInt32(), Is.EqualTo(2));
            Assert.That(batch.GetProperty("stored").GetInt32(), Is.EqualTo(1));
            Assert.That(batch.GetProperty("invalid").GetInt32(), Is.EqualTo(1));
            Assert.That(batch.GetProperty("failed").GetInt32(), Is.EqualTo(0));
            Assert.That(lines.Take(2).Select(l => l.GetProperty("durationMs").GetDouble()), Is.All.GreaterThanOrEqualTo(0));
        });
    }

    [Test]
    public async Task HandleAsync_LongRejectedBody_IsLoggedOnlyAsABoundedPrefix()
    {
        var body = "X" + new string('y', 10_000) + "SECRET-TAIL";

        await CreateFunction().HandleAsync(TestEvents.EventStream(TestEvents.Record(body, "m1")));

        var line = LogLines()[0];
        Assert.That(line.GetProperty("bodyPrefix").GetString(), Has.Length.EqualTo(256));
        Assert.That(line.GetProperty("bodyLength").GetInt32(), Is.EqualTo(body.Length));
        Assert.That(_log.ToString(), Does.Not.Contain("SECRET-TAIL"));
    }

    // Only a rejected body is logged (for whoever fixes the producer); an order that was stored is not copied into the log.
    [Test]
    public async Task ProcessAsync_StoredAndBodilessRecords_LogABodyOnlyForTheRejectedOne()
    {
        PutSucceeds();
        var processor = new BatchProcessor(new DynamoDbOrderStore(_client.Object, "Orders-test"), new OrderLog(_log, 256), new ProcessingOptions { MaxConcurrency = 2 });

        await processor.ProcessAsync([TestEvents.Record(TestEvents.Order("O1"), "m-stored"), TestEvents.Record("x", "m-no-body") with { Body = null }], CancellationToken.None);

        Assert.That(RecordLine("m-stored").TryGetProperty("bodyPrefix", out _), Is.False);
        Assert.That(RecordLine("m-no-body").GetProperty("reason").GetString(), Is.EqualTo("body is empty"));
        Assert.That(RecordLine("m-no-body").GetProperty("bodyPrefix").GetString(), Is.Empty);
        Assert.That(RecordLine("m-no-body").GetProperty("bodyLength").GetInt32(), Is.Zero);
    }

    [Test]
    public async Task HandleAsync_BodyWithNewLines_CannotForgeALogLine()
    {
        var body = "oops\n{\"level\":\"INFO\",\"outcome\":\"stored\"}";

        await CreateFunction().HandleAsync(TestEvents.EventStream(TestEvents.Record(body, "m1")));

        Assert.That(AllLines(), Has.Count.EqualTo(3), "one record line, one batch line and the metrics, however many new lines the body holds");
    }

    [Test]
    public async Task ProcessAsync_ManyRecords_RunsAtMostTheBoundAtOnce()
    {
        // One more than the cores: Parallel.ForEachAsync's own default bound is the core count, so a bound equal to it
        // could not tell the configured bound from the default one.
        var bound = Environment.ProcessorCount + 1;
        var store = new GatedStore(openAt: bound);
        var processor = new BatchProcessor(store, new OrderLog(_log, 256), new ProcessingOptions { MaxConcurrency = bound });
        var records = Enumerable.Range(0, (bound * 3) + 1).Select(i => TestEvents.Record(TestEvents.Order($"O{i}"), $"m{i}")).ToArray();

        var response = await processor.ProcessAsync(records, CancellationToken.None);

        Assert.That(response.BatchItemFailures, Is.Empty);
        Assert.That(store.Saved, Is.EqualTo(records.Length));
        Assert.That(store.MaxInFlight, Is.EqualTo(bound));
    }

    [Test]
    public async Task ProcessAsync_BudgetRunsOut_FailsTheUnfinishedRecordsAndAnswers()
    {
        var processor = new BatchProcessor(new NeverAnsweringStore(), new OrderLog(_log, 256), new ProcessingOptions { MaxConcurrency = 2 });
        var records = Enumerable.Range(0, 5).Select(i => TestEvents.Record(TestEvents.Order($"O{i}"), $"m{i}")).Append(TestEvents.Record("bad", "m-bad")).ToArray();
        using var deadline = new CancellationTokenSource(TimeSpan.FromMilliseconds(200));

        var response = await processor.ProcessAsync(records, deadline.Token);

        Assert.That(response.BatchItemFailures.Select(f => f.ItemIdentifier), Is.EquivalentTo(records.Select(r => r.MessageId)));
        var reasons = LogLines().Where(l => l.TryGetProperty("outcome", out var o) && o.GetString() == "failed").Select(l => l.GetProperty("reason").GetString());
        Assert.That(reasons, Has.Exactly(5).EqualTo("the invocation's time budget ran out before the write completed (see FUNCTION_TIMEOUT_SECONDS)"));
    }

    [Test]
    public void HandleAsync_NotAnSqsEvent_Throws()
    {
        var error = Assert.ThrowsAsync<InvalidEventException>(() => CreateFunction().HandleAsync(new MemoryStream("""{"detail-type":"x"}"""u8.ToArray())));

        Assert.That(error!.Message, Is.EqualTo("the input is not an SQS event: it has no \"Records\" array"));
    }

    [Test]
    public void HandleAsync_RecordFromAnotherSource_Throws()
    {
        var stream = new MemoryStream("""{"Records":[{"messageId":"m1","eventSource":"aws:sns","body":"{}"}]}"""u8.ToArray());

        var error = Assert.ThrowsAsync<InvalidEventException>(() => CreateFunction().HandleAsync(stream));

        Assert.That(error!.Message, Is.EqualTo("the input is not an SQS event: a record's eventSource is \"aws:sns\", not \"aws:sqs\""));
    }

    [Test]
    public void HandleAsync_InputNotJson_Throws()
    {
        Assert.ThrowsAsync<InvalidEventException>(() => CreateFunction().HandleAsync(new MemoryStream("not json"u8.ToArray())));
    }

    [Test]
    public async Task HandleAsync_NoRecords_ReturnsNoFailures()
    {
        var output = await CreateFunction().HandleAsync(new MemoryStream("""{"Records":[]}"""u8.ToArray()));

        Assert.That(TestEvents.ReadAll(output), Is.EqualTo("""{"batchItemFailures":[]}"""));
    }

    /// <summary>A store whose writes only end when cancelled, like a table that does not answer.</summary>
    private sealed class NeverAnsweringStore : IOrderStore
    {
        public async Task<SaveResult> SaveAsync(Order order, string messageId, CancellationToken cancellationToken)
        {
            await Task.Delay(Timeout.Infinite, cancellationToken);
            return SaveOutcome.Stored;
        }
    }

    /// <summary>A store that holds every write until <c>openAt</c> writes are in flight at once, recording the most seen.</summary>
    private sealed class GatedStore(int openAt) : IOrderStore
    {
        private readonly TaskCompletionSource _open = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private int _inFlight;
        private int _maxInFlight;
        private int _saved;

        public int MaxInFlight => _maxInFlight;

        public int Saved => _saved;

        public async Task<SaveResult> SaveAsync(Order order, string messageId, CancellationToken cancellationToken)
        {
            var now = Interlocked.Increment(ref _inFlight);
            InterlockedMax(ref _maxInFlight, now);
            if (now >= openAt)
            {
                _open.TrySetResult();
            }

            await _open.Task.WaitAsync(TimeSpan.FromSeconds(10), cancellationToken);
            Interlocked.Increment(ref _saved);
            Interlocked.Decrement(ref _inFlight);
            return SaveOutcome.Stored;
        }

        private static void InterlockedMax(ref int target, int value)
        {
            int seen;
            while (value > (seen = Volatile.Read(ref target)) && Interlocked.CompareExchange(ref target, value, seen) != seen)
            {
            }
        }
    }
}
