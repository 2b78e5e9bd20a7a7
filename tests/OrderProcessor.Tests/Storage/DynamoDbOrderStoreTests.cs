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

        Assert.That(outcome, Is.EqualTo(SaveOutcome.Stored));
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
            }));
            Assert.That(sent.ConditionExpression, Is.EqualTo("attribute_not_exists(#id) OR #ts < :ts"));
            Assert.That(sent.ExpressionAttributeNames, Is.EquivalentTo(new Dictionary<string, string> { ["#id"] = "orderId", ["#ts"] = "timestamp" }));
            Assert.That(sent.ExpressionAttributeValues.Keys, Is.EqualTo(new[] { ":ts" }));
            Assert.That(sent.ExpressionAttributeValues[":ts"].S, Is.EqualTo("2025-05-03T12:00:00.0000000Z"));
            Assert.That(sent.ReturnValuesOnConditionCheckFailure, Is.EqualTo(ReturnValuesOnConditionCheckFailure.ALL_OLD));
        });
    }

    [TestCase("2025-05-03T12:00:00.0000000Z", SaveOutcome.Duplicate)]
    [TestCase("2025-05-03T12:00:00.0000001Z", SaveOutcome.Stale)]
    public async Task SaveAsync_ConditionFailsWithStoredItem_ClassifiesByStoredTimestamp(string stored, SaveOutcome expected)
    {
        _client.Setup(c => c.PutItemAsync(It.IsAny<PutItemRequest>(), It.IsAny<CancellationToken>()))
            .ThrowsAsync(new ConditionalCheckFailedException("condition") { Item = new() { ["timestamp"] = new AttributeValue { S = stored } } });

        var outcome = await new DynamoDbOrderStore(_client.Object, "Orders-test").SaveAsync(Sample, "msg-1", CancellationToken.None);

        Assert.That(outcome, Is.EqualTo(expected));
    }

    [Test]
    public async Task SaveAsync_ConditionFailsWithoutItem_ReadsTheStoredVersionConsistently()
    {
        GetItemRequest? read = null;
        _client.Setup(c => c.PutItemAsync(It.IsAny<PutItemRequest>(), It.IsAny<CancellationToken>()))
            .ThrowsAsync(new ConditionalCheckFailedException("condition"));
        _client.Setup(c => c.GetItemAsync(It.IsAny<GetItemRequest>(), It.IsAny<CancellationToken>()))
            .Callback<GetItemRequest, CancellationToken>((request, _) => read = request)
            .ReturnsAsync(new GetItemResponse { Item = new() { ["timestamp"] = new AttributeValue { S = "2025-05-03T12:00:00.0000000Z" } } });

        var outcome = await new DynamoDbOrderStore(_client.Object, "Orders-test").SaveAsync(Sample, "msg-1", CancellationToken.None);

        Assert.That(outcome, Is.EqualTo(SaveOutcome.Duplicate));
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
