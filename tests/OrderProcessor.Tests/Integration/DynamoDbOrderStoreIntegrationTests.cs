using Amazon.DynamoDBv2;
using Amazon.DynamoDBv2.Model;
using OrderProcessor.Orders;
using OrderProcessor.Storage;

namespace OrderProcessor.Tests.Integration;

/// <summary>The conditional write against a real DynamoDB API (dynalite), not a mock.</summary>
[FixtureLifeCycle(LifeCycle.SingleInstance)]
public sealed class DynamoDbOrderStoreIntegrationTests
{
    private DynaliteServer _server = null!;
    private AmazonDynamoDBClient _client = null!;
    private string _table = null!;
    private DynamoDbOrderStore _store = null!;

    [OneTimeSetUp]
    public async Task StartDynalite()
    {
        _server = await DynaliteServer.StartAsync();
        _client = _server.CreateClient();
    }

    [SetUp]
    public async Task CreateTable()
    {
        _table = await _server.CreateOrdersTableAsync(_client);
        _store = new DynamoDbOrderStore(_client, _table);
    }

    [OneTimeTearDown]
    public async Task StopDynalite()
    {
        _client.Dispose();
        await _server.DisposeAsync();
    }

    private static Order At(string timestamp, string status = "new") =>
        OrderReader.Read(System.Text.Encoding.UTF8.GetBytes(TestEvents.Order("O1", timestamp, status))).Order!;

    private async Task<List<Dictionary<string, AttributeValue>>> ScanAsync() =>
        (await _client.ScanAsync(new ScanRequest { TableName = _table, ConsistentRead = true })).Items;

    [Test]
    public async Task SaveAsync_SameMessageTwice_LeavesOneItem()
    {
        var first = await _store.SaveAsync(At("2025-05-03T12:00:00Z"), "m1", CancellationToken.None);
        var second = await _store.SaveAsync(At("2025-05-03T12:00:00Z"), "m1", CancellationToken.None);

        Assert.That((first, second), Is.EqualTo((SaveOutcome.Stored, SaveOutcome.Duplicate)));
        Assert.That(await ScanAsync(), Has.Count.EqualTo(1));
    }

    [Test]
    public async Task SaveAsync_OlderAfterNewer_DoesNotOverwrite()
    {
        await _store.SaveAsync(At("2025-05-03T12:00:00Z", "shipped"), "m2", CancellationToken.None);
        var outcome = await _store.SaveAsync(At("2025-05-03T11:00:00Z", "new"), "m1", CancellationToken.None);

        Assert.That(outcome, Is.EqualTo(SaveOutcome.Stale));
        var item = (await ScanAsync()).Single();
        Assert.That((item["status"].S, item["messageId"].S), Is.EqualTo(("shipped", "m2")));
    }

    [Test]
    public async Task SaveAsync_NewerAfterOlder_Overwrites()
    {
        await _store.SaveAsync(At("2025-05-03T12:00:00Z", "new"), "m1", CancellationToken.None);
        // Same instant as 12:30Z written with an offset: compared as UTC, it is newer.
        var outcome = await _store.SaveAsync(At("2025-05-03T14:30:00+02:00", "shipped"), "m2", CancellationToken.None);

        Assert.That(outcome, Is.EqualTo(SaveOutcome.Stored));
        var item = (await ScanAsync()).Single();
        Assert.That((item["status"].S, item["timestamp"].S), Is.EqualTo(("shipped", "2025-05-03T12:30:00.0000000Z")));
    }

    [Test]
    public async Task SaveAsync_Order_ReadsBackWithItsTypes()
    {
        await _store.SaveAsync(At("2025-05-03T12:00:00Z"), "m1", CancellationToken.None);

        var item = (await _client.GetItemAsync(new GetItemRequest
        {
            TableName = _table,
            Key = new() { ["orderId"] = new AttributeValue { S = "O1" } },
            ConsistentRead = true,
        })).Item;

        Assert.That(item.Keys, Is.EquivalentTo(new[] { "orderId", "userId", "itemName", "quantity", "status", "timestamp", "messageId" }));
        Assert.Multiple(() =>
        {
            Assert.That(item["orderId"].S, Is.EqualTo("O1"));
            Assert.That(item["userId"].S, Is.EqualTo("U123"));
            Assert.That(item["itemName"].S, Is.EqualTo("Laptop"));
            Assert.That(item["quantity"].N, Is.EqualTo("1"));
            Assert.That(item["quantity"].S, Is.Null, "quantity is a number attribute, not a string");
            Assert.That(item["status"].S, Is.EqualTo("new"));
            Assert.That(item["timestamp"].S, Is.EqualTo("2025-05-03T12:00:00.0000000Z"));
            Assert.That(item["messageId"].S, Is.EqualTo("m1"));
        });
    }
}
