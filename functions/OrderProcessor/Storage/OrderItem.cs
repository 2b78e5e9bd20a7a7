namespace OrderProcessor.Storage;

/// <summary>
/// The attribute names of an order item in the table, and the condition of every write. No AWS SDK type here:
/// bench/ColdStartFloor compiles this file too, so that its requests stay the function's.
/// </summary>
public static class OrderItem
{
    /// <summary>
    /// The condition of every write (<c>#id</c>, <c>#ts</c>, <c>#fp</c>: <see cref="OrderId"/>, <see cref="Timestamp"/>,
    /// <see cref="Fingerprint"/>; <c>:ts</c>, <c>:fp</c>: the version's). An item stored before fingerprints existed has
    /// none, and is replaced by a version with its timestamp (a redelivery of it, almost always), after which the rule applies.
    /// </summary>
    public const string WriteCondition = "attribute_not_exists(#id) OR #ts < :ts OR (#ts = :ts AND (attribute_not_exists(#fp) OR #fp < :fp))";

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
