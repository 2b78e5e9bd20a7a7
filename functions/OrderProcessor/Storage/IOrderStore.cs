using OrderProcessor.Orders;

namespace OrderProcessor.Storage;

/// <summary>Where orders are kept. Writes are idempotent and never let an older version replace a newer one.</summary>
public interface IOrderStore
{
    /// <summary>Writes the order unless the same or a newer version is stored. Throws when the write itself fails.</summary>
    Task<SaveOutcome> SaveAsync(Order order, string messageId, CancellationToken cancellationToken);
}
