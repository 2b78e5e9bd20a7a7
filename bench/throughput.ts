// Figure 3: orders through the whole local pipeline (SNS publish → fauxqs → poller → function → dynalite),
// orders per second and publish-to-stored latency, beside the emulators' own ceiling at the same
// concurrency: raw PutItem to dynalite, and raw send/receive/delete on fauxqs.
import { PutItemCommand } from "@aws-sdk/client-dynamodb";
import { CreateQueueCommand, DeleteMessageBatchCommand, ReceiveMessageCommand, SendMessageCommand } from "@aws-sdk/client-sqs";
import { PublishCommand } from "@aws-sdk/client-sns";
import { createClients } from "../local/emulators/clients";
import { startDynalite, startFauxqs } from "../local/emulators/servers";
import { parseFunctionLog } from "../local/function-log";
import { startLocalPipeline } from "../local/pipeline";
import type { InvocationReport } from "../local/event-source/poller";
import { createOrdersTable } from "../local/emulators/provision";
import { median, percentile } from "../local/statistics";

/** Concurrent publishers, as many clients publishing at once. */
const PUBLISHERS = 50;
/** Records the function writes at once per invocation (its default MAX_RECORD_CONCURRENCY). */
const RECORD_CONCURRENCY = 10;

export interface ThroughputFigures {
    readonly orders: number;
    readonly ordersPerSecond: number;
    readonly p50Ms: number;
    readonly p99Ms: number;
    /** Publish to stored for an order sent alone into an idle pipeline, median of a few. */
    readonly idleMs: number;
    readonly ceilingOrdersPerSecond: number;
    readonly dynamoCeiling: number;
    readonly sqsCeiling: number;
    readonly invocations: number;
    readonly meanBatch: number;
    readonly medianBatchMs: number;
    /** Bytes of the function's log per stored order (its record line and its share of the batch lines). */
    readonly logBytesPerOrder: number;
    /** Medians per invocation: gathering a batch, the invocation (the function's own part is medianBatchMs), the deletes (overlapped with the next receive). */
    readonly breakdown: { readonly receiveMs: number; readonly invokeMs: number; readonly deleteMs: number };
}

const orderJson = (id: string) => JSON.stringify({ orderId: id, userId: "U1", itemName: "Laptop", quantity: 1, status: "new", timestamp: "2025-05-03T12:00:00Z" });

async function pool(workers: number, count: number, work: (index: number) => Promise<void>): Promise<void> {
    let next = 0;
    await Promise.all(Array.from({ length: workers }, async () => {
        for (let i = next++; i < count; i = next++) await work(i);
    }));
}

