using System.Net;
using System.Text.Json;
using OrderProcessor.Fuzz;
using OrderProcessor.Runtime;

namespace OrderProcessor.Tests.Runtime;

/// <summary>
/// The client's calls and the answers it cannot take (always a RuntimeApiException naming the call, which the loop reports),
/// and the error body it posts.
/// </summary>
public class RuntimeApiClientTests
{
    [TestCase("99999999999999999", TestName = "NextAsync_DeadlinePastWhatADateHolds_IsNoValidDeadline")] // found by npm run fuzz
    [TestCase("-1", TestName = "NextAsync_NegativeDeadline_IsNoValidDeadline")]
    [TestCase("soon", TestName = "NextAsync_TextDeadline_IsNoValidDeadline")]
    [TestCase("", TestName = "NextAsync_EmptyDeadline_IsNoValidDeadline")]
    public void NextAsync_BadDeadline_ThrowsRuntimeApiException(string deadline)
    {
        var response = new HttpResponseMessage(HttpStatusCode.OK) { Content = new ByteArrayContent("{}"u8.ToArray()) };
        response.Headers.TryAddWithoutValidation(RuntimeApiHeaders.RequestId, "id-1");
        response.Headers.TryAddWithoutValidation(RuntimeApiHeaders.DeadlineMs, deadline);
        using var client = new RuntimeApiClient("127.0.0.1:9001", new FixedAnswer(response));

        var error = Assert.ThrowsAsync<RuntimeApiException>(() => client.NextAsync());

        Assert.That(error!.Message, Does.Contain(RuntimeApiHeaders.DeadlineMs));
    }

    [Test]
    public async Task NextAsync_LatestDeadlineADateHolds_IsTaken()
    {
        var response = new HttpResponseMessage(HttpStatusCode.OK) { Content = new ByteArrayContent("{}"u8.ToArray()) };
        response.Headers.TryAddWithoutValidation(RuntimeApiHeaders.RequestId, "id-1");
        response.Headers.TryAddWithoutValidation(RuntimeApiHeaders.DeadlineMs, "253402300799999");
        using var client = new RuntimeApiClient("127.0.0.1:9001", new FixedAnswer(response));

        var (_, context) = await client.NextAsync();

        Assert.That(context.Deadline, Is.EqualTo(DateTimeOffset.FromUnixTimeMilliseconds(253402300799999)));
    }

    [Test]
    public void NextAsync_ApiRefuses_NamesTheCallTheStatusAndTheBody()
    {
        using var client = new RuntimeApiClient("127.0.0.1:9001", new FakeRuntimeApi());

        var error = Assert.ThrowsAsync<RuntimeApiException>(() => client.NextAsync());

        Assert.That(error!.Message, Is.EqualTo("the Runtime API refused the next invocation: 500 {\"errorType\":\"Runtime.Shutdown\"}"));
    }

    [Test]
    public void NextAsync_NoRequestId_SaysWhichHeaderIsMissing()
    {
        var response = new HttpResponseMessage(HttpStatusCode.OK) { Content = new ByteArrayContent("{}"u8.ToArray()) };
        response.Headers.TryAddWithoutValidation(RuntimeApiHeaders.DeadlineMs, "1700000000000");
        using var client = new RuntimeApiClient("127.0.0.1:9001", new FixedAnswer(response));

        var error = Assert.ThrowsAsync<RuntimeApiException>(() => client.NextAsync());

        Assert.That(error!.Message, Is.EqualTo($"the next invocation has no {RuntimeApiHeaders.RequestId} header"));
    }

    // 413 is what Lambda answers a response over its payload limit (the Runtime API reference, "Invocation response").
    [Test]
    public void SendResponseAsync_ApiRefuses_NamesTheCall()
    {
        using var client = new RuntimeApiClient("127.0.0.1:9001", new FakeRuntimeApi { PostStatus = HttpStatusCode.RequestEntityTooLarge });

        var error = Assert.ThrowsAsync<RuntimeApiException>(() => client.SendResponseAsync("id-1", new MemoryStream("{}"u8.ToArray())));

        Assert.That(error!.Message, Is.EqualTo("the Runtime API refused the invocation response: 413 {\"status\":\"OK\"}"));
    }

