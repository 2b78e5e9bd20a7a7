// The local pipeline for end-to-end tests: free ports, a private build folder, function log lines kept.
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { type AttributeValue, ScanCommand } from "@aws-sdk/client-dynamodb";
import { PublishCommand } from "@aws-sdk/client-sns";
import type { Message } from "@aws-sdk/client-sqs";
import { DEFAULTS, PROJECT } from "../../infra/config";
import type { FunctionRuntime } from "../../infra/packaging";
import assert from "node:assert/strict";
import { after, before } from "node:test";
import { parseFunctionLog, type RecordLine } from "../../local/function-log";
import { type LocalPipeline, type LocalPipelineOptions, startLocalPipeline } from "../../local/pipeline";
import type { InvocationReport } from "../../local/event-source/poller";
import { peekQueue, queueDepth } from "../../local/event-source/queues";
import type { ConsoleModel } from "../../local/console/model";

/**
 * Tests shorten the function timeout to 2 s and so the visibility timeout to 12 s (the stack's own 6× rule),
 * through the config: the poller's logic is the one `npm run local` runs.
 */
export const FAST_RETRIES: Readonly<Record<string, string>> = {
    [`${PROJECT}:functionTimeoutSeconds`]: "2",
    [`${PROJECT}:queueVisibilityTimeoutSeconds`]: "12",
    // Backoff of failed writes at the same scale: delays 6 then 12 s, so an outage of up to 17 s (infra/backoff.ts)
    // dead-letters no valid order, and a delayed order is stored within 12 s of the table's return.
    [`${PROJECT}:retryBackoffBaseSeconds`]: "6",
    [`${PROJECT}:retryBackoffMaxSeconds`]: "12",
};

export interface TestPipeline extends LocalPipeline {
    readonly records: RecordLine[];
    /** Every EMF document the function wrote (one per invocation). */
    readonly metrics: Array<Record<string, unknown>>;
    readonly notices: string[];
    readonly invocations: InvocationReport[];
    publish(message: string): Promise<void>;
    scanItems(): Promise<Record<string, AttributeValue>[]>;
    /** Every message in a queue, left visible again afterwards. */
    peek(queueUrl: string): Promise<Message[]>;
    depth(queueUrl: string): Promise<number>;
}

/**
 * E2E_FUNCTION_RUNTIME=aot|managed runs every end-to-end test with that functionRuntime instead of the stack's
 * default, so that both modes pass the same tests.
 */
const RUNTIME_OVERRIDE: Readonly<Record<string, string>> = process.env.E2E_FUNCTION_RUNTIME
    ? { [`${PROJECT}:functionRuntime`]: process.env.E2E_FUNCTION_RUNTIME }
    : {};

/** One build folder per test process, shared by its pipelines (the bundle is built once), removed at exit. */
let buildRoot: string | undefined;

/** The test process's build folder (made on first use, removed at exit): its pipelines and functions share one build. */
export function testBuildRoot(): string {
    if (!buildRoot) {
        const root = fs.mkdtempSync(path.join(os.tmpdir(), "order-pipeline-e2e-"));
        process.once("exit", () => fs.rmSync(root, { recursive: true, force: true }));
        buildRoot = root;
    }
    return buildRoot;
}

/** The functionRuntime the end-to-end tests run (E2E_FUNCTION_RUNTIME, else the stack's default). */
export function testFunctionRuntime(): FunctionRuntime {
    return process.env.E2E_FUNCTION_RUNTIME === "managed" ? "managed" : process.env.E2E_FUNCTION_RUNTIME === "aot" ? "aot" : DEFAULTS.functionRuntime;
}

/** Starts a pipeline before the file's tests and stops it after them; call the result inside a test. */
export function usePipeline(overrides: Readonly<Record<string, string>> = {}): () => TestPipeline {
    let pipeline: TestPipeline | undefined;
    before(async () => {
        pipeline = await startTestPipeline(overrides);
    });
    after(async () => {
        await pipeline?.stop();
    });
    return () => pipeline!;
}

