using Amazon.DynamoDBv2;
using Amazon.DynamoDBv2.Model;
using Moq;
using OrderProcessor.Orders;
using OrderProcessor.Storage;

namespace OrderProcessor.Tests.Storage;

public sealed class DynamoDbOrderStoreTests
{
    private static readonly Order Sample = new("O1234", "U123", "Laptop", 1, "new", new DateTimeOffset(2025, 5, 3, 14, 0, 0, TimeSpan.FromHours(2)));

    private readonly Mock<IAmazonDynamoDB> _client = new(MockBehavior.Strict);

    [Test]
    public async Task SaveAsync_NewOrder_SendsTheExactItemAndCondition()
    {
        PutItemRequest? sent = null;
        _client.Setup(c => c.PutItemAsync(It.IsAny<PutItemRequest>(), It.IsAny<CancellationToken>()))
            .Callback<PutItemRequest, CancellationToken>((request, _) => sent = request)
            .ReturnsAsync(new PutItemResponse());

        var outcome = await new DynamoDbOrderStore(_client.Object, "Orders-test").SaveAsync(Sample, "msg-1", CancellationToken.None);

        Assert.That(outcome, Is.EqualTo(new SaveResult(SaveOutcome.Stored)));
        Assert.That(sent, Is.Not.Null);
        Assert.Multiple(() =>
        {
            Assert.That(sent!.TableName, Is.EqualTo("Orders-test"));
            Assert.That(sent.Item.ToDictionary(kv => kv.Key, kv => kv.Value.S ?? $"N:{kv.Value.N}"), Is.EquivalentTo(new Dictionary<string, string>
            {
                ["orderId"] = "O1234",
                ["userId"] = "U123",
                ["itemName"] = "Laptop",
                ["quantity"] = "N:1",
                ["status"] = "new",
                ["timestamp"] = "2025-05-03T12:00:00.0000000Z",
                ["messageId"] = "msg-1",
                ["fingerprint"] = SampleFingerprint,
            }));
            Assert.That(sent.ConditionExpression, Is.EqualTo("attribute_not_exists(#id) OR #ts < :ts OR (#ts = :ts AND (attribute_not_exists(#fp) OR #fp < :fp))"));
            Assert.That(sent.ExpressionAttributeNames, Is.EquivalentTo(new Dictionary<string, string> { ["#id"] = "orderId", ["#ts"] = "timestamp", ["#fp"] = "fingerprint" }));
            Assert.That(sent.ExpressionAttributeValues.Keys, Is.EquivalentTo(new[] { ":ts", ":fp" }));
            Assert.That(sent.ExpressionAttributeValues[":ts"].S, Is.EqualTo("2025-05-03T12:00:00.0000000Z"));
            Assert.That(sent.ExpressionAttributeValues[":fp"].S, Is.EqualTo(SampleFingerprint));
            Assert.That(sent.ReturnValues, Is.EqualTo(ReturnValue.ALL_OLD));
            Assert.That(sent.ReturnValuesOnConditionCheckFailure, Is.EqualTo(ReturnValuesOnConditionCheckFailure.ALL_OLD));
        });
    }

