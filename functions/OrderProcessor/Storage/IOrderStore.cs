using OrderProcessor.Orders;

namespace OrderProcessor.Storage;

/// <summary>Where orders are kept. Writes are idempotent, never let an older version replace a newer one, and
/// settle two versions with the same timestamp the same way whatever order they arrive in.</summary>
public interface IOrderStore
{
    /// <summary>Writes the order unless the same, a newer, or a winning same-time version is stored. Throws when the write itself fails.</summary>
    Task<SaveResult> SaveAsync(Order order, string messageId, CancellationToken cancellationToken);
}
