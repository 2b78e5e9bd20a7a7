namespace OrderProcessor.Orders;

/// <summary>The result of reading a message body: an order, or the reason it was rejected.</summary>
public readonly record struct ParseResult
{
    private ParseResult(Order? order, string? orderId, string? reason)
    {
        Order = order;
        OrderId = orderId;
        Reason = reason;
    }

    /// <summary>The order, when the body held a valid one.</summary>
    public Order? Order { get; }

    /// <summary>The order id when one could be read, valid or not (for logs); null otherwise.</summary>
    public string? OrderId { get; }

    /// <summary>Why the body was rejected; null for a valid order.</summary>
    public string? Reason { get; }

    /// <summary>The SNS <c>MessageId</c> when the body was an SNS envelope: what the producer's publish returned.</summary>
    public string? SnsMessageId { get; init; }

    public static ParseResult Valid(Order order) => new(order, order.OrderId, null);

    public static ParseResult Invalid(string reason, string? orderId = null) => new(null, orderId, reason);
}
