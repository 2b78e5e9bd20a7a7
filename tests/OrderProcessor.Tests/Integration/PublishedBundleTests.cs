extern alias managed;

using System.Runtime.InteropServices;
using System.Runtime.Loader;
using System.Text.Json;
using Amazon.DynamoDBv2;
using Amazon.DynamoDBv2.Model;
using managed::ManagedBootstrap;

namespace OrderProcessor.Tests.Integration;

/// <summary>
/// The bundle the stack deploys, built by the stack's own packaging code, loaded by its handler string the
/// way the .NET managed runtime does (<see cref="LambdaHandler"/>, which the local pipeline hosts too): a
/// fresh <see cref="AssemblyLoadContext"/> over the bundle folder, <c>Assembly::Type::Method</c> resolved by
/// reflection, the parameterless constructor reading the environment.
/// </summary>
[FixtureLifeCycle(LifeCycle.SingleInstance)]
[NonParallelizable]
public sealed class PublishedBundleTests
{
    private static readonly string[] Variables = ["TABLE_NAME", "AWS_ENDPOINT_URL_DYNAMODB", "AWS_REGION", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"];

    private readonly Dictionary<string, string?> _saved = [];
    private DynaliteServer _server = null!;
    private AmazonDynamoDBClient _client = null!;
    private string _table = null!;
    private string _bundle = null!;
    private LambdaHandler _handler = null!;

    [OneTimeSetUp]
    public async Task PublishAndLoad()
    {
        // A mutation run (npm run mutate) sets this: the bundle is published from the source on disk, never from
        // Stryker's mutated assembly, so these tests cannot see a mutant and would only cost a publish per run.
        if (Environment.GetEnvironmentVariable("ORDERPROCESSOR_MUTATION_RUN") == "1")
        {
            Assert.Ignore("the published bundle is built from unmutated source (ORDERPROCESSOR_MUTATION_RUN=1)");
        }

        var architecture = RuntimeInformation.OSArchitecture == Architecture.Arm64 ? "arm64" : "x86_64";
        var bundle = await NodeTool.RunAsync("infra/package-function.ts", "--architecture", architecture, "--runtime", "managed");
        _bundle = JsonDocument.Parse(bundle).RootElement.GetProperty("directory").GetString()!;

        _server = await DynaliteServer.StartAsync();
        _client = _server.CreateClient();
        _table = await _server.CreateOrdersTableAsync(_client);
        foreach (var name in Variables)
        {
            _saved[name] = Environment.GetEnvironmentVariable(name);
        }

        Environment.SetEnvironmentVariable("TABLE_NAME", _table);
        Environment.SetEnvironmentVariable("AWS_ENDPOINT_URL_DYNAMODB", _server.Endpoint);
        Environment.SetEnvironmentVariable("AWS_REGION", "us-east-1");
        Environment.SetEnvironmentVariable("AWS_ACCESS_KEY_ID", "local");
        Environment.SetEnvironmentVariable("AWS_SECRET_ACCESS_KEY", "local");

        _handler = LambdaHandler.Load(_bundle, RepositoryFiles.Handler);
    }

    [OneTimeTearDown]
    public async Task Stop()
    {
        foreach (var (name, value) in _saved)
        {
            Environment.SetEnvironmentVariable(name, value);
        }

        _client?.Dispose();
        if (_server is not null)
        {
            await _server.DisposeAsync();
        }
    }

    private async Task<string> InvokeAsync(Stream input) => TestEvents.ReadAll(await _handler.InvokeAsync(input));

    [Test]
    public void Bundle_IsLoadedInItsOwnContextFromTheBundleFolder()
    {
        Assert.That(AssemblyLoadContext.GetLoadContext(_handler.FunctionType.Assembly), Is.SameAs(_handler.Context));
        Assert.That(_handler.FunctionType.Assembly.Location, Does.StartWith(_bundle));
        Assert.That(_handler.FunctionType, Is.Not.SameAs(typeof(Function)), "the bundle's copy, not the test's reference");
    }

    [Test]
    public async Task Handler_AwsLambdaDotnetSampleEvent_ReportsItsNonOrderBodyAsFailed()
    {
        var response = await InvokeAsync(File.OpenRead(Path.Combine(RepositoryFiles.SharedEvents, "sqs-event.aws-lambda-dotnet.json")));

        Assert.That(response, Is.EqualTo("""{"batchItemFailures":[{"itemIdentifier":"MessageID"}]}"""));
    }

    [Test]
    public async Task Handler_SampleOrderInAnSnsEnvelope_IsStoredInTheTable()
    {
        var sampleOrder = File.ReadAllText(Path.Combine(RepositoryFiles.SharedEvents, "order.sample.json"));

        var response = await InvokeAsync(TestEvents.EventStream(TestEvents.Record(TestEvents.SnsEnvelope(sampleOrder), "bundle-m1")));

        Assert.That(response, Is.EqualTo("""{"batchItemFailures":[]}"""));
        var item = (await _client.GetItemAsync(new GetItemRequest
        {
            TableName = _table,
            Key = new() { ["orderId"] = new AttributeValue { S = "O1234" } },
            ConsistentRead = true,
        })).Item;
        Assert.That((item["messageId"].S, item["quantity"].N, item["timestamp"].S), Is.EqualTo(("bundle-m1", "1", "2025-05-03T12:00:00.0000000Z")));
    }

    [Test]
    public void Load_HandlerNamingAMissingMethod_FailsWithLambdasMessage()
    {
        var parts = RepositoryFiles.Handler.Split("::");

        var error = Assert.Throws<LambdaValidationException>(() => LambdaHandler.Load(_bundle, $"{parts[0]}::{parts[1]}::NoSuchMethod"));

        Assert.That(error!.Message, Is.EqualTo($"Unable to find method 'NoSuchMethod' in type '{parts[1]}' from assembly '{parts[0]}': Found no methods matching method name 'NoSuchMethod'."));
    }

    [Test]
    public void Load_TheDeployedHandlerString_ResolvesByLambdasRulesToTheStreamEntryPoint()
    {
        Assert.That(_handler.Method.ToString(), Is.EqualTo("System.Threading.Tasks.Task`1[System.IO.Stream] HandleAsync(System.IO.Stream)"));
        Assert.That(_handler.Method.DeclaringType!.FullName, Is.EqualTo(RepositoryFiles.Handler.Split("::")[1]));
    }
}
