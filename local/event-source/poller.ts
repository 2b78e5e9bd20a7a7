// The local stand-in for Lambda's SQS event source mapping, with its semantics: up to `batchSize`
// messages per invocation, gathered for up to the batching window; at most `maximumConcurrency`
// invocations at once; after an invocation, only the messages not listed in batchItemFailures are
// deleted. Everything else (listed failures, an error, a crash, a timeout, a malformed response) stays
// in the queue, reappears after the visibility timeout, and moves to the DLQ after maxReceiveCount receives.
import { DeleteMessageBatchCommand, type Message, ReceiveMessageCommand, type SQSClient } from "@aws-sdk/client-sqs";
import type { PipelineSettings } from "../../infra/config";
import type { InvokeResult } from "../runtime-api/execution-environments";

export interface PollerOptions {
    readonly sqs: SQSClient;
    readonly queueUrl: string;
    readonly queueArn: string;
    readonly region: string;
    readonly settings: Pick<PipelineSettings, "batchSize" | "maximumBatchingWindowSeconds" | "maximumConcurrency" | "functionTimeoutSeconds">;
    readonly invoke: (event: Buffer, timeoutMs: number) => Promise<InvokeResult>;
    /** Said once per invocation that did not complete normally, and when the queue cannot be reached. */
    readonly onNotice: (message: string) => void;
    /** Called after every invocation. */
    readonly onInvocation?: (report: InvocationReport) => void;
    /**
     * Called when the order queue no longer exists (fauxqs was restarted and lost its state): re-creates the
     * stack's resources so that new orders flow again. Without it the poller keeps reporting the error.
     */
    readonly recreate?: () => Promise<void>;
}

export interface InvocationReport {
    readonly received: number;
    readonly deleted: number;
    readonly outcome: InvokeResult["kind"] | "malformed-response";
    /** Where the time went: gathering the batch, the invocation, the deletes. */
    readonly receiveMs: number;
    readonly invokeMs: number;
    readonly deleteMs: number;
}

/** The SQS event Lambda would build for these messages. */
export function toSqsEvent(messages: readonly Message[], queueArn: string, region: string) {
    return {
        Records: messages.map((m) => ({
            messageId: m.MessageId,
            receiptHandle: m.ReceiptHandle,
            body: m.Body ?? "",
            attributes: m.Attributes ?? {},
            messageAttributes: Object.fromEntries(
                Object.entries(m.MessageAttributes ?? {}).map(([name, a]) => [
                    name,
                    {
                        stringValue: a.StringValue,
                        binaryValue: a.BinaryValue ? Buffer.from(a.BinaryValue).toString("base64") : undefined,
                        stringListValues: a.StringListValues ?? [],
                        binaryListValues: (a.BinaryListValues ?? []).map((v) => Buffer.from(v).toString("base64")),
                        dataType: a.DataType,
                    },
                ]),
            ),
            md5OfBody: m.MD5OfBody,
            md5OfMessageAttributes: m.MD5OfMessageAttributes,
            eventSource: "aws:sqs",
            eventSourceARN: queueArn,
            awsRegion: region,
        })),
    };
}

/**
 * The most an invocation's event may weigh: Lambda's 6 MB quota on a synchronous invocation's payload, which its SQS
 * event source respects when it builds a batch ("until the batch window expires, the invocation payload size quota is
 * reached, or the configured maximum batch size is reached": https://docs.aws.amazon.com/lambda/latest/dg/with-sqs.html;
 * the quota: https://docs.aws.amazon.com/lambda/latest/dg/gettingstarted-limits.html).
 */
export const MAX_EVENT_BYTES = 6 * 1024 * 1024;

/**
 * The received messages as invocation events, in order, each within `maxBytes`: as many messages per event as fit,
 * so that a batch of large messages (SQS allows up to 1 MiB each) becomes several invocations, as on Lambda.
 */
