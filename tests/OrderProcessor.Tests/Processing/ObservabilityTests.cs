using System.Text.Json;
using Amazon.DynamoDBv2;
using Amazon.DynamoDBv2.Model;
using Moq;
using OrderProcessor.Contracts;
using OrderProcessor.Processing;
using OrderProcessor.Runtime;

namespace OrderProcessor.Tests.Processing;

/// <summary>What an operator reads: the EMF document of each invocation, and the context on every log line.</summary>
public sealed class ObservabilityTests
{
    private readonly Mock<IAmazonDynamoDB> _client = new(MockBehavior.Strict);
    private readonly StringWriter _log = new();

    private Function CreateFunction(LogLevel level = LogLevel.Info) =>
        new(new FunctionSettings { TableName = "Orders-test", FunctionName = "OrderProcessor-test", FunctionVersion = "$LATEST", LogLevel = level }, _client.Object, _log);

    private List<JsonElement> AllLines() =>
        TestEvents.JsonLines(_log);

    private static InvocationContext Context(string requestId) =>
        new(requestId, DateTimeOffset.UtcNow.AddSeconds(5), "arn:aws:lambda:us-east-1:000000000000:function:OrderProcessor-test", "Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1");

    private static SqsMessage SentAgo(string body, string id, TimeSpan ago) =>
        TestEvents.Record(body, id) with
        {
            Attributes = new Dictionary<string, string>
            {
                ["ApproximateReceiveCount"] = "1",
                ["SentTimestamp"] = DateTimeOffset.UtcNow.Subtract(ago).ToUnixTimeMilliseconds().ToString(System.Globalization.CultureInfo.InvariantCulture),
            },
        };

    /// <summary>
    /// The EMF specification's structure: _aws.Timestamp a number; each directive a namespace, dimension sets whose
    /// keys are top-level strings, and metric definitions with a name and a known unit whose values are top-level
    /// numbers (or arrays of up to 100 numbers).
    /// https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/CloudWatch_Embedded_Metric_Format_Specification.html
    /// </summary>
    internal static Dictionary<string, JsonElement> ValidateEmf(JsonElement document)
    {
        var aws = document.GetProperty("_aws");
        Assert.That(aws.GetProperty("Timestamp").ValueKind, Is.EqualTo(JsonValueKind.Number));
        var values = new Dictionary<string, JsonElement>();
        foreach (var directive in aws.GetProperty("CloudWatchMetrics").EnumerateArray())
        {
            Assert.That(directive.GetProperty("Namespace").GetString(), Is.Not.Empty);
            foreach (var set in directive.GetProperty("Dimensions").EnumerateArray())
            {
                Assert.That(set.GetArrayLength(), Is.InRange(1, 30));
                foreach (var key in set.EnumerateArray())
                {
                    Assert.That(document.GetProperty(key.GetString()!).ValueKind, Is.EqualTo(JsonValueKind.String), $"dimension {key} resolves to a string");
                }
            }

            foreach (var metric in directive.GetProperty("Metrics").EnumerateArray())
            {
                var name = metric.GetProperty("Name").GetString()!;
                Assert.That(metric.GetProperty("Unit").GetString(), Is.AnyOf("Count", "Milliseconds", "Seconds", "Bytes", "None"));
                Assert.That(document.TryGetProperty(name, out var value), Is.True, $"metric {name} has a value");
                var numbers = value.ValueKind == JsonValueKind.Array ? value.EnumerateArray().ToList() : [value];
                Assert.That(numbers, Has.Count.InRange(1, 100));
                Assert.That(numbers.Select(n => n.ValueKind), Has.All.EqualTo(JsonValueKind.Number), $"metric {name} is numeric");
                values[name] = value;
            }
        }

        return values;
    }

