using Amazon.SQS;
using Amazon.SQS.Model;
using OrderProcessor.Contracts;

namespace OrderProcessor.Processing;

/// <summary>
/// Sets the visibility timeout of the records a batch reports as failures, so that the dead-letter queue holds
/// poison, not outages (https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-visibility-timeout.html):
/// <list type="bullet">
/// <item>a <c>failed</c> record (throttling, a 5xx, a timeout) backs off by <see cref="BackoffSchedule"/>, so its
/// <c>maxReceiveCount</c> receives span the outage tolerance instead of a few visibility timeouts;</item>
/// <item>an <c>invalid</c> record is made visible again at once: it can never succeed, so waiting only delays the
/// moment it reaches the dead-letter queue and pages someone who can fix the producer.</item>
/// </list>
/// One <c>ChangeMessageVisibilityBatch</c> call per invocation (per ten records: SQS's batch limit). If the call
/// fails, the records are still reported in <c>batchItemFailures</c> and reappear after the queue's own visibility
/// timeout: the backoff may be lost, an order never is.
/// </summary>
public sealed class RetryScheduler(IAmazonSQS sqs, string queueUrl, BackoffSchedule schedule, OrderLog log, Func<double>? random = null)
{
    /// <summary>SQS takes at most ten entries per batch call.</summary>
    public const int MaxBatchEntries = 10;

    private readonly Func<double> _random = random ?? Random.Shared.NextDouble;

    /// <summary>The visibility timeout to give a record with this outcome, or null when the record succeeded.</summary>
    public int? DelaySeconds(SqsMessage record, RecordOutcome outcome) => outcome switch
    {
        RecordOutcome.Failed => schedule.DelaySeconds(record.ReceiveCount ?? 1, _random),
        RecordOutcome.Invalid => 0,
        _ => null,
    };

    /// <summary>Changes the visibility of each record to its delay. Never throws: a failure is logged and the queue's timeout applies.</summary>
    public async Task ScheduleAsync(IReadOnlyList<(SqsMessage Record, int DelaySeconds)> retries, CancellationToken cancellationToken)
    {
        var entries = retries.Where(r => !string.IsNullOrEmpty(r.Record.ReceiptHandle)).ToList();
        for (var start = 0; start < entries.Count; start += MaxBatchEntries)
        {
            var chunk = entries.Skip(start).Take(MaxBatchEntries).ToList();
            var request = new ChangeMessageVisibilityBatchRequest
            {
                QueueUrl = queueUrl,
                Entries = chunk.Select((r, i) => new ChangeMessageVisibilityBatchRequestEntry
                {
                    Id = i.ToString(System.Globalization.CultureInfo.InvariantCulture),
                    ReceiptHandle = r.Record.ReceiptHandle,
                    VisibilityTimeout = r.DelaySeconds,
                }).ToList(),
            };
            try
            {
                var response = await sqs.ChangeMessageVisibilityBatchAsync(request, cancellationToken).ConfigureAwait(false);
                foreach (var failed in response.Failed ?? [])
                {
                    var record = chunk[int.Parse(failed.Id, System.Globalization.CultureInfo.InvariantCulture)].Record;
                    log.Notice(LogLevel.Warn, $"visibility change refused for message {record.MessageId} ({failed.Code}: {failed.Message}); it reappears after the queue's visibility timeout", TimeSpan.Zero);
                }
            }
            catch (Exception e)
            {
                log.Notice(LogLevel.Warn, $"visibility change failed for {chunk.Count} record(s) ({e.GetType().Name}: {e.Message}); they reappear after the queue's visibility timeout", TimeSpan.Zero);
            }
        }
    }

    /// <summary>Reads one attribute of the queue: during init, so that the client's first-call costs land there.</summary>
    public Task PrimeAsync(CancellationToken cancellationToken) =>
        sqs.GetQueueAttributesAsync(new GetQueueAttributesRequest { QueueUrl = queueUrl, AttributeNames = ["VisibilityTimeout"] }, cancellationToken);
}