    /// <summary>SHA-256 of the sample's length-prefixed fields, computed independently of the code under test.</summary>
    private static readonly string SampleFingerprint = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(
        new[] { "O1234", "U123", "Laptop", "1", "new", "2025-05-03T12:00:00.0000000Z" }
            .SelectMany(f => BitConverter.GetBytes(System.Net.IPAddress.HostToNetworkOrder(System.Text.Encoding.UTF8.GetByteCount(f))).Concat(System.Text.Encoding.UTF8.GetBytes(f)))
            .ToArray()));

    private const string Greater = "ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff";

    [TestCase("2025-05-03T12:00:00.0000000Z", null, SaveOutcome.Duplicate, TestName = "Same timestamp, same fingerprint: duplicate")]
    [TestCase("2025-05-03T12:00:00.0000001Z", null, SaveOutcome.Stale, TestName = "Newer timestamp stored: stale")]
    [TestCase("2025-05-03T12:00:00.0000000Z", Greater, SaveOutcome.Conflict, TestName = "Same timestamp, greater fingerprint stored: conflict, kept")]
    public async Task SaveAsync_ConditionFailsWithStoredItem_ClassifiesByStoredVersion(string stored, string? storedFingerprint, SaveOutcome expected)
    {
        _client.Setup(c => c.PutItemAsync(It.IsAny<PutItemRequest>(), It.IsAny<CancellationToken>()))
            .ThrowsAsync(new ConditionalCheckFailedException("condition")
            {
                Item = new() { ["timestamp"] = new AttributeValue { S = stored }, ["fingerprint"] = new AttributeValue { S = storedFingerprint ?? SampleFingerprint } },
            });

        var result = await new DynamoDbOrderStore(_client.Object, "Orders-test").SaveAsync(Sample, "msg-1", CancellationToken.None);

        Assert.That(result.Outcome, Is.EqualTo(expected));
        Assert.That(result.OtherFingerprint, Is.EqualTo(expected == SaveOutcome.Conflict ? Greater : null));
        Assert.That(result.Replaced, Is.False);
    }

    [TestCase("2025-05-03T12:00:00.0000000Z", "0000000000000000000000000000000000000000000000000000000000000000", SaveOutcome.Conflict, TestName = "Replaced a same-timestamp version with a smaller fingerprint: conflict, replaced")]
    [TestCase("2025-05-03T11:00:00.0000000Z", "0000000000000000000000000000000000000000000000000000000000000000", SaveOutcome.Stored, TestName = "Replaced an older version: stored")]
    [TestCase("2025-05-03T12:00:00.0000000Z", null, SaveOutcome.Stored, TestName = "Replaced a same-timestamp item stored before fingerprints: stored")]
    public async Task SaveAsync_Written_TellsAConflictWonFromANewerVersion(string replacedTimestamp, string? replacedFingerprint, SaveOutcome expected)
    {
        var replaced = new Dictionary<string, AttributeValue> { ["timestamp"] = new() { S = replacedTimestamp } };
        if (replacedFingerprint is not null)
        {
            replaced["fingerprint"] = new AttributeValue { S = replacedFingerprint };
        }

        _client.Setup(c => c.PutItemAsync(It.IsAny<PutItemRequest>(), It.IsAny<CancellationToken>())).ReturnsAsync(new PutItemResponse { Attributes = replaced });

        var result = await new DynamoDbOrderStore(_client.Object, "Orders-test").SaveAsync(Sample, "msg-1", CancellationToken.None);

        Assert.That((result.Outcome, result.Replaced), Is.EqualTo((expected, expected == SaveOutcome.Conflict)));
    }

    [Test]
    public async Task PrimeAsync_ReadsAKeyNoOrderCanHave()
    {
        GetItemRequest? read = null;
        _client.Setup(c => c.GetItemAsync(It.IsAny<GetItemRequest>(), It.IsAny<CancellationToken>()))
            .Callback<GetItemRequest, CancellationToken>((request, _) => read = request)
            .ReturnsAsync(new GetItemResponse());

        await new DynamoDbOrderStore(_client.Object, "Orders-test").PrimeAsync(CancellationToken.None);

        var key = read!.Key["orderId"].S;
        var asOrderId = OrderReader.Read(System.Text.Encoding.UTF8.GetBytes(TestEvents.Order(key, "2025-05-03T12:00:00Z", "new")));
        Assert.That(asOrderId.Reason, Is.EqualTo("orderId: must not begin or end with white space"));
    }

    [Test]
    public async Task SaveAsync_ConditionFailsWithoutItem_ReadsTheStoredVersionConsistently()
    {
        GetItemRequest? read = null;
        _client.Setup(c => c.PutItemAsync(It.IsAny<PutItemRequest>(), It.IsAny<CancellationToken>()))
            .ThrowsAsync(new ConditionalCheckFailedException("condition"));
        _client.Setup(c => c.GetItemAsync(It.IsAny<GetItemRequest>(), It.IsAny<CancellationToken>()))
            .Callback<GetItemRequest, CancellationToken>((request, _) => read = request)
            .ReturnsAsync(new GetItemResponse { Item = new() { ["timestamp"] = new AttributeValue { S = "2025-05-03T12:00:00.0000000Z" }, ["fingerprint"] = new AttributeValue { S = SampleFingerprint } } });

        var outcome = await new DynamoDbOrderStore(_client.Object, "Orders-test").SaveAsync(Sample, "msg-1", CancellationToken.None);

        Assert.That(outcome, Is.EqualTo(new SaveResult(SaveOutcome.Duplicate)));
        Assert.That(read!.ProjectionExpression, Is.EqualTo("#ts, #fp"));
        Assert.That(read!.ConsistentRead, Is.True);
        Assert.That(read.Key["orderId"].S, Is.EqualTo("O1234"));
        Assert.That(read.TableName, Is.EqualTo("Orders-test"));
    }

    [Test]
    public void SaveAsync_WriteFails_Throws()
    {
        _client.Setup(c => c.PutItemAsync(It.IsAny<PutItemRequest>(), It.IsAny<CancellationToken>()))
            .ThrowsAsync(new ProvisionedThroughputExceededException("slow down"));

        Assert.ThrowsAsync<ProvisionedThroughputExceededException>(() =>
            new DynamoDbOrderStore(_client.Object, "Orders-test").SaveAsync(Sample, "msg-1", CancellationToken.None));
    }
}