    [Test]
    public async Task HandleAsync_Batch_WritesOneValidEmfDocumentWhoseCountsMatchTheOutcomes()
    {
        _client.Setup(c => c.PutItemAsync(It.IsAny<PutItemRequest>(), It.IsAny<CancellationToken>())).ReturnsAsync(new PutItemResponse());
        var records = new[]
        {
            SentAgo(TestEvents.Order("O1"), "m1", TimeSpan.FromSeconds(3)),
            SentAgo(TestEvents.Order("O2"), "m2", TimeSpan.FromSeconds(1)),
            SentAgo("not an order", "m3", TimeSpan.FromSeconds(2)),
        };

        await CreateFunction().InvokeAsync(TestEvents.EventStream(records), Context("req-1"));

        var emf = AllLines().Where(l => l.TryGetProperty("_aws", out _)).ToList();
        Assert.That(emf, Has.Count.EqualTo(1), "one EMF document per invocation");
        var values = ValidateEmf(emf[0]);
        var directive = emf[0].GetProperty("_aws").GetProperty("CloudWatchMetrics")[0];
        Assert.Multiple(() =>
        {
            Assert.That(directive.GetProperty("Namespace").GetString(), Is.EqualTo("OrderPipeline"));
            Assert.That(emf[0].GetProperty("FunctionName").GetString(), Is.EqualTo("OrderProcessor-test"));
            Assert.That(values.Keys, Is.EquivalentTo(new[] { "Stored", "Duplicate", "Stale", "Conflict", "Invalid", "Failed", "BatchSize", "OrderAgeMs" }));
            Assert.That(
                new[] { "Stored", "Duplicate", "Stale", "Conflict", "Invalid", "Failed", "BatchSize" }.Select(n => values[n].GetInt32()),
                Is.EqualTo(new[] { 2, 0, 0, 0, 1, 0, 3 }));
            Assert.That(values["OrderAgeMs"].EnumerateArray().Select(v => v.GetDouble()).Order(), Is.EqualTo(new[] { 1000.0, 2000.0, 3000.0 }).Within(900));
            Assert.That(emf[0].GetProperty("requestId").GetString(), Is.EqualTo("req-1"));
        });
    }

    [Test]
    public async Task HandleAsync_NoSentTimestamp_DeclaresNoOrderAge()
    {
        _client.Setup(c => c.PutItemAsync(It.IsAny<PutItemRequest>(), It.IsAny<CancellationToken>())).ReturnsAsync(new PutItemResponse());

        await CreateFunction().InvokeAsync(TestEvents.EventStream(TestEvents.Record(TestEvents.Order("O1"), "m1")), Context("req-1"));

        var values = ValidateEmf(AllLines().Single(l => l.TryGetProperty("_aws", out _)));
        Assert.That(values.Keys, Does.Not.Contain("OrderAgeMs"), "a declared metric must have a value");
    }

    [Test]
    public async Task HandleAsync_TwoInvocations_EveryLineCarriesItsRequestTraceColdStartAndVersion()
    {
        _client.Setup(c => c.PutItemAsync(It.IsAny<PutItemRequest>(), It.IsAny<CancellationToken>())).ReturnsAsync(new PutItemResponse());
        var function = CreateFunction();
        var envelope = TestEvents.SnsEnvelope(TestEvents.Order("O1"));

        await function.InvokeAsync(TestEvents.EventStream(TestEvents.Record(envelope, "m1")), Context("req-1"));
        await function.InvokeAsync(TestEvents.EventStream(TestEvents.Record(TestEvents.Order("O2"), "m2")), Context("req-2"));

        var lines = AllLines();
        var first = lines.TakeWhile(l => !l.TryGetProperty("_aws", out _)).ToList();
        Assert.That(lines, Has.All.Matches<JsonElement>(l => l.GetProperty("functionVersion").GetString() == "$LATEST"));
        Assert.That(lines, Has.All.Matches<JsonElement>(l => l.GetProperty("traceId").GetString()!.StartsWith("Root=1-", StringComparison.Ordinal)));
        Assert.That(lines.Select(l => (l.GetProperty("requestId").GetString(), l.GetProperty("coldStart").GetBoolean())).Distinct(), Is.EqualTo(new[] { ("req-1", true), ("req-2", false) }));
        var record = first.Single(l => l.TryGetProperty("messageId", out _));
        var snsMessageId = JsonDocument.Parse(envelope).RootElement.GetProperty("MessageId").GetString();
        Assert.That((record.GetProperty("snsMessageId").GetString(), record.GetProperty("orderId").GetString()), Is.EqualTo((snsMessageId, "O1")));
    }