export function eventsWithinPayloadQuota(batch: readonly Message[], queueArn: string, region: string, maxBytes: number = MAX_EVENT_BYTES): Array<{ messages: Message[]; event: Buffer }> {
    const envelope = Buffer.byteLength(JSON.stringify(toSqsEvent([], queueArn, region)));
    const events: Array<{ messages: Message[]; event: Buffer }> = [];
    let current: Message[] = [];
    let size = envelope;
    for (const message of batch) {
        const record = Buffer.byteLength(JSON.stringify(toSqsEvent([message], queueArn, region))) - envelope;
        if (current.length > 0 && size + 1 + record > maxBytes) {
            events.push({ messages: current, event: Buffer.from(JSON.stringify(toSqsEvent(current, queueArn, region))) });
            current = [];
            size = envelope;
        }
        // A comma between records.
        size += (current.length > 0 ? 1 : 0) + record;
        current.push(message);
    }
    if (current.length > 0) events.push({ messages: current, event: Buffer.from(JSON.stringify(toSqsEvent(current, queueArn, region))) });
    return events;
}

/**
 * The message ids to keep (not delete) after an invocation, or undefined when the response is not a valid
 * partial batch response: then Lambda treats the whole batch as failed, and so does this.
 */
export function failedIds(body: string, batch: readonly Message[]): Set<string> | undefined {
    let parsed: unknown;
    try {
        parsed = JSON.parse(body);
    } catch {
        return undefined;
    }
    const failures = (parsed as { batchItemFailures?: unknown } | null)?.batchItemFailures;
    if (failures === undefined || failures === null) return new Set();
    if (!Array.isArray(failures)) return undefined;
    const ids = new Set(batch.map((m) => m.MessageId));
    const failed = new Set<string>();
    for (const failure of failures) {
        const id = (failure as { itemIdentifier?: unknown } | null)?.itemIdentifier;
        if (typeof id !== "string" || !ids.has(id)) return undefined;
        failed.add(id);
    }
    return failed;
}

export class EventSourcePoller {
    private readonly abort = new AbortController();
    private workers: Promise<void>[] = [];
    /** Deletes still under way: a worker receives its next batch while the last one's deletes finish. */
    private readonly deleting = new Set<Promise<void>>();
    private recreating: Promise<void> | undefined;

    constructor(private readonly options: PollerOptions) {}

    start(): void {
        for (let i = 0; i < this.options.settings.maximumConcurrency; i++) this.workers.push(this.work());
    }

    /** Stops receiving and waits for invocations in progress; what was received and not invoked reappears later. */
    async stop(): Promise<void> {
        this.abort.abort();
        await Promise.all(this.workers);
        await Promise.all(this.deleting);
    }

    private async work(): Promise<void> {
        let unreachable = false;
        while (!this.abort.signal.aborted) {
            let batch: Message[];
            const receiving = performance.now();
            try {
                batch = await this.receiveBatch();
                if (unreachable) this.options.onNotice("event source: the order queue is reachable again");
                unreachable = false;
            } catch (error) {
                if (this.abort.signal.aborted) return;
                if ((error as Error).name === "QueueDoesNotExist" && this.options.recreate) {
                    await this.recreateOnce();
                    continue;
                }
                if (!unreachable) {
                    this.options.onNotice(
                        `event source: cannot receive from the order queue (${describe(error)}); retrying every second. ` +
                            "If fauxqs restarted, its queues and the messages in them are gone: restart npm run local.",
                    );
                }
                unreachable = true;
                await sleep(1000, this.abort.signal);
                continue;
            }
            if (batch.length === 0) continue;
            const receiveMs = performance.now() - receiving;
            for (const { messages, event } of eventsWithinPayloadQuota(batch, this.options.queueArn, this.options.region)) {
                await this.invoke(messages, event, receiveMs);
            }
        }
    }

    /** One re-creation at a time, whichever worker noticed first; the others wait for it. */
    private async recreateOnce(): Promise<void> {
        this.recreating ??= (async () => {
            this.options.onNotice(
                "event source: the order queue no longer exists: fauxqs was restarted and lost everything it held in memory " +
                    "(topic, queues, subscription, and the messages in them: those orders are lost locally and must be published again); " +
                    "re-creating the stack's resources",
            );
            try {
                await this.options.recreate!();
                this.options.onNotice("event source: resources re-created; new orders flow again");
            } catch (error) {
                this.options.onNotice(`event source: could not re-create the resources (${describe(error)}); retrying`);
                await sleep(1000, this.abort.signal);
            }
        })().finally(() => {
            this.recreating = undefined;
        });
        await this.recreating;
    }