/** Starts a pipeline on free ports; `dynamodbEndpoint`, when given, replaces dynalite (npm run local's --dynamodb-endpoint). */
export async function startTestPipeline(
    overrides: Readonly<Record<string, string>> = {},
    dynamodbEndpoint?: string,
    more: Pick<LocalPipelineOptions, "projectDirectory" | "persist" | "debug" | "tableFault"> & { readonly console?: ConsoleModel } = {},
): Promise<TestPipeline> {
    const records: RecordLine[] = [];
    const metrics: Array<Record<string, unknown>> = [];
    const notices: string[] = [];
    const invocations: InvocationReport[] = [];
    const pipeline = await startLocalPipeline({
        stack: "dev",
        overrides: { ...FAST_RETRIES, ...RUNTIME_OVERRIDE, ...overrides },
        sqsPort: 0,
        dynamodbPort: 0,
        dynamodbEndpoint,
        projectDirectory: more.projectDirectory,
        persist: more.persist,
        debug: more.debug,
        tableFault: more.tableFault,
        onMessage: more.console && ((event) => more.console!.message(event)),
        buildRoot: testBuildRoot(),
        onFunctionLog: (line) => {
            more.console?.functionLog(line);
            const entry = parseFunctionLog(line);
            if (entry?.kind === "record") records.push(entry);
            else if (line.includes('"_aws"')) metrics.push(JSON.parse(line) as Record<string, unknown>);
        },
        onNotice: (message) => notices.push(message),
        onInvocation: (report) => {
            invocations.push(report);
            more.console?.invocation(report);
        },
    });
    const { clients, resources } = pipeline;
    return {
        ...pipeline,
        records,
        metrics,
        notices,
        invocations,
        publish: async (message) => {
            await clients.sns.send(new PublishCommand({ TopicArn: resources.topicArn, Message: message }));
        },
        scanItems: async () => {
            const items: Record<string, AttributeValue>[] = [];
            let start: Record<string, AttributeValue> | undefined;
            do {
                const page = await clients.dynamodb.send(new ScanCommand({ TableName: resources.tableName, ConsistentRead: true, ExclusiveStartKey: start }));
                items.push(...(page.Items ?? []));
                start = page.LastEvaluatedKey;
            } while (start);
            return items;
        },
        peek: (queueUrl) => peekQueue(clients.sqs, queueUrl),
        depth: (queueUrl) => queueDepth(clients.sqs, queueUrl),
    };
}

/** Polls `check` until it returns true; fails with `what` after `timeoutMs`. Waiting, not timing: no assertion on speed. */
export async function waitUntil(what: string, check: () => Promise<boolean> | boolean, timeoutMs = 120_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!(await check())) {
        if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs / 1000} s waiting until ${what}`);
        await new Promise((r) => setTimeout(r, 250));
    }
}

export function order(orderId: string, fields: Partial<Record<"userId" | "itemName" | "status" | "timestamp", string>> & { quantity?: number } = {}): string {
    return JSON.stringify({
        orderId,
        userId: fields.userId ?? "U1",
        itemName: fields.itemName ?? "Laptop",
        quantity: fields.quantity ?? 1,
        status: fields.status ?? "new",
        timestamp: fields.timestamp ?? "2025-05-03T12:00:00Z",
    });
}

/** published = stored + in the DLQ, every stored order processed to success, none written twice, the order queue drained. */
export async function assertNothingLost(pipeline: TestPipeline, prefix: string, published: number, deadLetters: number): Promise<void> {
    const { resources } = pipeline;
    await waitUntil(`every ${prefix} order is stored or in the DLQ`, async () => {
        const stored = (await pipeline.scanItems()).filter((it) => it.orderId?.S?.startsWith(prefix)).length;
        return stored + deadLetters === published;
    }, 180_000);
    await waitUntil("the order queue is drained", async () => (await pipeline.depth(resources.queueUrl)) === 0, 60_000);
    // Every order ends in a logged success: `stored`, or `duplicate` when the write that stored it was made by
    // a process killed before it could log it. The line can reach the runner after the item is visible.
    const ofPrefix = () => pipeline.records.filter((r) => r.orderId?.startsWith(prefix));
    const succeeded = () => new Set(ofPrefix().filter((r) => r.outcome === "stored" || r.outcome === "duplicate").map((r) => r.orderId));
    await waitUntil("every order's success is logged", () => succeeded().size >= published - deadLetters, 30_000);
    assert.equal(succeeded().size, published - deadLetters, "orders processed to success");
    const writes = new Map<string, number>();
    for (const r of ofPrefix().filter((r) => r.outcome === "stored")) writes.set(r.orderId!, (writes.get(r.orderId!) ?? 0) + 1);
    assert.deepEqual([...writes.entries()].filter(([, n]) => n > 1), [], "no order is written twice");
}
