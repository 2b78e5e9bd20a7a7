using Amazon.DynamoDBv2;
using Amazon.DynamoDBv2.Model;
using Amazon.SQS;
using Amazon.SQS.Model;
using Moq;
using OrderProcessor.Orders;
using OrderProcessor.Processing;
using OrderProcessor.Runtime;
using OrderProcessor.Storage;
using OrderProcessor.Tests.Runtime;

namespace OrderProcessor.Tests.Async;

/// <summary>
/// The function's awaits never resume on the caller's <see cref="SynchronizationContext"/> (<c>ConfigureAwait(false)</c>).
/// Lambda's hosts have none, but a host that has one and blocks on the returned task would deadlock on a single
/// continuation posted back to it (https://devblogs.microsoft.com/dotnet/configureawait-faq/). Each test starts a call
/// under a context that counts what is posted to it, with the I/O it awaits finishing later on the thread pool, and
/// expects nothing posted. Only the awaits a call reaches on the caller's thread can be seen this way: those after
/// I/O that really waited run on the thread pool, where there is no context to return to.
/// </summary>
public sealed class NoCapturedContextTests
{
    private static readonly Order Sample = new("O1234", "U123", "Laptop", 1, "new", new DateTimeOffset(2025, 5, 3, 12, 0, 0, TimeSpan.Zero));

    private readonly Mock<IAmazonDynamoDB> _dynamo = new(MockBehavior.Strict);
    private readonly Mock<IAmazonSQS> _sqs = new(MockBehavior.Strict);
    private readonly StringWriter _log = new();

    /// <summary>Opened once the call has returned its task: until then no awaited I/O can have finished.</summary>
    private readonly TaskCompletionSource _answered = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>A result that arrives after the call has returned, on the thread pool, as a network answer does.</summary>
    private async Task<T> Later<T>(T value)
    {
        await _answered.Task.ConfigureAwait(false);
        return value;
    }

    /// <summary>How many continuations were posted to the caller's context by the call <paramref name="start"/> makes.</summary>
    private async Task<int> PostsToTheCallersContext(Func<Task> start)
    {
        var context = new CountingContext();
        var previous = SynchronizationContext.Current;
        Task call;
        SynchronizationContext.SetSynchronizationContext(context);
        try
        {
            call = start();
        }
        finally
        {
            SynchronizationContext.SetSynchronizationContext(previous);
        }

        _answered.SetResult();
        await call;
        return context.Posts;
    }

    [Test]
    public async Task RuntimeApiClient_NextAsync_DoesNotResumeOnTheCallersContext()
    {
        var api = new FakeRuntimeApi();
        api.Enqueue("id-1", "{}");
        using var client = new RuntimeApiClient("127.0.0.1:9001", new AnswersLater(api, _answered.Task));

        Assert.That(await PostsToTheCallersContext(() => client.NextAsync()), Is.Zero);
    }

    [Test]
    public async Task RuntimeApiClient_SendResponseAsync_DoesNotResumeOnTheCallersContext()
    {
        using var client = new RuntimeApiClient("127.0.0.1:9001", new AnswersLater(new FakeRuntimeApi(), _answered.Task));

        Assert.That(await PostsToTheCallersContext(() => client.SendResponseAsync("id-1", new MemoryStream("{}"u8.ToArray()))), Is.Zero);
    }

    [Test]
    public async Task RuntimeApiClient_SendErrorAsync_DoesNotResumeOnTheCallersContext()
    {
        using var client = new RuntimeApiClient("127.0.0.1:9001", new AnswersLater(new FakeRuntimeApi(), _answered.Task));

        Assert.That(await PostsToTheCallersContext(() => client.SendErrorAsync("id-1", new InvalidOperationException("no"))), Is.Zero);
    }

    [Test]
    public async Task OrderStore_Write_DoesNotResumeOnTheCallersContext()
    {
        _dynamo.Setup(c => c.PutItemAsync(It.IsAny<PutItemRequest>(), It.IsAny<CancellationToken>())).Returns(() => Later(new PutItemResponse()));
        var store = new DynamoDbOrderStore(_dynamo.Object, "Orders-test");

        Assert.That(await PostsToTheCallersContext(() => store.SaveAsync(Sample, "m1", CancellationToken.None)), Is.Zero);
    }