    private async receiveBatch(): Promise<Message[]> {
        const { batchSize, maximumBatchingWindowSeconds } = this.options.settings;
        const deadline = Date.now() + maximumBatchingWindowSeconds * 1000;
        const batch: Message[] = [];
        do {
            const remainingSeconds = Math.ceil((deadline - Date.now()) / 1000);
            const response = await this.options.sqs.send(
                new ReceiveMessageCommand({
                    QueueUrl: this.options.queueUrl,
                    MaxNumberOfMessages: Math.min(10, batchSize - batch.length),
                    // Long polling, as Lambda does; within a batching window, no longer than what is left of it.
                    WaitTimeSeconds: batch.length === 0 ? 20 : Math.max(0, Math.min(20, remainingSeconds)),
                    MessageSystemAttributeNames: ["All"],
                    MessageAttributeNames: ["All"],
                }),
                { abortSignal: this.abort.signal },
            );
            batch.push(...(response.Messages ?? []));
        } while (maximumBatchingWindowSeconds > 0 && batch.length < batchSize && Date.now() < deadline && !this.abort.signal.aborted);
        return batch;
    }

    private async invoke(batch: Message[], event: Buffer, receiveMs: number): Promise<void> {
        const { settings } = this.options;
        const invoking = performance.now();
        const result = await this.options.invoke(event, settings.functionTimeoutSeconds * 1000);
        const invokeMs = performance.now() - invoking;

        let keep: Set<string> | undefined;
        let outcome: InvocationReport["outcome"] = result.kind;
        if (result.kind === "ok") {
            keep = failedIds(result.body, batch);
            if (keep === undefined) {
                outcome = "malformed-response";
                this.options.onNotice(`invocation: the function returned an invalid batch response; all ${batch.length} messages stay for retry`);
            }
        } else {
            const why = result.kind === "timeout" ? "timed out" : result.kind === "crash" ? `crashed (${result.message})` : `failed (${result.message})`;
            this.options.onNotice(`invocation ${why}; all ${batch.length} messages stay for retry`);
        }

        const done = keep === undefined ? [] : batch.filter((m) => !keep.has(m.MessageId!));
        const deletion = this.deleteDone(done).then((deleted) => {
            this.options.onInvocation?.({ received: batch.length, deleted: deleted.count, outcome, receiveMs, invokeMs, deleteMs: deleted.ms });
        });
        this.deleting.add(deletion);
        void deletion.finally(() => this.deleting.delete(deletion));
    }

    /** Deletes the messages the invocation completed, ten per request. A failed delete only means a redelivery. */
    private async deleteDone(done: readonly Message[]): Promise<{ count: number; ms: number }> {
        const started = performance.now();
        let count = 0;
        for (let i = 0; i < done.length; i += 10) {
            const chunk = done.slice(i, i + 10);
            try {
                const response = await this.options.sqs.send(
                    new DeleteMessageBatchCommand({
                        QueueUrl: this.options.queueUrl,
                        Entries: chunk.map((m, index) => ({ Id: String(index), ReceiptHandle: m.ReceiptHandle })),
                    }),
                );
                count += response.Successful?.length ?? 0;
            } catch (error) {
                // Not deleted: the messages reappear and are processed again, which the function makes harmless.
                this.options.onNotice(`event source: could not delete ${chunk.length} processed messages (${describe(error)}); they will be received again`);
            }
        }
        return { count, ms: performance.now() - started };
    }
}

function describe(error: unknown): string {
    return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
    return new Promise((resolve) => {
        const timer = setTimeout(resolve, ms);
        signal.addEventListener("abort", () => {
            clearTimeout(timer);
            resolve();
        }, { once: true });
    });
}
