// Figure 2: cold start, as near as a laptop can measure it: from starting the process to the first batch
// of 10 answered (the function's init, then a batch that really writes to dynalite), for the published
// bundle with and without ReadyToRun, beside a .NET hello world (start to its first line), runs interleaved
// so that the machine's noise falls on all three alike.
import { spawn } from "node:child_process";
import * as path from "node:path";
import * as readline from "node:readline";
import { DEFAULTS } from "../infra/config";
import { readFunctionDefinition, repositoryRoot } from "../infra/function-definition";
import { type FunctionBundle, packageFunction, publishDotnet } from "../infra/packaging";
import { SAMPLE_ORDER } from "../infra/sample-order";
import { createClients, LOCAL_REGION } from "../local/clients";
import { startDynalite } from "../local/emulators";
import { buildFunctionHost, FunctionHost, hostArchitecture } from "../local/function-host";
import { functionEnvironment } from "../local/pipeline";
import { toSqsEvent } from "../local/poller";
import { createOrdersTable } from "../local/provision";
import { median } from "./statistics";

export interface ColdStartFigures {
    readonly readyToRunMs: number;
    readonly portableMs: number;
    readonly helloWorldMs: number;
    /** Of the ReadyToRun start: until the function's init is done, and the first batch itself. */
    readonly initMs: number;
    readonly firstBatchMs: number;
    readonly secondBatchMs: number;
    readonly runs: number;
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

export async function measureColdStart(runs: number, buildRoot: string): Promise<ColdStartFigures> {
    const architecture = hostArchitecture();
    const readyToRun: FunctionBundle = await packageFunction(architecture, { outputRoot: buildRoot, readyToRun: true });
    const portable: FunctionBundle = await packageFunction(architecture, { outputRoot: buildRoot, readyToRun: false });
    if (!readyToRun.readyToRun) process.stderr.write("cold start: this machine cannot build ReadyToRun; both bundles are portable\n");
    const helloDirectory = path.join(buildRoot, "hello-world");
    publishDotnet(path.join(repositoryRoot, "bench", "HelloWorld", "HelloWorld.csproj"), helloDirectory, architecture, false);
    const helloDll = path.join(helloDirectory, "HelloWorld.dll");
    const hostDll = buildFunctionHost(path.join(buildRoot, "function-host"));

    const dynalite = await startDynalite(0);
    const clients = createClients({ sqs: dynalite.endpoint, dynamodb: dynalite.endpoint });
    await createOrdersTable(clients, "Orders-bench");
    const environment = functionEnvironment(DEFAULTS, { tableName: "Orders-bench", functionName: "OrderProcessor-bench" }, { sqs: "", dynamodb: dynalite.endpoint });
    const handler = readFunctionDefinition().handler;

    const start = async (bundle: FunctionBundle, run: string) => {
        const started = performance.now();
        const host = await FunctionHost.start({ bundleDirectory: bundle.directory, handler, hostDll, environment, onLog: () => undefined, onNotice: () => undefined });
        const ready = performance.now();
        const first = await host.invoke(batchEvent(`${run}-1`), 30_000);
        const answered = performance.now();
        const second = await host.invoke(batchEvent(`${run}-2`), 30_000);
        const again = performance.now();
        await host.stop();
        for (const result of [first, second]) {
            if (result.kind !== "ok" || result.body !== '{"batchItemFailures":[]}') throw new Error(`cold start: a batch was not stored: ${JSON.stringify(result)}`);
        }
        return { total: answered - started, init: ready - started, firstBatch: answered - ready, secondBatch: again - answered };
    };

    const hello: number[] = [];
    const r2r: Array<Awaited<ReturnType<typeof start>>> = [];
    const plain: number[] = [];
    try {
        await helloWorldStart(helloDll); // the first start of anything warms the disk cache; not counted
        for (let i = 0; i < runs; i++) {
            hello.push(await helloWorldStart(helloDll));
            r2r.push(await start(readyToRun, `r2r-${i}`));
            plain.push((await start(portable, `portable-${i}`)).total);
        }
    } finally {
        clients.destroy();
        await dynalite.close();
    }
    return {
        readyToRunMs: median(r2r.map((r) => r.total)),
        portableMs: median(plain),
        helloWorldMs: median(hello),
        initMs: median(r2r.map((r) => r.init)),
        firstBatchMs: median(r2r.map((r) => r.firstBatch)),
        secondBatchMs: median(r2r.map((r) => r.secondBatch)),
        runs,
    };
}
