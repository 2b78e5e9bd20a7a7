namespace OrderProcessor.Storage;

/// <summary>The attribute names of an order item in the table.</summary>
public static class OrderItem
{
    public const string OrderId = "orderId";
    public const string UserId = "userId";
    public const string ItemName = "itemName";
    public const string Quantity = "quantity";
    public const string Status = "status";

    /// <summary>UTC, fixed width (see <see cref="Orders.Order.TimestampUtc"/>). A reserved word in DynamoDB expressions.</summary>
    public const string Timestamp = "timestamp";

    /// <summary>The SQS message id the stored version came from.</summary>
    public const string MessageId = "messageId";

    /// <summary>The stored version's content fingerprint (see <see cref="Orders.Order.Fingerprint"/>), which settles same-timestamp conflicts.</summary>
    public const string Fingerprint = "fingerprint";
}
