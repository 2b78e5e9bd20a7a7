using System.Globalization;
using Amazon.DynamoDBv2;
using Amazon.DynamoDBv2.Model;
using OrderProcessor.Orders;

namespace OrderProcessor.Storage;

/// <summary>
/// Stores orders with one conditional <c>PutItem</c>: written when no item has this <c>orderId</c> or the
/// stored one is older. A failed condition is an expected outcome (a redelivery or an out-of-order older
/// version), told apart by the stored timestamp. Low-level API only: no table-metadata calls.
/// </summary>
public sealed class DynamoDbOrderStore(IAmazonDynamoDB client, string tableName) : IOrderStore
{
    /// <summary>The condition of every write: new, or strictly newer than what is stored.</summary>
    public const string Condition = "attribute_not_exists(#id) OR #ts < :ts";

    public async Task<SaveOutcome> SaveAsync(Order order, string messageId, CancellationToken cancellationToken)
    {
        var request = BuildPutItem(order, messageId);
        try
        {
            await client.PutItemAsync(request, cancellationToken).ConfigureAwait(false);
            return SaveOutcome.Stored;
        }
        catch (ConditionalCheckFailedException e)
        {
            var stored = e.Item is { Count: > 0 } item
                ? item
                : await ReadStoredVersionAsync(order.OrderId, cancellationToken).ConfigureAwait(false);
            return Classify(order, stored);
        }
    }

    /// <summary>
    /// One read of a key that no order can have ('#' is not allowed in an order id): it exercises the
    /// client's whole request path without writing anything. Throws what the read throws.
    /// </summary>
    public Task PrimeAsync(CancellationToken cancellationToken) => ReadStoredVersionAsync("#priming", cancellationToken);

    /// <summary>The exact request sent for an order.</summary>
    public PutItemRequest BuildPutItem(Order order, string messageId)
    {
        var timestamp = new AttributeValue { S = order.TimestampUtc };
        return new PutItemRequest
        {
            TableName = tableName,
            Item = new Dictionary<string, AttributeValue>(7)
            {
                [OrderItem.OrderId] = new() { S = order.OrderId },
                [OrderItem.UserId] = new() { S = order.UserId },
                [OrderItem.ItemName] = new() { S = order.ItemName },
                [OrderItem.Quantity] = new() { N = order.Quantity.ToString(CultureInfo.InvariantCulture) },
                [OrderItem.Status] = new() { S = order.Status },
                [OrderItem.Timestamp] = timestamp,
                [OrderItem.MessageId] = new() { S = messageId },
            },
            ConditionExpression = Condition,
            ExpressionAttributeNames = new Dictionary<string, string>(2)
            {
                ["#id"] = OrderItem.OrderId,
                ["#ts"] = OrderItem.Timestamp,
            },
            ExpressionAttributeValues = new Dictionary<string, AttributeValue>(1) { [":ts"] = timestamp },
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
                ProjectionExpression = "#ts",
                ExpressionAttributeNames = new Dictionary<string, string>(1) { ["#ts"] = OrderItem.Timestamp },
                ConsistentRead = true,
            },
            cancellationToken).ConfigureAwait(false);
        return response.Item;
    }

    private static SaveOutcome Classify(Order order, Dictionary<string, AttributeValue>? stored)
    {
        // The condition failed, so a version at least as new was stored; only an equal timestamp is a duplicate.
        var storedTimestamp = stored is not null && stored.TryGetValue(OrderItem.Timestamp, out var value) ? value.S : null;
        return string.Equals(storedTimestamp, order.TimestampUtc, StringComparison.Ordinal)
            ? SaveOutcome.Duplicate
            : SaveOutcome.Stale;
    }
}
