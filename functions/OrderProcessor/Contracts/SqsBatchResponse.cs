using System.Text.Json.Serialization;

namespace OrderProcessor.Contracts;

/// <summary>
/// The partial batch response (<c>ReportBatchItemFailures</c>): the messages listed here stay in the queue
/// and are received again; every other message of the batch is deleted.
/// </summary>
public sealed record SqsBatchResponse
{
    [JsonPropertyName("batchItemFailures")]
    public IReadOnlyList<BatchItemFailure> BatchItemFailures { get; init; } = [];
}
