using System.Diagnostics;
using OrderProcessor.Contracts;
using OrderProcessor.Orders;
using OrderProcessor.Storage;

namespace OrderProcessor.Processing;

/// <summary>
/// Processes the records of one batch concurrently (bounded) and reports exactly the ones that did not
/// succeed. Every record counts as failed until it succeeds: nothing per record escapes as an exception.
/// </summary>
public sealed class BatchProcessor(IOrderStore store, OrderLog log, ProcessingOptions options)
{
    public async Task<SqsBatchResponse> ProcessAsync(IReadOnlyList<SqsMessage> records, CancellationToken cancellationToken)
    {
        var started = Stopwatch.GetTimestamp();
        var outcomes = new RecordOutcome[records.Count];
        if (records.Count == 1)
        {
            outcomes[0] = await ProcessRecordAsync(records[0], cancellationToken).ConfigureAwait(false);
        }
        else
        {
            await Parallel.ForEachAsync(
                Enumerable.Range(0, records.Count),
                new ParallelOptions { MaxDegreeOfParallelism = options.MaxConcurrency, CancellationToken = cancellationToken },
                async (index, token) => outcomes[index] = await ProcessRecordAsync(records[index], token).ConfigureAwait(false))
                .ConfigureAwait(false);
        }

        List<BatchItemFailure>? failures = null;
        for (var i = 0; i < records.Count; i++)
        {
            if (outcomes[i] is RecordOutcome.Invalid or RecordOutcome.Failed)
            {
                (failures ??= []).Add(new BatchItemFailure { ItemIdentifier = records[i].MessageId! });
            }
        }

        log.Batch(outcomes, Stopwatch.GetElapsedTime(started));
        return new SqsBatchResponse { BatchItemFailures = failures ?? [] };
    }

    private async Task<RecordOutcome> ProcessRecordAsync(SqsMessage record, CancellationToken cancellationToken)
    {
        var started = Stopwatch.GetTimestamp();
        var messageId = record.MessageId!;
        ParseResult parsed = default;
        RecordOutcome outcome;
        string? reason = null;
        try
        {
            parsed = MessageBodyParser.Parse(record.Body);
            if (parsed.Order is { } order)
            {
                outcome = await store.SaveAsync(order, messageId, cancellationToken).ConfigureAwait(false) switch
                {
                    SaveOutcome.Stored => RecordOutcome.Stored,
                    SaveOutcome.Duplicate => RecordOutcome.Duplicate,
                    _ => RecordOutcome.Stale,
                };
            }
            else
            {
                outcome = RecordOutcome.Invalid;
                reason = parsed.Reason;
            }
        }
        catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            outcome = RecordOutcome.Failed;
            reason = $"{e.GetType().Name}: {e.Message}";
        }

        log.Record(new RecordReport(
            messageId,
            parsed.OrderId,
            outcome,
            reason,
            record.ReceiveCount,
            Stopwatch.GetElapsedTime(started),
            outcome == RecordOutcome.Invalid ? record.Body ?? string.Empty : null));
        return outcome;
    }
}
