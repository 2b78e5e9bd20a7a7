using System.Globalization;
using Amazon.DynamoDBv2;
using Amazon.DynamoDBv2.Model;
using OrderProcessor.Orders;

namespace OrderProcessor.Storage;

/// <summary>
/// Stores orders with one conditional <c>PutItem</c>: written when no item has this <c>orderId</c>, the stored
/// one is older, or it has the same timestamp and a smaller content fingerprint. So a redelivery changes
/// nothing, an older version never replaces a newer one, and two versions with the same timestamp end as the
/// same item whatever order they arrive in. A failed condition is an expected outcome, told apart by the stored
/// timestamp and fingerprint. Low-level API only: no table-metadata calls.
/// </summary>
public sealed class DynamoDbOrderStore(IAmazonDynamoDB client, string tableName) : IOrderStore
{
    /// <summary>
    /// A key no order can have: order ids may not begin with white space (<see cref="OrderRules.CheckText"/>), so
    /// priming reads nothing a real order could have written.
    /// </summary>
    public const string PrimingKey = " priming";

    public async Task<SaveResult> SaveAsync(Order order, string messageId, CancellationToken cancellationToken)
    {
        var fingerprint = order.ComputeFingerprint();
        var request = BuildPutItem(order, messageId, fingerprint);
        try
        {
            var response = await client.PutItemAsync(request, cancellationToken).ConfigureAwait(false);
            return Written(order, response.Attributes);
        }
        catch (ConditionalCheckFailedException e)
        {
            var stored = e.Item is { Count: > 0 } item
                ? item
                : await ReadStoredVersionAsync(order.OrderId, cancellationToken).ConfigureAwait(false);
            return NotWritten(order, fingerprint, stored);
        }
    }

    /// <summary>
    /// One read of <see cref="PrimingKey"/>: it exercises the client's whole request path without writing
    /// anything. Throws what the read throws.
    /// </summary>
    public Task PrimeAsync(CancellationToken cancellationToken) => ReadStoredVersionAsync(PrimingKey, cancellationToken);

    /// <summary>The exact request sent for an order.</summary>
    public PutItemRequest BuildPutItem(Order order, string messageId, string fingerprint)
    {
        var timestamp = new AttributeValue { S = order.TimestampUtc };
        var print = new AttributeValue { S = fingerprint };
        return new PutItemRequest
        {
            TableName = tableName,
            Item = new Dictionary<string, AttributeValue>(8)
            {
                [OrderItem.OrderId] = new() { S = order.OrderId },
                [OrderItem.UserId] = new() { S = order.UserId },
                [OrderItem.ItemName] = new() { S = order.ItemName },
                [OrderItem.Quantity] = new() { N = order.Quantity.ToString(CultureInfo.InvariantCulture) },
                [OrderItem.Status] = new() { S = order.Status },
                [OrderItem.Timestamp] = timestamp,
                [OrderItem.MessageId] = new() { S = messageId },
                [OrderItem.Fingerprint] = print,
            },
            ConditionExpression = OrderItem.WriteCondition,
            ExpressionAttributeNames = new Dictionary<string, string>(3)
            {
                ["#id"] = OrderItem.OrderId,
                ["#ts"] = OrderItem.Timestamp,
                ["#fp"] = OrderItem.Fingerprint,
            },
            ExpressionAttributeValues = new Dictionary<string, AttributeValue>(2) { [":ts"] = timestamp, [":fp"] = print },
            // The replaced item, to tell a same-timestamp conflict won from a plain newer version.
            ReturnValues = ReturnValue.ALL_OLD,
            // AWS returns the stored item with the failure; emulators that do not are asked once more below.
            ReturnValuesOnConditionCheckFailure = ReturnValuesOnConditionCheckFailure.ALL_OLD,
        };
    }

    private async Task<Dictionary<string, AttributeValue>?> ReadStoredVersionAsync(string orderId, CancellationToken cancellationToken)
    {
        var response = await client.GetItemAsync(
            new GetItemRequest
            {
                TableName = tableName,
                Key = new Dictionary<string, AttributeValue>(1) { [OrderItem.OrderId] = new() { S = orderId } },
                ProjectionExpression = "#ts, #fp",
                ExpressionAttributeNames = new Dictionary<string, string>(2) { ["#ts"] = OrderItem.Timestamp, ["#fp"] = OrderItem.Fingerprint },
                ConsistentRead = true,
            },
            cancellationToken).ConfigureAwait(false);
        return response.Item;
    }

    /// <summary>Written: a conflict won when the replaced item had this timestamp and another fingerprint.</summary>
    private static SaveResult Written(Order order, Dictionary<string, AttributeValue>? replaced)
    {
        var (timestamp, fingerprint) = Version(replaced);
        return timestamp == order.TimestampUtc && fingerprint is not null
            ? new SaveResult(SaveOutcome.Conflict, fingerprint, Replaced: true)
            : SaveOutcome.Stored;
    }

    /// <summary>Not written, so the stored version is newer, or has this timestamp and a fingerprint at least as great.</summary>
    private static SaveResult NotWritten(Order order, string fingerprint, Dictionary<string, AttributeValue>? stored)
    {
        var (timestamp, storedFingerprint) = Version(stored);
        if (timestamp != order.TimestampUtc)
        {
            return SaveOutcome.Stale;
        }

        return storedFingerprint == fingerprint
            ? SaveOutcome.Duplicate
            : new SaveResult(SaveOutcome.Conflict, storedFingerprint, Replaced: false);
    }

    private static (string? Timestamp, string? Fingerprint) Version(Dictionary<string, AttributeValue>? item) =>
        item is null
            ? (null, null)
            : (item.TryGetValue(OrderItem.Timestamp, out var ts) ? ts.S : null, item.TryGetValue(OrderItem.Fingerprint, out var fp) ? fp.S : null);
}
