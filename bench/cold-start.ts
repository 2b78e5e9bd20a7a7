// Figure 2: cold start, as near as a laptop can measure it: from starting the process of an execution environment
// to the first batch of 10 answered through the local Lambda Runtime API (the function's init, then a batch that
// really writes to dynalite), for the AOT `bootstrap` and the managed mode, beside a .NET hello world (start to
// its first line), runs interleaved so that the machine's noise falls on all three alike.
import { spawn } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import * as readline from "node:readline";
import { ScanCommand } from "@aws-sdk/client-dynamodb";
import { CreateQueueCommand } from "@aws-sdk/client-sqs";
import { DEFAULTS } from "../infra/config";
import { repositoryRoot } from "../infra/repository";
import { BOOTSTRAP, type FunctionRuntime, hostArchitecture, publishDotnet, publishNative } from "../infra/packaging";
import { SAMPLE_ORDER } from "../infra/sample-order";
import { createClients, LOCAL_REGION } from "../local/emulators/clients";
import { startDynalite, startFauxqs } from "../local/emulators/servers";
import { buildLocalFunction, type LocalFunction } from "../local/local-function";
import { toSqsEvent } from "../local/event-source/poller";
import { createOrdersTable } from "../local/emulators/provision";
import { ExecutionEnvironments } from "../local/runtime-api/execution-environments";
import { median } from "../local/statistics";

export interface ColdStartFigures {
    /** The AOT `bootstrap` (this machine's architecture): process start to the first batch of 10 answered. */
    readonly aotMs: number;
    /** The same for the managed mode (`dotnet ManagedBootstrap.dll` loading the bundle by its handler string). */
    readonly managedMs: number;
    /** The AOT bootstrap without its SQS client (no ORDER_QUEUE_URL: no backoff), what it cost before issue 14. */
    readonly aotWithoutSqsMs: number;
    /** The floor: bench/ColdStartFloor, a Native AOT runtime with no AWS SDK making the same round trips (the same PutItem, signed). */
    readonly floorMs: number;
    /** The same program with the floor of earlier runs: a one-attribute unconditional PutItem with a dummy signature (FLOOR_BARE=1). */
    readonly bareMs: number;
    /** Of the floor's start: until its first `next`, and its first batch. */
    readonly floorInitMs: number;
    readonly floorFirstBatchMs: number;
    readonly helloWorldMs: number;
    /** Of the AOT start: until the function's init is done (its first `next`), the first batch, and a second, warm one. */
    readonly initMs: number;
    readonly firstBatchMs: number;
    readonly secondBatchMs: number;
    /** The AOT bootstrap's peak resident memory (VmHWM) through its first batch, in MB. */
    readonly aotMaxRssMb: number;
    readonly runs: number;
}

/** One start of an environment and its first two batches. */
export interface StartTimes {
    /** Process start to the first batch answered. */
    readonly total: number;
    readonly init: number;
    readonly firstBatch: number;
    readonly secondBatch: number;
    /** Peak resident memory of the environment's process through its first batch, in MB. */
    readonly maxRssMb: number;
}

/** An SQS event of 10 records, each the SNS envelope of an order with its own id, built as the poller builds it. */
function batchEvent(run: string): Buffer {
    const messages = Array.from({ length: 10 }, (_, i) => {
        const order = { ...SAMPLE_ORDER, orderId: `COLD-${run}-${i}` };
        const body = { Type: "Notification", MessageId: `sns-${run}-${i}`, TopicArn: "arn:aws:sns:us-east-1:000000000000:OrderTopic-bench", Message: JSON.stringify(order) };
        return { MessageId: `cold-${run}-${i}`, ReceiptHandle: "handle", Body: JSON.stringify(body), Attributes: { ApproximateReceiveCount: "1" } };
    });
    return Buffer.from(JSON.stringify(toSqsEvent(messages, "arn:aws:sqs:us-east-1:000000000000:OrderQueue-bench", LOCAL_REGION)));
}

function helloWorldStart(dll: string): Promise<number> {
    return new Promise((resolve, reject) => {
        const started = performance.now();
        const child = spawn("dotnet", [dll], { stdio: ["ignore", "pipe", "inherit"] });
        readline.createInterface({ input: child.stdout! }).once("line", () => resolve(performance.now() - started));
        child.once("error", reject);
    });
}

/** Peak resident set of a live process, from /proc (Linux): VmHWM, in MB. */
function maxRssMb(pid: number | undefined): number {
    if (pid === undefined) return Number.NaN;
    const match = /^VmHWM:\s+(\d+) kB$/m.exec(fs.readFileSync(`/proc/${pid}/status`, "utf8"));
    return match ? Number(match[1]) / 1024 : Number.NaN;
}

/**
 * Starts one execution environment of `fn` (any runtime process that speaks the Runtime API: the function, or a
 * floor program) and times it to its first and second batch answered. Throws when a batch is not fully stored.
 */
