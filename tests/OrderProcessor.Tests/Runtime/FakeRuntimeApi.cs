using System.Net;
using System.Text;

namespace OrderProcessor.Tests.Runtime;

/// <summary>
/// The Runtime API as an <see cref="HttpMessageHandler"/>: hands out queued invocations on <c>next</c> (then fails,
/// as Lambda does when it ends an environment), and records every request for the test to assert on.
/// </summary>
internal sealed class FakeRuntimeApi : HttpMessageHandler
{
    private readonly Queue<(string RequestId, string Event, string? TraceId)> _invocations = new();

    public List<(HttpMethod Method, string Path, string Body, Dictionary<string, string> Headers)> Requests { get; } = [];

    public HttpStatusCode PostStatus { get; set; } = HttpStatusCode.Accepted;

    public void Enqueue(string requestId, string body, string? traceId = null) => _invocations.Enqueue((requestId, body, traceId));

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var body = request.Content is null ? string.Empty : await request.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
        var headers = request.Headers.Concat(request.Content?.Headers ?? Enumerable.Empty<KeyValuePair<string, IEnumerable<string>>>())
            .ToDictionary(h => h.Key, h => string.Join(",", h.Value), StringComparer.OrdinalIgnoreCase);
        Requests.Add((request.Method, request.RequestUri!.AbsolutePath, body, headers));

        if (request.Method == HttpMethod.Get && request.RequestUri.AbsolutePath == "/2018-06-01/runtime/invocation/next")
        {
            if (!_invocations.TryDequeue(out var next))
            {
                return new HttpResponseMessage(HttpStatusCode.InternalServerError) { Content = new StringContent("{\"errorType\":\"Runtime.Shutdown\"}") };
            }

            var response = new HttpResponseMessage(HttpStatusCode.OK) { Content = new StringContent(next.Event, Encoding.UTF8, "application/json") };
            response.Headers.Add("Lambda-Runtime-Aws-Request-Id", next.RequestId);
            response.Headers.Add("Lambda-Runtime-Deadline-Ms", DateTimeOffset.UtcNow.AddSeconds(5).ToUnixTimeMilliseconds().ToString(System.Globalization.CultureInfo.InvariantCulture));
            response.Headers.Add("Lambda-Runtime-Invoked-Function-Arn", "arn:aws:lambda:us-east-1:000000000000:function:OrderProcessor-test");
            if (next.TraceId is not null)
            {
                response.Headers.Add("Lambda-Runtime-Trace-Id", next.TraceId);
            }

            return response;
        }

        return new HttpResponseMessage(PostStatus) { Content = new StringContent("{\"status\":\"OK\"}") };
    }
}
