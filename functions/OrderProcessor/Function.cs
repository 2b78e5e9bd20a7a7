using System.Diagnostics;
using System.Text.Json;
using Amazon.DynamoDBv2;
using Amazon.Runtime;
using OrderProcessor.Contracts;
using OrderProcessor.Orders;
using OrderProcessor.Processing;
using OrderProcessor.Storage;

namespace OrderProcessor;

/// <summary>
/// The Lambda entry point (<c>OrderProcessor::OrderProcessor.Function::HandleAsync</c>, defined once in
/// <c>aws-lambda-tools-defaults.json</c>). It takes and returns a <see cref="Stream"/>, so the managed
/// runtime needs no serializer: the SQS event in, the partial batch response out.
/// </summary>
public sealed class Function
{
    /// <summary>The longest priming may take; past it, init goes on and the first batch pays the rest.</summary>
    private static readonly TimeSpan PrimingLimit = TimeSpan.FromSeconds(2);

    private readonly BatchProcessor _processor;
    private readonly DynamoDbOrderStore _store;
    private readonly OrderLog _log;
    private readonly TimeSpan? _budget;

    /// <summary>
    /// Called once per execution environment by the runtime: reads the settings, creates the client and
    /// primes it (see <see cref="Prime"/>), so that first-call costs land in init rather than on the first batch.
    /// </summary>
    public Function()
        : this(FunctionSettings.FromEnvironment(Environment.GetEnvironmentVariable), client: null, Console.Out)
    {
        Prime();
    }

    /// <summary>For tests and hosts: explicit settings, client and log.</summary>
    public Function(FunctionSettings settings, IAmazonDynamoDB? client, TextWriter log)
    {
        ArgumentNullException.ThrowIfNull(settings);
        var options = new ProcessingOptions { MaxConcurrency = settings.MaxConcurrency };
        _budget = settings.InvocationBudget;
        _store = new DynamoDbOrderStore(client ?? CreateClient(), settings.TableName);
        _log = new OrderLog(log, options.LoggedBodyPrefix);
        _processor = new BatchProcessor(_store, _log, options);
    }

    /// <summary>
    /// Does once, during init, the work a first batch would otherwise pay for: the parsing and response code
    /// paths run on a built-in sample, and the client reads a key no order can have (<see cref="DynamoDbOrderStore.PrimingKey"/>), which resolves its
    /// endpoint and credentials, builds its request pipeline and opens a connection. Nothing is written.
    /// A failure (the table unreachable, say) is logged and ignored: the first batch then pays instead.
    /// </summary>
    public void Prime()
    {
        var started = Stopwatch.GetTimestamp();
        var parsed = MessageBodyParser.Parse(PrimingSample);
        _ = _store.BuildPutItem(parsed.Order!, "priming", parsed.Order!.ComputeFingerprint());
        _ = JsonSerializer.SerializeToUtf8Bytes(new SqsBatchResponse { BatchItemFailures = [new BatchItemFailure { ItemIdentifier = "priming" }] }, ContractsJsonContext.Default.SqsBatchResponse);
        _ = JsonSerializer.Deserialize("""{"Records":[{"messageId":"priming","eventSource":"aws:sqs","body":"","attributes":{}}]}"""u8, ContractsJsonContext.Default.SqsEvent);
        string? failure = null;
        try
        {
            using var limit = new CancellationTokenSource(PrimingLimit);
            _store.PrimeAsync(limit.Token).GetAwaiter().GetResult();
        }
        catch (Exception e)
        {
            failure = $"{e.GetType().Name}: {e.Message}";
        }

        _log.Notice(failure is null ? "INFO" : "WARN", failure is null ? "function primed" : $"function priming failed, the first batch will be slower: {failure}", Stopwatch.GetElapsedTime(started));
    }

    /// <summary>An SNS envelope of a valid order, for <see cref="Prime"/>.</summary>
    private const string PrimingSample =
        """{"Type":"Notification","Message":"{\"orderId\":\"P1\",\"userId\":\"U1\",\"itemName\":\"Priming\",\"quantity\":1,\"status\":\"new\",\"timestamp\":\"2025-05-03T12:00:00Z\"}"}""";

    /// <summary>Processes one batch and returns <c>{"batchItemFailures":[…]}</c>. Throws only when the input is not an SQS event.</summary>
    public async Task<Stream> HandleAsync(Stream input)
    {
        using var deadline = _budget is { } budget ? new CancellationTokenSource(budget) : null;
        var sqsEvent = await ReadEventAsync(input).ConfigureAwait(false);
        var response = await _processor.ProcessAsync(sqsEvent.Records!, deadline?.Token ?? CancellationToken.None).ConfigureAwait(false);
        var output = new MemoryStream(capacity: 64 + (response.BatchItemFailures.Count * 64));
        JsonSerializer.Serialize(output, response, ContractsJsonContext.Default.SqsBatchResponse);
        output.Position = 0;
        return output;
    }

    private static async Task<SqsEvent> ReadEventAsync(Stream input)
    {
        SqsEvent? sqsEvent;
        try
        {
            sqsEvent = await JsonSerializer.DeserializeAsync(input, ContractsJsonContext.Default.SqsEvent).ConfigureAwait(false);
        }
        catch (JsonException e)
        {
            throw new InvalidEventException($"the input is not an SQS event: {e.Message}", e);
        }

        if (sqsEvent?.Records is null)
        {
            throw new InvalidEventException("the input is not an SQS event: it has no \"Records\" array");
        }

        foreach (var record in sqsEvent.Records)
        {
            if (record is null || string.IsNullOrEmpty(record.MessageId))
            {
                throw new InvalidEventException("the input is not an SQS event: a record has no \"messageId\"");
            }

            if (record.EventSource is not null && record.EventSource != "aws:sqs")
            {
                throw new InvalidEventException($"the input is not an SQS event: a record's eventSource is \"{record.EventSource}\", not \"aws:sqs\"");
            }
        }

        return sqsEvent;
    }

    /// <summary>
    /// One client per process. Region, credentials and endpoint come from the SDK's standard settings
    /// (<c>AWS_REGION</c>, the role's credentials, <c>AWS_ENDPOINT_URL_DYNAMODB</c> for a local DynamoDB).
    /// </summary>
    private static AmazonDynamoDBClient CreateClient() =>
        new(new AmazonDynamoDBConfig { RetryMode = RequestRetryMode.Standard, MaxErrorRetry = 3 });
}
