using System.Net;
using System.Text;
using System.Text.Json;
using OrderProcessor.Runtime;

namespace OrderProcessor.Tests.Runtime;

public sealed class LambdaBootstrapTests
{
    private const string Endpoint = "127.0.0.1:9001";

    private static Task<int> Run(FakeRuntimeApi api, Func<object> init, Func<Stream, InvocationContext, Task<Stream>> invoke, StringWriter? log = null) =>
        LambdaBootstrap.RunAsync(new RuntimeApiClient(Endpoint, api), init, (_, input, context) => invoke(input, context), log ?? new StringWriter());

    private static Stream Text(string text) => new MemoryStream(Encoding.UTF8.GetBytes(text));

    [Test]
    public async Task RunAsync_Invocation_PostsTheResponseForItsRequestId()
    {
        var api = new FakeRuntimeApi();
        api.Enqueue("req-1", """{"Records":[]}""");
        InvocationContext? seen = null;

        var exit = await Run(api, () => new object(), async (input, context) =>
        {
            seen = context;
            return Text("echo:" + await new StreamReader(input).ReadToEndAsync());
        });

        Assert.That(exit, Is.EqualTo(1), "the loop ends when the Runtime API fails (here: no more invocations)");
        var post = api.Requests.Single(r => r.Method == HttpMethod.Post);
        Assert.Multiple(() =>
        {
            Assert.That(post.Path, Is.EqualTo("/2018-06-01/runtime/invocation/req-1/response"));
            Assert.That(post.Body, Is.EqualTo("""echo:{"Records":[]}"""));
            Assert.That(post.Headers["Content-Type"], Does.StartWith("application/json"));
            Assert.That(seen!.RequestId, Is.EqualTo("req-1"));
            Assert.That(seen.InvokedFunctionArn, Is.EqualTo("arn:aws:lambda:us-east-1:000000000000:function:OrderProcessor-test"));
            Assert.That(seen.Deadline, Is.GreaterThan(DateTimeOffset.UtcNow).And.LessThan(DateTimeOffset.UtcNow.AddSeconds(6)));
        });
    }

    [Test]
    public async Task RunAsync_FunctionThrows_PostsTheDocumentedErrorShapeAndGoesOn()
    {
        var api = new FakeRuntimeApi();
        api.Enqueue("req-1", "{}");
        api.Enqueue("req-2", "{}");
        var calls = 0;

        await Run(api, () => new object(), (_, _) => ++calls == 1 ? throw new InvalidDataException("the input is not an SQS event") : Task.FromResult(Text("{}")));

        var posts = api.Requests.Where(r => r.Method == HttpMethod.Post).ToList();
        Assert.That(posts.Select(p => p.Path), Is.EqualTo(new[] { "/2018-06-01/runtime/invocation/req-1/error", "/2018-06-01/runtime/invocation/req-2/response" }));
        using var error = JsonDocument.Parse(posts[0].Body);
        Assert.Multiple(() =>
        {
            Assert.That(posts[0].Headers["Lambda-Runtime-Function-Error-Type"], Is.EqualTo("Function.InvalidDataException"));
            Assert.That(error.RootElement.GetProperty("errorMessage").GetString(), Is.EqualTo("the input is not an SQS event"));
            Assert.That(error.RootElement.GetProperty("errorType").GetString(), Is.EqualTo("InvalidDataException"));
            Assert.That(error.RootElement.GetProperty("stackTrace").ValueKind, Is.EqualTo(JsonValueKind.Array));
        });
    }

    [Test]
    public async Task RunAsync_InitFails_PostsTheInitErrorWithItsMessageAndExits()
    {
        var api = new FakeRuntimeApi();
        api.Enqueue("req-1", "{}");
        var log = new StringWriter();

        var exit = await Run(api, () => throw new InvalidOperationException("TABLE_NAME is not set"), (_, _) => Task.FromResult(Text("{}")), log);

        Assert.That(exit, Is.EqualTo(1));
        var post = api.Requests.Single();
        using var error = JsonDocument.Parse(post.Body);
        Assert.Multiple(() =>
        {
            Assert.That(post.Path, Is.EqualTo("/2018-06-01/runtime/init/error"));
            Assert.That(post.Headers["Lambda-Runtime-Function-Error-Type"], Is.EqualTo("Runtime.InitError"));
            Assert.That(error.RootElement.GetProperty("errorMessage").GetString(), Is.EqualTo("TABLE_NAME is not set"));
            Assert.That(post.Headers["Content-Type"], Is.EqualTo("application/vnd.aws.lambda.error+json"));
            using var line = JsonDocument.Parse(log.ToString());
            Assert.That(line.RootElement.GetProperty("level").GetString(), Is.EqualTo("FATAL"), "a JSON line Lambda's filter keeps at every level");
            Assert.That(line.RootElement.GetProperty("timestamp").GetString(), Does.Match(@"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$"));
            Assert.That(line.RootElement.GetProperty("errorMessage").GetString(), Is.EqualTo("TABLE_NAME is not set"));
        });
    }

    [Test]
    public async Task RunAsync_EachInvocation_SetsItsTraceIdForTheFunction()
    {
        var api = new FakeRuntimeApi();
        api.Enqueue("req-1", "{}", traceId: "Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1");
        api.Enqueue("req-2", "{}", traceId: null);
        var seen = new List<string?>();

        await Run(api, () => new object(), (_, _) =>
        {
            seen.Add(Environment.GetEnvironmentVariable("_X_AMZN_TRACE_ID"));
            return Task.FromResult(Text("{}"));
        });

        Assert.That(seen, Is.EqualTo(new[] { "Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1", null }));
    }

    [Test]
    public async Task RunAsync_RuntimeApiRefusesAResponse_ExitsSoLambdaReplacesTheEnvironment()
    {
        var api = new FakeRuntimeApi { PostStatus = HttpStatusCode.RequestEntityTooLarge };
        api.Enqueue("req-1", "{}");
        api.Enqueue("req-2", "{}");
        var log = new StringWriter();

        var exit = await Run(api, () => new object(), (_, _) => Task.FromResult(Text("{}")), log);

        Assert.That(exit, Is.EqualTo(1));
        Assert.That(api.Requests.Count(r => r.Method == HttpMethod.Get), Is.EqualTo(1), "no further invocation is taken");
        Assert.That(log.ToString(), Does.Contain("413"));
    }
}