    [TestCase(LogLevel.Debug, true, true)]
    [TestCase(LogLevel.Info, false, true)]
    [TestCase(LogLevel.Warn, false, false)]
    public async Task HandleAsync_LogLevel_FiltersLinesButNeverTheMetrics(LogLevel level, bool debugWritten, bool infoWritten)
    {
        _client.Setup(c => c.PutItemAsync(It.IsAny<PutItemRequest>(), It.IsAny<CancellationToken>())).ReturnsAsync(new PutItemResponse());
        _client.Setup(c => c.GetItemAsync(It.IsAny<GetItemRequest>(), It.IsAny<CancellationToken>())).ReturnsAsync(new GetItemResponse());
        var function = CreateFunction(level);
        function.Prime();

        await function.InvokeAsync(TestEvents.EventStream(TestEvents.Record(TestEvents.Order("O1"), "m1"), TestEvents.Record("bad", "m2")), Context("req-1"));

        var levels = AllLines().Where(l => l.TryGetProperty("level", out _)).Select(l => l.GetProperty("level").GetString()).ToList();
        Assert.Multiple(() =>
        {
            Assert.That(levels.Contains("DEBUG"), Is.EqualTo(debugWritten), "priming is DEBUG");
            Assert.That(levels.Contains("INFO"), Is.EqualTo(infoWritten), "a stored record is INFO");
            Assert.That(levels, Does.Contain("WARN"), "an invalid record is WARN");
            var emf = AllLines().Single(l => l.TryGetProperty("_aws", out _));
            Assert.That(emf.GetProperty("level").GetString(), Is.EqualTo(level == LogLevel.Warn ? "WARN" : "INFO"), "Lambda drops lines below its level; the metrics carry one that passes");
        });
    }

    [Test]
    public async Task EveryLine_HasAnRfc3339UtcTimestampAndOneOfLambdasLevels_AsLambdasFilterRequires()
    {
        _client.Setup(c => c.PutItemAsync(It.IsAny<PutItemRequest>(), It.IsAny<CancellationToken>())).ReturnsAsync(new PutItemResponse());
        _client.Setup(c => c.GetItemAsync(It.IsAny<GetItemRequest>(), It.IsAny<CancellationToken>())).ReturnsAsync(new GetItemResponse());
        var function = CreateFunction(LogLevel.Trace);
        var before = DateTimeOffset.UtcNow.AddMilliseconds(-1);
        function.Prime();

        await function.InvokeAsync(TestEvents.EventStream(TestEvents.Record(TestEvents.Order("O1"), "m1"), TestEvents.Record("bad", "m2")), Context("req-1"));

        var lines = AllLines();
        Assert.That(lines, Has.Count.EqualTo(5), "priming, two records, the batch, the metrics");
        foreach (var line in lines)
        {
            var timestamp = line.GetProperty("timestamp").GetString()!;
            Assert.That(timestamp, Does.Match(@"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$"), line.ToString());
            Assert.That(DateTimeOffset.Parse(timestamp, System.Globalization.CultureInfo.InvariantCulture), Is.InRange(before.AddMilliseconds(-1), DateTimeOffset.UtcNow.AddSeconds(1)));
            Assert.That(line.GetProperty("level").GetString(), Is.AnyOf("TRACE", "DEBUG", "INFO", "WARN", "ERROR", "FATAL"), line.ToString());
        }
    }

    [TestCase("DEBUG", LogLevel.Debug)]
    [TestCase("warn", LogLevel.Warn)]
    [TestCase(null, LogLevel.Info)]
    [TestCase("LOUD", LogLevel.Info)]
    public void FromEnvironment_LambdaLogLevel_IsRead(string? value, LogLevel expected)
    {
        var settings = FunctionSettings.FromEnvironment(name => name switch { "TABLE_NAME" => "Orders", "AWS_LAMBDA_LOG_LEVEL" => value, _ => null });

        Assert.That(settings.LogLevel, Is.EqualTo(expected));
    }
}
