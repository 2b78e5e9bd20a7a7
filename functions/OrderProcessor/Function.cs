using System.Text.Json;
using Amazon.DynamoDBv2;
using Amazon.Runtime;
using OrderProcessor.Contracts;
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
    private readonly BatchProcessor _processor;
    private readonly TimeSpan? _budget;

    /// <summary>Called once per execution environment by the runtime: reads the settings and creates the client.</summary>
    public Function()
        : this(FunctionSettings.FromEnvironment(Environment.GetEnvironmentVariable), client: null, Console.Out)
    {
    }

    /// <summary>For tests and hosts: explicit settings, client and log.</summary>
    public Function(FunctionSettings settings, IAmazonDynamoDB? client, TextWriter log)
    {
        ArgumentNullException.ThrowIfNull(settings);
        var options = new ProcessingOptions { MaxConcurrency = settings.MaxConcurrency };
        _budget = settings.InvocationBudget;
        _processor = new BatchProcessor(
            new DynamoDbOrderStore(client ?? CreateClient(), settings.TableName),
            new OrderLog(log, options.LoggedBodyPrefix),
            options);
    }

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