    // The refusal arrives at once (an already failed task), so the read of the stored version is awaited on the caller's thread.
    [Test]
    public async Task OrderStore_ReadAfterARefusedWrite_DoesNotResumeOnTheCallersContext()
    {
        _dynamo.Setup(c => c.PutItemAsync(It.IsAny<PutItemRequest>(), It.IsAny<CancellationToken>()))
            .Returns(Task.FromException<PutItemResponse>(new ConditionalCheckFailedException("the stored version is newer")));
        _dynamo.Setup(c => c.GetItemAsync(It.IsAny<GetItemRequest>(), It.IsAny<CancellationToken>())).Returns(() => Later(new GetItemResponse()));
        var store = new DynamoDbOrderStore(_dynamo.Object, "Orders-test");

        Assert.That(await PostsToTheCallersContext(() => store.SaveAsync(Sample, "m1", CancellationToken.None)), Is.Zero);
    }

    [Test]
    public async Task OrderStore_Priming_DoesNotResumeOnTheCallersContext()
    {
        _dynamo.Setup(c => c.GetItemAsync(It.IsAny<GetItemRequest>(), It.IsAny<CancellationToken>())).Returns(() => Later(new GetItemResponse()));
        var store = new DynamoDbOrderStore(_dynamo.Object, "Orders-test");

        Assert.That(await PostsToTheCallersContext(() => store.PrimeAsync(CancellationToken.None)), Is.Zero);
    }

    [TestCase(1, TestName = "BatchProcessor_OneRecord_DoesNotResumeOnTheCallersContext")]
    [TestCase(3, TestName = "BatchProcessor_SeveralRecords_DoesNotResumeOnTheCallersContext")]
    public async Task BatchProcessor_Records_DoNotResumeOnTheCallersContext(int count)
    {
        _dynamo.Setup(c => c.PutItemAsync(It.IsAny<PutItemRequest>(), It.IsAny<CancellationToken>())).Returns(() => Later(new PutItemResponse()));
        var processor = new BatchProcessor(new DynamoDbOrderStore(_dynamo.Object, "Orders-test"), new OrderLog(_log, 256), new ProcessingOptions { MaxConcurrency = 2 });
        var records = Enumerable.Range(0, count).Select(i => TestEvents.Record(TestEvents.Order($"O{i}"), $"m{i}")).ToArray();

        Assert.That(await PostsToTheCallersContext(() => processor.ProcessAsync(records, CancellationToken.None)), Is.Zero);
    }

    // An invalid record needs no I/O, so the visibility change that releases it is awaited on the caller's thread.
    [Test]
    public async Task BatchProcessor_VisibilityChange_DoesNotResumeOnTheCallersContext()
    {
        _sqs.Setup(c => c.ChangeMessageVisibilityBatchAsync(It.IsAny<ChangeMessageVisibilityBatchRequest>(), It.IsAny<CancellationToken>()))
            .Returns(() => Later(new ChangeMessageVisibilityBatchResponse()));
        var log = new OrderLog(_log, 256);
        var retries = new RetryScheduler(_sqs.Object, "https://sqs.us-east-1.amazonaws.com/000000000000/OrderQueue-test", new BackoffSchedule(10, 20), log);
        var processor = new BatchProcessor(new DynamoDbOrderStore(_dynamo.Object, "Orders-test"), log, new ProcessingOptions { MaxConcurrency = 2 }, retries);
        var record = TestEvents.Record("not an order", "m1") with { ReceiptHandle = "handle-m1" };

        Assert.That(await PostsToTheCallersContext(() => processor.ProcessAsync([record], CancellationToken.None)), Is.Zero);
        _sqs.Verify(c => c.ChangeMessageVisibilityBatchAsync(It.IsAny<ChangeMessageVisibilityBatchRequest>(), It.IsAny<CancellationToken>()), Times.Once);
    }

    /// <summary>A context like a UI thread's: whatever is posted to it is counted (and then run on the thread pool).</summary>
    private sealed class CountingContext : SynchronizationContext
    {
        private int _posts;

        public int Posts => Volatile.Read(ref _posts);

        public override void Post(SendOrPostCallback d, object? state)
        {
            Interlocked.Increment(ref _posts);
            ThreadPool.QueueUserWorkItem(_ => d(state));
        }

        public override void Send(SendOrPostCallback d, object? state)
        {
            Interlocked.Increment(ref _posts);
            d(state);
        }
    }

    /// <summary>The Runtime API answering once <paramref name="answered"/> completes, on the thread pool, as over a socket.</summary>
    private sealed class AnswersLater(HttpMessageHandler api, Task answered) : DelegatingHandler(api)
    {
        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            await answered.ConfigureAwait(false);
            return await base.SendAsync(request, cancellationToken).ConfigureAwait(false);
        }
    }
}