export async function timeFirstBatches(fn: Pick<LocalFunction, "command" | "workingDirectory" | "environment" | "functionArn">, run: string): Promise<StartTimes> {
    const log: string[] = [];
    const started = performance.now();
    const environments = await ExecutionEnvironments.start({ ...fn, maximumConcurrency: 1, onLog: (line) => log.push(line), onNotice: (line) => log.push(line) });
    try {
        const ready = performance.now();
        const first = await environments.invoke(batchEvent(`${run}-1`), 30_000);
        const answered = performance.now();
        const maxRss = maxRssMb(environments.pids[0]);
        const second = await environments.invoke(batchEvent(`${run}-2`), 30_000);
        const again = performance.now();
        for (const result of [first, second]) {
            if (result.kind !== "ok" || result.body !== '{"batchItemFailures":[]}') {
                throw new Error(`cold start: a batch was not stored: ${JSON.stringify(result)}\n${log.slice(-20).join("\n")}`);
            }
        }
        return { total: answered - started, init: ready - started, firstBatch: answered - ready, secondBatch: again - answered, maxRssMb: maxRss };
    } finally {
        await environments.stop();
    }
}

export async function measureColdStart(runs: number, buildRoot: string): Promise<ColdStartFigures> {
    const architecture = hostArchitecture();
    const helloDirectory = path.join(buildRoot, "hello-world");
    publishDotnet(path.join(repositoryRoot, "bench", "HelloWorld", "HelloWorld.csproj"), helloDirectory, architecture, false);
    const helloDll = path.join(helloDirectory, "HelloWorld.dll");

    const dynalite = await startDynalite(0);
    const fauxqs = await startFauxqs(0);
    const clients = createClients({ sqs: fauxqs.endpoint, dynamodb: dynalite.endpoint });
    const resources = { tableName: "Orders-bench", functionName: "OrderProcessor-bench" };
    const endpoints = { sqs: fauxqs.endpoint, dynamodb: dynalite.endpoint };
    const prepare = (runtime: FunctionRuntime, queueUrl?: string) => buildLocalFunction({ runtime, buildRoot, settings: DEFAULTS, resources: { ...resources, queueUrl }, endpoints });

    const hello: number[] = [];
    const aot: StartTimes[] = [];
    const aotWithoutSqs: StartTimes[] = [];
    const managed: StartTimes[] = [];
    const floor: StartTimes[] = [];
    const bare: StartTimes[] = [];
    try {
        await createOrdersTable(clients, resources.tableName);
        // As deployed: with the queue, so the SQS client is created and primed during init (backoff on).
        const queueUrl = (await clients.sqs.send(new CreateQueueCommand({ QueueName: "OrderQueue-bench" }))).QueueUrl!;
        const aotFunction = await prepare("aot", queueUrl);
        const aotFunctionWithoutSqs = await prepare("aot");
        const managedFunction = await prepare("managed", queueUrl);
        const floorDirectory = path.join(buildRoot, "cold-start-floor");
        publishNative(path.join(repositoryRoot, "bench", "ColdStartFloor"), floorDirectory, architecture);
        const floorFunction = { ...aotFunctionWithoutSqs, command: { file: path.join(floorDirectory, BOOTSTRAP), args: [] } };
        const bareFunction = { ...floorFunction, environment: { ...floorFunction.environment, FLOOR_BARE: "1" } };
        // The first start of anything warms the disk cache; not counted.
        await helloWorldStart(helloDll);
        await timeFirstBatches(aotFunction, "warm-aot");
        await timeFirstBatches(aotFunctionWithoutSqs, "warm-aot-nosqs");
        await timeFirstBatches(managedFunction, "warm-managed");
        await timeFirstBatches(floorFunction, "warm-floor");
        await timeFirstBatches(bareFunction, "warm-bare");
        for (let i = 0; i < runs; i++) {
            hello.push(await helloWorldStart(helloDll));
            aot.push(await timeFirstBatches(aotFunction, `aot-${i}`));
            aotWithoutSqs.push(await timeFirstBatches(aotFunctionWithoutSqs, `aot-nosqs-${i}`));
            managed.push(await timeFirstBatches(managedFunction, `managed-${i}`));
            floor.push(await timeFirstBatches(floorFunction, `floor-${i}`));
            bare.push(await timeFirstBatches(bareFunction, `bare-${i}`));
        }
        // Every order of every batch is in the table: the answers were not empty promises (the floor keys its
        // items by message id, the function by order id, so they do not overwrite each other).
        const stored = await clients.dynamodb.send(new ScanCommand({ TableName: resources.tableName, Select: "COUNT", ConsistentRead: true }));
        const expected = (runs + 1) * 5 * 2 * 10;
        if (stored.Count !== expected) throw new Error(`cold start: ${stored.Count} orders are stored, ${expected} were answered as stored`);
    } finally {
        clients.destroy();
        await dynalite.close();
        await fauxqs.close();
    }
    return {
        aotMs: median(aot.map((r) => r.total)),
        managedMs: median(managed.map((r) => r.total)),
        aotWithoutSqsMs: median(aotWithoutSqs.map((r) => r.total)),
        floorMs: median(floor.map((r) => r.total)),
        bareMs: median(bare.map((r) => r.total)),
        floorInitMs: median(floor.map((r) => r.init)),
        floorFirstBatchMs: median(floor.map((r) => r.firstBatch)),
        helloWorldMs: median(hello),
        initMs: median(aot.map((r) => r.init)),
        firstBatchMs: median(aot.map((r) => r.firstBatch)),
        secondBatchMs: median(aot.map((r) => r.secondBatch)),
        aotMaxRssMb: median(aot.map((r) => r.maxRssMb)),
        runs,
    };
}