export async function measureThroughput(orders: number, buildRoot: string): Promise<ThroughputFigures> {
    const stored = new Map<string, number>();
    const batchMs: number[] = [];
    let logBytes = 0;
    const invocations: InvocationReport[] = [];
    let allStored: () => void = () => undefined;
    const done = new Promise<void>((resolve) => {
        allStored = resolve;
    });
    const pipeline = await startLocalPipeline({
        stack: "dev",
        sqsPort: 0,
        dynamodbPort: 0,
        buildRoot,
        onFunctionLog: (line) => {
            logBytes += Buffer.byteLength(line) + 1;
            const entry = parseFunctionLog(line);
            if (entry?.kind === "record" && entry.outcome === "stored" && entry.orderId) {
                stored.set(entry.orderId, performance.now());
                if (stored.size === orders && !entry.orderId.startsWith("IDLE-")) allStored();
            } else if (entry?.kind === "batch") {
                batchMs.push(entry.durationMs);
            }
        },
        onInvocation: (report) => invocations.push(report),
    });
    const { settings } = pipeline;
    const published = new Map<string, number>();
    const idle: number[] = [];
    let started = 0;
    try {
        // First, single orders into an idle pipeline: the latency a lone order sees.
        for (let i = 0; i < 20; i++) {
            const id = `IDLE-${i}`;
            const sent = performance.now();
            await pipeline.clients.sns.send(new PublishCommand({ TopicArn: pipeline.resources.topicArn, Message: orderJson(id) }));
            while (!stored.has(id)) await new Promise((r) => setTimeout(r, 1));
            idle.push(stored.get(id)! - sent);
        }
        stored.clear();
        batchMs.length = 0;
        invocations.length = 0;
        logBytes = 0;
        started = performance.now();
        await pool(PUBLISHERS, orders, async (i) => {
            const id = `T-${i}`;
            published.set(id, performance.now());
            await pipeline.clients.sns.send(new PublishCommand({ TopicArn: pipeline.resources.topicArn, Message: orderJson(id) }));
        });
        let timer: NodeJS.Timeout | undefined;
        await Promise.race([
            done,
            new Promise((_, reject) => {
                timer = setTimeout(() => reject(new Error(`only ${stored.size} of ${orders} stored after 10 minutes`)), 600_000);
            }),
        ]).finally(() => clearTimeout(timer));
    } finally {
        await pipeline.stop();
    }
    const finished = Math.max(...stored.values());
    const latencies = [...published.entries()].map(([id, at]) => stored.get(id)! - at);

    // The ceilings, at the same concurrency: the pipeline's writers (invocations × records at once), its
    // publishers, and its consumers (one per allowed invocation).
    const writers = settings.maximumConcurrency * Math.min(settings.batchSize, RECORD_CONCURRENCY);
    const dynamoCeiling = await dynamoDbCeiling(orders, writers);
    const sqsCeiling = await fauxqsCeiling(orders, PUBLISHERS, settings.maximumConcurrency, Math.min(settings.batchSize, 10));
    const sum = (pick: (r: InvocationReport) => number) => invocations.reduce((total, r) => total + pick(r), 0);
    return {
        orders,
        ordersPerSecond: orders / ((finished - started) / 1000),
        p50Ms: percentile(latencies, 0.5),
        p99Ms: percentile(latencies, 0.99),
        idleMs: median(idle),
        ceilingOrdersPerSecond: Math.min(dynamoCeiling, sqsCeiling),
        dynamoCeiling,
        sqsCeiling,
        invocations: invocations.length,
        meanBatch: sum((r) => r.received) / invocations.length,
        medianBatchMs: median(batchMs),
        logBytesPerOrder: logBytes / orders,
        breakdown: {
            receiveMs: median(invocations.map((r) => r.receiveMs)),
            invokeMs: median(invocations.map((r) => r.invokeMs)),
            deleteMs: median(invocations.map((r) => r.deleteMs)),
        },
    };
}

/** Raw conditional-free PutItem of order-shaped items into dynalite, `writers` at once. */
async function dynamoDbCeiling(orders: number, writers: number): Promise<number> {
    const server = await startDynalite(0);
    const clients = createClients({ sqs: server.endpoint, dynamodb: server.endpoint });
    try {
        await createOrdersTable(clients, "Orders-ceiling");
        const started = performance.now();
        await pool(writers, orders, async (i) => {
            await clients.dynamodb.send(new PutItemCommand({
                TableName: "Orders-ceiling",
                Item: {
                    orderId: { S: `T-${i}` }, userId: { S: "U1" }, itemName: { S: "Laptop" }, quantity: { N: "1" },
                    status: { S: "new" }, timestamp: { S: "2025-05-03T12:00:00.0000000Z" }, messageId: { S: `m-${i}` },
                },
            }));
        });
        return orders / ((performance.now() - started) / 1000);
    } finally {
        clients.destroy();
        await server.close();
    }
}

/** Raw SendMessage by `senders` at once while `consumers` receive (batches of `batch`) and delete, until all are gone. */
async function fauxqsCeiling(orders: number, senders: number, consumers: number, batch: number): Promise<number> {
    const server = await startFauxqs(0);
    const clients = createClients({ sqs: server.endpoint, dynamodb: server.endpoint });
    try {
        const queueUrl = (await clients.sqs.send(new CreateQueueCommand({ QueueName: "Ceiling" }))).QueueUrl!;
        const started = performance.now();
        let consumed = 0;
        const consume = async () => {
            while (consumed < orders) {
                const page = await clients.sqs.send(new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: batch, WaitTimeSeconds: 1 }));
                const messages = page.Messages ?? [];
                if (messages.length === 0) continue;
                await clients.sqs.send(new DeleteMessageBatchCommand({
                    QueueUrl: queueUrl,
                    Entries: messages.map((m, i) => ({ Id: String(i), ReceiptHandle: m.ReceiptHandle })),
                }));
                consumed += messages.length;
            }
        };
        await Promise.all([
            pool(senders, orders, async (i) => {
                await clients.sqs.send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: orderJson(`T-${i}`) }));
            }),
            ...Array.from({ length: consumers }, consume),
        ]);
        return orders / ((performance.now() - started) / 1000);
    } finally {
        clients.destroy();
        await server.close();
    }
}
