using System.Net;
using OrderProcessor.Runtime;

namespace OrderProcessor.Tests.Runtime;

/// <summary>The client's reading of a "next" answer it cannot take: always a RuntimeApiException, which the loop reports.</summary>
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
        using var client = new RuntimeApiClient("127.0.0.1:9001", new Answer(response));

        var error = Assert.ThrowsAsync<RuntimeApiException>(() => client.NextAsync());

        Assert.That(error!.Message, Does.Contain(RuntimeApiHeaders.DeadlineMs));
    }

    [Test]
    public async Task NextAsync_LatestDeadlineADateHolds_IsTaken()
    {
        var response = new HttpResponseMessage(HttpStatusCode.OK) { Content = new ByteArrayContent("{}"u8.ToArray()) };
        response.Headers.TryAddWithoutValidation(RuntimeApiHeaders.RequestId, "id-1");
        response.Headers.TryAddWithoutValidation(RuntimeApiHeaders.DeadlineMs, "253402300799999");
        using var client = new RuntimeApiClient("127.0.0.1:9001", new Answer(response));

        var (_, context) = await client.NextAsync();

        Assert.That(context.Deadline, Is.EqualTo(DateTimeOffset.FromUnixTimeMilliseconds(253402300799999)));
    }

    private sealed class Answer(HttpResponseMessage response) : HttpMessageHandler
    {
        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken) => Task.FromResult(response);
    }
}
