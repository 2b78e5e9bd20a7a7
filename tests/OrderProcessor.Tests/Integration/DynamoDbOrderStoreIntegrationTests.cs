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

        Assert.That((first.Outcome, second.Outcome), Is.EqualTo((SaveOutcome.Stored, SaveOutcome.Duplicate)));
        Assert.That(await ScanAsync(), Has.Count.EqualTo(1));
    }

    [Test]
    public async Task SaveAsync_OlderAfterNewer_DoesNotOverwrite()
    {
        await _store.SaveAsync(At("2025-05-03T12:00:00Z", "shipped"), "m2", CancellationToken.None);
        var outcome = await _store.SaveAsync(At("2025-05-03T11:00:00Z", "new"), "m1", CancellationToken.None);

        Assert.That(outcome.Outcome, Is.EqualTo(SaveOutcome.Stale));
        var item = (await ScanAsync()).Single();
        Assert.That((item["status"].S, item["messageId"].S), Is.EqualTo(("shipped", "m2")));
    }

    [Test]
    public async Task SaveAsync_NewerAfterOlder_Overwrites()
    {
        await _store.SaveAsync(At("2025-05-03T12:00:00Z", "new"), "m1", CancellationToken.None);
        // Same instant as 12:30Z written with an offset: compared as UTC, it is newer.
        var outcome = await _store.SaveAsync(At("2025-05-03T14:30:00+02:00", "shipped"), "m2", CancellationToken.None);

        Assert.That(outcome.Outcome, Is.EqualTo(SaveOutcome.Stored));
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

        Assert.That(item.Keys, Is.EquivalentTo(new[] { "orderId", "userId", "itemName", "quantity", "status", "timestamp", "messageId", "fingerprint" }));
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
            Assert.That(item["fingerprint"].S, Is.EqualTo(At("2025-05-03T12:00:00Z").ComputeFingerprint()));
        });
    }

    /// <summary>Two versions with the same timestamp, in both arrival orders: the same item is stored either way.</summary>
    [TestCase(false, TestName = "SaveAsync_SameTimestampOtherContent_ConvergesWhateverTheOrder(new then paid)")]
    [TestCase(true, TestName = "SaveAsync_SameTimestampOtherContent_ConvergesWhateverTheOrder(paid then new)")]
    public async Task SaveAsync_SameTimestampOtherContent_ConvergesWhateverTheOrder(bool reversed)
    {
        var a = At("2025-05-03T12:00:00Z", "new");
        var b = At("2025-05-03T12:00:00Z", "paid");
        var winner = string.CompareOrdinal(a.ComputeFingerprint(), b.ComputeFingerprint()) > 0 ? a : b;
        var (first, second) = reversed ? (b, a) : (a, b);

        var firstResult = await _store.SaveAsync(first, "m-first", CancellationToken.None);
        var secondResult = await _store.SaveAsync(second, "m-second", CancellationToken.None);
        var redelivered = await _store.SaveAsync(second, "m-second", CancellationToken.None);

        var item = (await ScanAsync()).Single();
        Assert.Multiple(() =>
        {
            Assert.That(firstResult.Outcome, Is.EqualTo(SaveOutcome.Stored));
            Assert.That(secondResult.Outcome, Is.EqualTo(SaveOutcome.Conflict));
            Assert.That(secondResult.OtherFingerprint, Is.EqualTo(first.ComputeFingerprint()));
            Assert.That(secondResult.Replaced, Is.EqualTo(ReferenceEquals(second, winner)));
            Assert.That(item["status"].S, Is.EqualTo(winner.Status));
            Assert.That(item["fingerprint"].S, Is.EqualTo(winner.ComputeFingerprint()));
            // A redelivery of the losing version is still a conflict (it meets the winner); of the winner, a duplicate.
            Assert.That(redelivered.Outcome, Is.EqualTo(ReferenceEquals(second, winner) ? SaveOutcome.Duplicate : SaveOutcome.Conflict));
        });
    }
}
