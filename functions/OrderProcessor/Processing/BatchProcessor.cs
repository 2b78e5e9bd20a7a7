using System.Diagnostics;
using OrderProcessor.Contracts;
using OrderProcessor.Orders;
using OrderProcessor.Storage;

namespace OrderProcessor.Processing;

/// <summary>
/// Processes the records of one batch concurrently (bounded) and reports exactly the ones that did not
/// succeed. Every record counts as failed until it succeeds: nothing per record escapes as an exception,
/// and when the invocation's time budget runs out the unfinished records fail, and the batch is answered. With a
/// <see cref="RetryScheduler"/>, the reported records' visibility is set before answering (backoff for failed
/// records, at once for invalid ones).
/// </summary>
public sealed class BatchProcessor(IOrderStore store, OrderLog log, ProcessingOptions options, RetryScheduler? retries = null)
{
    /// <param name="records">The batch.</param>
    /// <param name="deadline">Cancelled when the invocation's time budget is spent: writes still waiting then fail.</param>
    /// <param name="answerBy">Cancelled when the invocation must answer: the visibility change gives up then.</param>
    public async Task<SqsBatchResponse> ProcessAsync(IReadOnlyList<SqsMessage> records, CancellationToken deadline, CancellationToken answerBy = default)
    {
        var started = Stopwatch.GetTimestamp();
        // Every record is failed until it succeeds: a record whose processing never completes is reported, not deleted.
        var results = new RecordResult[records.Count];
        Array.Fill(results, RecordResult.NotProcessed);
        if (records.Count == 1)
        {
            results[0] = await ProcessRecordAsync(records[0], deadline).ConfigureAwait(false);
        }
        else
        {
            await Parallel.ForEachAsync(
                Enumerable.Range(0, records.Count),
                // No token here: a spent budget must fail the remaining records, not abandon the batch. The thread pool's
                // scheduler, said explicitly: the records never run on a scheduler of the caller's.
                new ParallelOptions { MaxDegreeOfParallelism = options.MaxConcurrency, TaskScheduler = TaskScheduler.Default },
                async (index, _) => results[index] = await ProcessRecordAsync(records[index], deadline).ConfigureAwait(false))
                .ConfigureAwait(false);
        }

        List<BatchItemFailure>? failures = null;
        List<(SqsMessage, int)>? scheduled = null;
        for (var i = 0; i < records.Count; i++)
        {
            if (results[i].Outcome is RecordOutcome.Invalid or RecordOutcome.Failed)
            {
                (failures ??= []).Add(new BatchItemFailure { ItemIdentifier = records[i].MessageId! });
                if (results[i].RetryAfterSeconds is { } delay)
                {
                    (scheduled ??= []).Add((records[i], delay));
                }
            }
        }

        if (retries is not null && scheduled is not null)
        {
            await retries.ScheduleAsync(scheduled, answerBy).ConfigureAwait(false);
        }

        var counts = OutcomeCounts.Of(results);
        log.Batch(counts, Stopwatch.GetElapsedTime(started));
        log.Metrics(counts, results.Where(r => r.AgeMs is not null).Select(r => r.AgeMs!.Value).ToList(), DateTimeOffset.UtcNow);
        return new SqsBatchResponse { BatchItemFailures = failures ?? [] };
    }

    private async Task<RecordResult> ProcessRecordAsync(SqsMessage record, CancellationToken deadline)
    {
        var started = Stopwatch.GetTimestamp();
        var messageId = record.MessageId!;
        ParseResult parsed = default;
        RecordOutcome outcome;
        string? reason = null;
        (string, SaveResult)? conflict = null;
        try
        {
            parsed = MessageBodyParser.Parse(record.Body);
            if (parsed.Order is { } order)
            {
                var saved = await store.SaveAsync(order, messageId, deadline).ConfigureAwait(false);
                outcome = saved.Outcome switch
                {
                    SaveOutcome.Stored => RecordOutcome.Stored,
                    SaveOutcome.Duplicate => RecordOutcome.Duplicate,
                    SaveOutcome.Stale => RecordOutcome.Stale,
                    _ => RecordOutcome.Conflict,
                };
                if (outcome == RecordOutcome.Conflict)
                {
                    conflict = (order.ComputeFingerprint(), saved);
                }
            }
            else
            {
                outcome = RecordOutcome.Invalid;
                reason = parsed.Reason;
            }
        }
        catch (OperationCanceledException) when (deadline.IsCancellationRequested)
        {
            outcome = RecordOutcome.Failed;
            reason = "the invocation's time budget ran out before the write completed (see FUNCTION_TIMEOUT_SECONDS)";
        }
        catch (Exception e)
        {
            outcome = RecordOutcome.Failed;
            reason = $"{e.GetType().Name}: {e.Message}";
        }

        var delay = retries?.DelaySeconds(record, outcome);
        // The pipeline's lag: from SQS receiving the message to this outcome.
        var age = record.SentAt is { } sent ? Math.Max(0, (DateTimeOffset.UtcNow - sent).TotalMilliseconds) : (double?)null;
        log.Record(new RecordReport(
            messageId,
            parsed.OrderId,
            outcome,
            reason,
            record.ReceiveCount,
            Stopwatch.GetElapsedTime(started),
            outcome == RecordOutcome.Invalid ? record.Body ?? string.Empty : null) { Conflict = conflict, RetryAfterSeconds = delay, SnsMessageId = parsed.SnsMessageId });
        return new RecordResult(outcome, delay, age);
    }
}
