using System.Buffers;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;

namespace OrderProcessor.Runtime;

/// <summary>
/// The four calls of the Lambda Runtime API that a custom runtime makes: next invocation, invocation response,
/// invocation error and init error (https://docs.aws.amazon.com/lambda/latest/dg/runtimes-api.html). Small on
/// purpose: the package feed has no Amazon.Lambda.RuntimeSupport, and a Native AOT start pays for every type.
/// </summary>
public sealed class RuntimeApiClient : IDisposable
{
    private static readonly MediaTypeHeaderValue Json = new("application/json");

    /// <summary>The error bodies' media type, as Lambda's own .NET client sends it (Amazon.Lambda.RuntimeSupport, Client/InternalClientAdapted.cs).</summary>
    private static readonly MediaTypeHeaderValue ErrorJson = new("application/vnd.aws.lambda.error+json");

    private readonly HttpClient _http;

    /// <param name="endpoint">host:port, the value of <see cref="LambdaVariables.RuntimeApi"/>.</param>
    /// <param name="handler">For tests: the message handler. Default: a plain socket handler.</param>
    public RuntimeApiClient(string endpoint, HttpMessageHandler? handler = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(endpoint);
        _http = new HttpClient(handler ?? CreateHandler())
        {
            BaseAddress = new Uri($"http://{endpoint}/{RuntimeApiHeaders.Version}/runtime/"),
            // "next" blocks until there is an invocation, for as long as the environment lives.
            Timeout = Timeout.InfiniteTimeSpan,
        };
    }

    /// <summary>
    /// The handler the client uses outside tests: the Runtime API is on the environment's own network, so no proxy from the
    /// environment's variables (HTTP_PROXY) carries its calls; it keeps no cookies and decompresses nothing.
    /// </summary>
    internal static SocketsHttpHandler CreateHandler() =>
        new() { UseProxy = false, UseCookies = false, AutomaticDecompression = DecompressionMethods.None };

    /// <summary>The latest deadline a <see cref="DateTimeOffset"/> holds, in milliseconds since the epoch.</summary>
    private static readonly long MaxDeadlineMs = DateTimeOffset.MaxValue.ToUnixTimeMilliseconds();

    /// <summary>Waits for the next invocation: its event and context. Throws when the API answers anything but 200.</summary>
    public async Task<(byte[] Event, InvocationContext Context)> NextAsync(CancellationToken cancellationToken = default)
    {
        using var response = await _http.GetAsync("invocation/next", HttpCompletionOption.ResponseContentRead, cancellationToken).ConfigureAwait(false);
        await EnsureAsync(response, "next invocation").ConfigureAwait(false);
        var headers = response.Headers;
        var requestId = Header(headers, RuntimeApiHeaders.RequestId)
            ?? throw new RuntimeApiException($"the next invocation has no {RuntimeApiHeaders.RequestId} header");
        // Milliseconds since the epoch (the Runtime API reference, "Next invocation"); a value past what a date can hold
        // is no deadline either (FromUnixTimeMilliseconds would throw ArgumentOutOfRangeException: found by npm run fuzz).
        var deadline = long.TryParse(Header(headers, RuntimeApiHeaders.DeadlineMs), NumberStyles.None, CultureInfo.InvariantCulture, out var ms) && ms <= MaxDeadlineMs
            ? DateTimeOffset.FromUnixTimeMilliseconds(ms)
            : throw new RuntimeApiException($"the next invocation has no valid {RuntimeApiHeaders.DeadlineMs} header");
        var context = new InvocationContext(requestId, deadline, Header(headers, RuntimeApiHeaders.InvokedFunctionArn), Header(headers, RuntimeApiHeaders.TraceId));
        return (await response.Content.ReadAsByteArrayAsync(cancellationToken).ConfigureAwait(false), context);
    }

    /// <summary>Posts the function's answer to an invocation.</summary>
    public async Task SendResponseAsync(string requestId, Stream output, CancellationToken cancellationToken = default)
    {
        using var content = new StreamContent(output);
        content.Headers.ContentType = Json;
        using var response = await _http.PostAsync($"invocation/{Uri.EscapeDataString(requestId)}/response", content, cancellationToken).ConfigureAwait(false);
        await EnsureAsync(response, "invocation response").ConfigureAwait(false);
    }

    /// <summary>Posts that an invocation failed, in the documented shape: <c>{"errorMessage","errorType","stackTrace"}</c>.</summary>
    public Task SendErrorAsync(string requestId, Exception error, CancellationToken cancellationToken = default) =>
        PostErrorAsync($"invocation/{Uri.EscapeDataString(requestId)}/error", $"Function.{error.GetType().Name}", error, "invocation error", cancellationToken);

    /// <summary>Posts that the function could not start; Lambda then reports it and discards the environment.</summary>
    /// <param name="errorType">The <c>Lambda-Runtime-Function-Error-Type</c> header, or null to send none.</param>
    public Task SendInitErrorAsync(Exception error, string? errorType, CancellationToken cancellationToken = default) =>
        PostErrorAsync("init/error", errorType, error, "init error", cancellationToken);

    /// <summary>
    /// The error body, written without reflection: the documented <c>errorMessage</c>, <c>errorType</c> and
    /// <c>stackTrace</c>, and, as Lambda's .NET client adds it, the inner exception as <c>cause</c> in the same shape
    /// (Amazon.Lambda.RuntimeSupport, ExceptionHandling/LambdaJsonExceptionWriter.cs), so that a constructor's own error
    /// is not hidden behind reflection's TargetInvocationException.
    /// </summary>
    public static byte[] ErrorBody(Exception error)
    {
        var buffer = new ArrayBufferWriter<byte>(256);
        using (var json = new Utf8JsonWriter(buffer))
        {
            WriteError(json, error, depth: 0);
        }

        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>Causes deeper than this are left out: an error body is for people, and Lambda caps it (256 KB).</summary>
    private const int MaxCauseDepth = 8;

    private static void WriteError(Utf8JsonWriter json, Exception error, int depth)
    {
        json.WriteStartObject();
        json.WriteString("errorMessage", error.Message);
        json.WriteString("errorType", error.GetType().Name);
        json.WriteStartArray("stackTrace");
        foreach (var line in (error.StackTrace ?? string.Empty).Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            json.WriteStringValue(line);
        }

        json.WriteEndArray();
        if (error.InnerException is { } inner && depth < MaxCauseDepth)
        {
            json.WritePropertyName("cause");
            WriteError(json, inner, depth + 1);
        }

        json.WriteEndObject();
    }

    public void Dispose() => _http.Dispose();

    private async Task PostErrorAsync(string path, string? errorType, Exception error, string what, CancellationToken cancellationToken)
    {
        using var content = new ByteArrayContent(ErrorBody(error));
        content.Headers.ContentType = ErrorJson;
        using var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = content };
        if (errorType is not null)
        {
            request.Headers.TryAddWithoutValidation(RuntimeApiHeaders.FunctionErrorType, errorType);
        }

        using var response = await _http.SendAsync(request, cancellationToken).ConfigureAwait(false);
        await EnsureAsync(response, what).ConfigureAwait(false);
    }

    private static string? Header(HttpResponseHeaders headers, string name) =>
        headers.TryGetValues(name, out var values) ? values.FirstOrDefault() : null;

    private static async Task EnsureAsync(HttpResponseMessage response, string what)
    {
        if (response.IsSuccessStatusCode)
        {
            return;
        }

        var body = await response.Content.ReadAsStringAsync().ConfigureAwait(false);
        throw new RuntimeApiException($"the Runtime API refused the {what}: {(int)response.StatusCode} {body}");
    }
}
