using System.Diagnostics;
using System.Text.Json;
using Amazon.DynamoDBv2;
using Amazon.DynamoDBv2.Model;
using Amazon.Runtime;

namespace OrderProcessor.Tests.Integration;

/// <summary>
/// A real DynamoDB API (dynalite) on a free 127.0.0.1 port, started with the repository's own launcher and
/// stopped on dispose. The launcher also exits when its standard input closes, so it cannot outlive a
/// test run that is killed.
/// </summary>
internal sealed class DynaliteServer : IAsyncDisposable
{
    private readonly Process _process;

    private DynaliteServer(Process process, string endpoint)
    {
        _process = process;
        Endpoint = endpoint;
    }

    public string Endpoint { get; }

    public static async Task<DynaliteServer> StartAsync()
    {
        var process = Process.Start(NodeTool.StartInfo("local/emulators/serve-dynalite.ts"))!;
        var stderr = process.StandardError.ReadToEndAsync();
        var line = await process.StandardOutput.ReadLineAsync().WaitAsync(TimeSpan.FromSeconds(60));
        if (line is null)
        {
            await process.WaitForExitAsync();
            throw new InvalidOperationException($"dynalite did not start:\n{await stderr}");
        }

        var endpoint = JsonDocument.Parse(line).RootElement.GetProperty("endpoint").GetString()!;
        if (!endpoint.StartsWith("http://127.0.0.1:", StringComparison.Ordinal))
        {
            throw new InvalidOperationException($"dynalite must listen on 127.0.0.1 only, not {endpoint}");
        }

        return new DynaliteServer(process, endpoint);
    }

    public AmazonDynamoDBClient CreateClient() => new(
        new BasicAWSCredentials("local", "local"),
        new AmazonDynamoDBConfig { ServiceURL = Endpoint, AuthenticationRegion = "us-east-1" });

    /// <summary>Creates the orders table (partition key <c>orderId</c>, string) under a fresh name and waits until it is active.</summary>
    public async Task<string> CreateOrdersTableAsync(IAmazonDynamoDB client)
    {
        var name = $"Orders-{Guid.NewGuid():N}";
        await client.CreateTableAsync(new CreateTableRequest
        {
            TableName = name,
            KeySchema = [new KeySchemaElement("orderId", KeyType.HASH)],
            AttributeDefinitions = [new AttributeDefinition("orderId", ScalarAttributeType.S)],
            BillingMode = BillingMode.PAY_PER_REQUEST,
        });
        for (var attempt = 0; attempt < 100; attempt++)
        {
            var table = await client.DescribeTableAsync(name);
            if (table.Table.TableStatus == TableStatus.ACTIVE)
            {
                return name;
            }

            await Task.Delay(20);
        }

        throw new TimeoutException($"table {name} did not become active");
    }

    public async ValueTask DisposeAsync()
    {
        _process.StandardInput.Close();
        if (!_process.WaitForExit(TimeSpan.FromSeconds(10)))
        {
            _process.Kill(entireProcessTree: true);
        }

        await _process.WaitForExitAsync();
        _process.Dispose();
    }
}