    [Test]
    public void SendErrorAsync_ApiRefuses_NamesTheCall()
    {
        using var client = new RuntimeApiClient("127.0.0.1:9001", new FakeRuntimeApi { PostStatus = HttpStatusCode.BadRequest });

        var error = Assert.ThrowsAsync<RuntimeApiException>(() => client.SendErrorAsync("id-1", new InvalidOperationException("no")));

        Assert.That(error!.Message, Does.StartWith("the Runtime API refused the invocation error: 400 "));
    }

    [Test]
    public void SendInitErrorAsync_ApiRefuses_NamesTheCall()
    {
        using var client = new RuntimeApiClient("127.0.0.1:9001", new FakeRuntimeApi { PostStatus = HttpStatusCode.Forbidden });

        var error = Assert.ThrowsAsync<RuntimeApiException>(() => client.SendInitErrorAsync(new InvalidOperationException("no"), "Runtime.Unknown"));

        Assert.That(error!.Message, Does.StartWith("the Runtime API refused the init error: 403 "));
    }

    [Test]
    public async Task SendInitErrorAsync_PostsToInitErrorWithTheErrorType()
    {
        var api = new FakeRuntimeApi();
        using var client = new RuntimeApiClient("127.0.0.1:9001", api);

        await client.SendInitErrorAsync(new InvalidOperationException("no table"), "Runtime.ConfigurationError");

        var post = api.Requests.Single();
        Assert.That(post.Path, Is.EqualTo("/2018-06-01/runtime/init/error"));
        Assert.That(post.Headers[RuntimeApiHeaders.FunctionErrorType], Is.EqualTo("Runtime.ConfigurationError"));
    }

    [TestCase("")]
    [TestCase("  ")]
    public void Constructor_NoEndpoint_IsRefused(string endpoint)
    {
        Assert.Throws<ArgumentException>(() => new RuntimeApiClient(endpoint).Dispose());
    }

    // The Runtime API is on the environment's own network: a proxy from the environment (HTTP_PROXY, ALL_PROXY) must not
    // carry its calls, no cookie is ever involved, and bodies are sent as they are.
    [Test]
    public void CreateHandler_TakesNoProxyNoCookiesNoDecompression()
    {
        using var handler = RuntimeApiClient.CreateHandler();

        Assert.Multiple(() =>
        {
            Assert.That(handler.UseProxy, Is.False);
            Assert.That(handler.UseCookies, Is.False);
            Assert.That(handler.AutomaticDecompression, Is.EqualTo(DecompressionMethods.None));
        });
    }

    [Test]
    public void ErrorBody_ThrownError_HasItsStackTraceOneTrimmedFrameALine()
    {
        var body = JsonDocument.Parse(RuntimeApiClient.ErrorBody(Thrown(new InvalidOperationException("no")))).RootElement;

        var frames = body.GetProperty("stackTrace").EnumerateArray().Select(f => f.GetString()!).ToList();
        Assert.That(frames, Is.Not.Empty);
        Assert.That(frames, Has.All.StartWith("at ").And.All.Not.EndWith(" ").And.All.Not.EndWith("\r"));
        Assert.That(frames[0], Does.Contain(nameof(Thrown)));
    }

    [Test]
    public void ErrorBody_ErrorNeverThrown_HasAnEmptyStackTrace()
    {
        var body = JsonDocument.Parse(RuntimeApiClient.ErrorBody(new InvalidOperationException("no"))).RootElement;

        Assert.That(body.GetProperty("stackTrace").GetArrayLength(), Is.Zero);
    }

    [Test]
    public void ErrorBody_InnerErrors_AreItsCausesEightDeepAtMost()
    {
        Exception error = new InvalidOperationException("cause 10");
        for (var i = 9; i >= 0; i--)
        {
            error = new InvalidOperationException(i == 0 ? "the error" : $"cause {i}", error);
        }

        var body = JsonDocument.Parse(RuntimeApiClient.ErrorBody(error)).RootElement;

        var messages = new List<string>();
        for (var level = body; ; level = level.GetProperty("cause"))
        {
            messages.Add(level.GetProperty("errorMessage").GetString()!);
            if (!level.TryGetProperty("cause", out _))
            {
                break;
            }
        }

        Assert.That(messages, Is.EqualTo(new[] { "the error" }.Concat(Enumerable.Range(1, 8).Select(i => $"cause {i}"))));
    }

    private static Exception Thrown(Exception error)
    {
        try
        {
            throw error;
        }
        catch (Exception e)
        {
            return e;
        }
    }
}
