using System.Net;
using System.Text;
using OrderProcessor.Orders;
using OrderProcessor.Runtime;

namespace OrderProcessor.Fuzz;

/// <summary>
/// The function's byte-level entry points, each as a fuzz target: bytes in, a documented outcome out. A documented
/// outcome is a value, or the one exception the entry point's contract names; any other exception escapes, and the
/// fuzzer (or the replay test, OrderProcessor.Tests/Fuzz/FuzzCorpusTests.cs) reports it.
/// </summary>
public static class FuzzTargets
{
    public static readonly IReadOnlyList<string> Names = ["sqs-event", "body", "order", "runtime-api"];

    private static readonly Lazy<Function> SqsFunction = new(() =>
        new Function(new FunctionSettings { TableName = "Orders-fuzz" }, OrderProcessor.Benchmarks.InMemoryDynamoDb.Create(), TextWriter.Null));

    public static Action<byte[]> Get(string name) => name switch
    {
        "sqs-event" => SqsEvent,
        "body" => Body,
        "order" => Order,
        "runtime-api" => RuntimeApi,
        _ => throw new ArgumentException($"no fuzz target {name}; the targets: {string.Join(", ", Names)}", nameof(name)),
    };

    /// <summary>A whole invocation's input, as Lambda hands it over: a batch answer, or InvalidEventException for what is no SQS event.</summary>
    public static void SqsEvent(byte[] input)
    {
        try
        {
            using var output = SqsFunction.Value.HandleAsync(new MemoryStream(input, writable: false)).GetAwaiter().GetResult();
        }
        catch (InvalidEventException)
        {
            // The documented answer to an input that is not an SQS event: the invocation fails, the batch returns.
        }
    }

    /// <summary>An SQS message body (an SNS envelope or the order itself), as the function reads it: never throws.</summary>
    public static void Body(byte[] input) => MessageBodyParser.Parse(Encoding.UTF8.GetString(input));

    /// <summary>The order's JSON bytes, after any envelope: never throws.</summary>
    public static void Order(byte[] input) => OrderReader.Read(input);

    /// <summary>
    /// The Runtime API's answer to "next", as the project's client reads it: the input's first lines are the status
    /// code and the headers' values (request id, deadline, function ARN, trace id), the rest the event. Documented:
    /// the event and its context, or RuntimeApiException.
    /// </summary>
    public static void RuntimeApi(byte[] input)
    {
        var text = input.AsSpan();
        var parts = new string?[5];
        for (var i = 0; i < parts.Length; i++)
        {
            var end = text.IndexOf((byte)'\n');
            if (end < 0)
            {
                break;
            }

            parts[i] = Encoding.UTF8.GetString(text[..end]);
            text = text[(end + 1)..];
        }

        var status = int.TryParse(parts[0], out var code) && code is >= 100 and <= 599 ? (HttpStatusCode)code : HttpStatusCode.OK;
        var response = new HttpResponseMessage(status) { Content = new ByteArrayContent(text.ToArray()) };
        AddHeader(response, RuntimeApiHeaders.RequestId, parts[1]);
        AddHeader(response, RuntimeApiHeaders.DeadlineMs, parts[2]);
        AddHeader(response, RuntimeApiHeaders.InvokedFunctionArn, parts[3]);
        AddHeader(response, RuntimeApiHeaders.TraceId, parts[4]);
        using var client = new RuntimeApiClient("127.0.0.1:9001", new FixedAnswer(response));
        try
        {
            client.NextAsync().GetAwaiter().GetResult();
        }
        catch (RuntimeApiException)
        {
            // The client's documented answer to a response it cannot take.
        }
    }

    private static void AddHeader(HttpResponseMessage response, string name, string? value)
    {
        if (value is not null)
        {
            response.Headers.TryAddWithoutValidation(name, value);
        }
    }
}

/// <summary>Answers every request with one response, without I/O (also the Runtime API client's tests' handler).</summary>
internal sealed class FixedAnswer(HttpResponseMessage response) : HttpMessageHandler
{
    protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken) => Task.FromResult(response);
}
