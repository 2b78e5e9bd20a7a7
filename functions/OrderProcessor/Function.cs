using System.Diagnostics;
using System.Text.Json;
using Amazon.DynamoDBv2;
using Amazon.Runtime;
using Amazon.SQS;
using OrderProcessor.Contracts;
using OrderProcessor.Orders;
using OrderProcessor.Processing;
using OrderProcessor.Runtime;
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
    private readonly RetryScheduler? _retries;
    private int _invocations;
    private readonly OrderLog _log;
    private readonly (TimeSpan Budget, TimeSpan Margin)? _time;

    /// <summary>
    /// Called once per execution environment by the runtime: reads the settings, creates the clients and
    /// primes them (see <see cref="Prime"/>), so that first-call costs land in init rather than on the first batch.
    /// </summary>
    public Function()
        : this(FunctionSettings.FromEnvironment(Environment.GetEnvironmentVariable), client: null, StandardOutput())
    {
        Prime();
    }

    /// <summary>
    /// Standard output itself, not <see cref="Console.Out"/>: in JSON log format the dotnet10 runtime replaces
    /// Console.Out with a writer that wraps each line into its own JSON object, which would bury the EMF documents
    /// where CloudWatch does not extract them (https://docs.aws.amazon.com/lambda/latest/dg/monitoring-cloudwatchlogs-logformat.html;
    /// Powertools for .NET writes to the raw stream for the same reason). On provided.al2023 nothing wraps stdout.
    /// </summary>
    private static TextWriter StandardOutput() => new StreamWriter(Console.OpenStandardOutput(), new System.Text.UTF8Encoding(false)) { AutoFlush = true };

    /// <summary>For tests and hosts: explicit settings, clients and log. The SQS client is made when the settings turn backoff on and none is given.</summary>
    public Function(FunctionSettings settings, IAmazonDynamoDB? client, TextWriter log, IAmazonSQS? sqs = null)
    {
        ArgumentNullException.ThrowIfNull(settings);
        var options = new ProcessingOptions { MaxConcurrency = settings.MaxConcurrency };
        _time = settings.FunctionTimeout is { } timeout ? FunctionSettings.Budget(timeout) : null;
        _store = new DynamoDbOrderStore(client ?? CreateClient(), settings.TableName);
        _log = new OrderLog(log, options.LoggedBodyPrefix, settings.LogLevel, settings.FunctionName, settings.FunctionVersion);
        if (settings is { QueueUrl: { } queueUrl, Backoff: { } backoff })
        {
            _retries = new RetryScheduler(sqs ?? CreateQueueClient(), queueUrl, backoff, _log);
        }

        _processor = new BatchProcessor(_store, _log, options, _retries);
    }

    /// <summary>
    /// Does once, during init, the work a first batch would otherwise pay for: the parsing and response code
    /// paths run on a built-in sample; the DynamoDB client reads a key no order can have
    /// (<see cref="DynamoDbOrderStore.PrimingKey"/>) and the SQS client one attribute of the queue, at once, which
    /// resolves their endpoints and credentials, builds their request pipelines and opens their connections; the
    /// code paths run while those two requests are on the wire. Nothing is written. A passing failure (the table
    /// unreachable, say) is logged and ignored: the first batch pays instead. A failure no retry can fix (no permission,
    /// no such table or queue: <see cref="IsConfigurationError"/>) fails the init, so this version never gets an order.
    /// </summary>
    public void Prime()
    {
        var started = Stopwatch.GetTimestamp();
        using var limit = new CancellationTokenSource(PrimingLimit);
        // The round trips first, on the thread pool, so that the code paths below run while they are on the wire.
        var network = Task.WhenAll(
            Task.Run(() => _store.PrimeAsync(limit.Token)),
            _retries is { } retries ? Task.Run(() => retries.PrimeAsync(limit.Token)) : Task.CompletedTask);
        var parsed = MessageBodyParser.Parse(PrimingSample);
        _ = _store.BuildPutItem(parsed.Order!, "priming", parsed.Order!.ComputeFingerprint());
        _ = JsonSerializer.SerializeToUtf8Bytes(new SqsBatchResponse { BatchItemFailures = [new BatchItemFailure { ItemIdentifier = "priming" }] }, ContractsJsonContext.Default.SqsBatchResponse);
        _ = JsonSerializer.Deserialize("""{"Records":[{"messageId":"priming","eventSource":"aws:sqs","body":"","attributes":{}}]}"""u8, ContractsJsonContext.Default.SqsEvent);
        string? failure = null;
        try
        {
            network.GetAwaiter().GetResult();
        }
        catch (Exception e) when (FirstConfigurationError(network, e) is { } fatal)
        {
            e = fatal;
            // Not a passing fault: this version cannot reach its table or queue at all (no permission, no such
            // resource, no valid credentials). Failing the init fails the deployment's smoke invocation, so the
            // alias stays on the version that works instead of moving to one that would fail every order.
            throw new InvalidOperationException($"the function cannot use its table or queue, so it does not start: {e.GetType().Name}: {e.Message}", e);
        }
        catch (Exception e)
        {
            failure = $"{e.GetType().Name}: {e.Message}";
        }

        _log.Notice(failure is null ? LogLevel.Debug : LogLevel.Warn, failure is null ? "function primed" : $"function priming failed, the first batch will be slower: {failure}", Stopwatch.GetElapsedTime(started));
    }

    /// <summary>
    /// Error codes that no retry can fix: the role lacks a permission, the table or queue does not exist, the credentials
    /// are not valid (DynamoDB's and SQS's documented common and operation errors). Anything else met while priming (a
    /// timeout, throttling, a 5xx) may pass, and only makes the first batch slower.
    /// </summary>
    private static readonly HashSet<string> ConfigurationErrorCodes = new(StringComparer.Ordinal)
    {
        "AccessDeniedException", "AccessDenied", "ResourceNotFoundException", "AWS.SimpleQueueService.NonExistentQueue",
        "QueueDoesNotExist", "UnrecognizedClientException", "InvalidClientTokenId", "MissingAuthenticationToken", "InvalidSignatureException",
    };

    /// <summary>
    /// The first of the priming requests' failures that no retry can fix, looked for in all of them: awaiting
    /// <c>Task.WhenAll</c> rethrows only the first, and a passing fault of the table must not hide the queue's denial.
    /// </summary>
    private static Exception? FirstConfigurationError(Task network, Exception thrown) =>
        (network.Exception?.InnerExceptions ?? (IReadOnlyCollection<Exception>)[thrown]).FirstOrDefault(IsConfigurationError);

    /// <summary>Whether a priming failure means this version cannot work at all (see <see cref="ConfigurationErrorCodes"/>).</summary>
    internal static bool IsConfigurationError(Exception error) => error switch
    {
        AggregateException aggregate => aggregate.InnerExceptions.Any(IsConfigurationError),
        AmazonServiceException service => service.ErrorCode is { } code && ConfigurationErrorCodes.Contains(code),
        _ => false,
    };

    /// <summary>An SNS envelope of a valid order, for <see cref="Prime"/>.</summary>
    private const string PrimingSample =
        """{"Type":"Notification","Message":"{\"orderId\":\"P1\",\"userId\":\"U1\",\"itemName\":\"Priming\",\"quantity\":1,\"status\":\"new\",\"timestamp\":\"2025-05-03T12:00:00Z\"}"}""";

    /// <summary>
    /// The managed runtime's entry point: processes one batch and returns <c>{"batchItemFailures":[…]}</c>, within
    /// the budget that <c>FUNCTION_TIMEOUT_SECONDS</c> gives. Throws only when the input is not an SQS event.
    /// </summary>
    public Task<Stream> HandleAsync(Stream input)
    {
        // The managed runtime gives a Stream handler no request id; it sets the trace id in the environment.
        _log.Begin(new InvocationScope(RequestId: null, Environment.GetEnvironmentVariable(LambdaVariables.TraceId), Interlocked.Increment(ref _invocations) == 1));
        return ProcessAsync(input, _time);
    }

    /// <summary>
    /// The custom runtime's entry point (<see cref="Bootstrap"/>): the same, within the time the Runtime API's deadline
    /// leaves. Not named <c>HandleAsync</c>: Lambda's dotnet runtime finds the handler's method by name among all the
    /// type's methods, public or not, and refuses a name that has overloads (aws/aws-lambda-dotnet,
    /// Libraries/src/Amazon.Lambda.RuntimeSupport/Bootstrap/UserCodeLoader.cs, FindCustomerMethodByName); a test
    /// holds <c>HandleAsync</c> to one method.
    /// </summary>
    public Task<Stream> InvokeAsync(Stream input, InvocationContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        _log.Begin(new InvocationScope(context.RequestId, context.TraceId, Interlocked.Increment(ref _invocations) == 1));
        return ProcessAsync(input, FunctionSettings.Budget(context.Deadline - DateTimeOffset.UtcNow));
    }

    /// <param name="time">The time writes may take, and the margin after it for the visibility change (half) and the answer.</param>
    private async Task<Stream> ProcessAsync(Stream input, (TimeSpan Budget, TimeSpan Margin)? time)
    {
        using var deadline = time is { } t ? new CancellationTokenSource(t.Budget) : null;
        using var answerBy = time is { } u ? new CancellationTokenSource(u.Budget + (u.Margin / 2)) : null;
        var sqsEvent = await ReadEventAsync(input).ConfigureAwait(false);
        var response = await _processor.ProcessAsync(sqsEvent.Records!, deadline?.Token ?? CancellationToken.None, answerBy?.Token ?? CancellationToken.None).ConfigureAwait(false);
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
    /// <remarks>
    /// Standard retry mode with two retries (three attempts): exponential backoff with jitter on throttling, 5xx
    /// and transient network errors (https://docs.aws.amazon.com/sdkref/latest/guide/feature-retry-behavior.html).
    /// Not adaptive: its client-side rate limiter can hold a request past the invocation's time budget, and a
    /// throttling that outlasts three attempts is the visibility backoff's job (<see cref="RetryScheduler"/>),
    /// which waits minutes without holding an invocation.
    /// </remarks>
    private static AmazonDynamoDBClient CreateClient() =>
        new(new AmazonDynamoDBConfig { RetryMode = RequestRetryMode.Standard, MaxErrorRetry = 2 });

    /// <summary>One SQS client per process, for the visibility changes; <c>AWS_ENDPOINT_URL_SQS</c> points it at a local SQS.</summary>
    private static AmazonSQSClient CreateQueueClient() =>
        new(new AmazonSQSConfig { RetryMode = RequestRetryMode.Standard, MaxErrorRetry = 2 });
}
