// The arm64 bootstrap the stack deploys by default, run here the way Lambda runs it: an execution environment
// behind the local Lambda Runtime API, under qemu-aarch64 on this x86_64 machine, answering a real batch that it
// writes to dynalite through the AWS SDK (signing included, so OpenSSL is loaded as on provided.al2023).
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { after, before, describe, it } from "node:test";
import { ScanCommand } from "@aws-sdk/client-dynamodb";
import { DEFAULTS } from "../../infra/config";
import { deployedRuntime } from "../../infra/function-contract";
import { readFunctionDefinition } from "../../infra/function-definition";
import { BOOTSTRAP, hostArchitecture, packageFunction } from "../../infra/packaging";
import { SAMPLE_ORDER } from "../../infra/sample-order";
import { createClients, LOCAL_CREDENTIALS, LOCAL_REGION, type LocalClients } from "../../local/clients";
import { type LocalServer, startDynalite } from "../../local/emulators";
import { functionEnvironment } from "../../local/pipeline";
import { toSqsEvent } from "../../local/poller";
import { createOrdersTable } from "../../local/provision";
import { ExecutionEnvironments, lambdaEnvironment } from "../../local/runtime-api/execution-environments";

/** qemu runs the arm64 binary here; on an arm64 machine it runs natively. */
const emulate = hostArchitecture() !== "arm64";

describe("the arm64 Native AOT bootstrap under the local Runtime API", () => {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), "order-pipeline-arm64-"));
    const lines: string[] = [];
    let dynalite: LocalServer;
    let clients: LocalClients;
    let environments: ExecutionEnvironments | undefined;

    before(async () => {
        if (emulate) {
            const qemu = spawnSync("qemu-aarch64", ["--version"], { encoding: "utf8" });
            assert.equal(qemu.status, 0, "qemu-aarch64 is installed (README prerequisites: qemu-user, libc6:arm64, libssl3:arm64)");
        }
        const bundle = await packageFunction("arm64", { runtime: "aot", outputRoot: root });
        dynalite = await startDynalite(0);
        clients = createClients({ sqs: "http://127.0.0.1:9", dynamodb: dynalite.endpoint });
        await createOrdersTable(clients, "Orders-arm64");
        const bootstrap = path.join(bundle.directory, BOOTSTRAP);
        const configured = deployedRuntime("aot", readFunctionDefinition());
        environments = await ExecutionEnvironments.start({
            command: emulate ? { file: "qemu-aarch64", args: [bootstrap] } : { file: bootstrap, args: [] },
            workingDirectory: bundle.directory,
            functionArn: `arn:aws:lambda:${LOCAL_REGION}:000000000000:function:OrderProcessor-arm64`,
            maximumConcurrency: 2,
            // qemu makes the init slower than Lambda's limit allows for; the point here is that it starts at all.
            initTimeoutMs: 60_000,
            environment: {
                ...lambdaEnvironment({
                    runtime: configured.runtime,
                    handler: configured.handler,
                    functionName: "OrderProcessor-arm64",
                    memoryMb: 512,
                    region: LOCAL_REGION,
                    logLevel: "INFO",
                    credentials: { ...LOCAL_CREDENTIALS, sessionToken: "local" },
                    taskRoot: bundle.directory,
                    runtimeDirectory: bundle.directory,
                    variables: functionEnvironment(DEFAULTS, { tableName: "Orders-arm64" }, { sqs: "http://127.0.0.1:9", dynamodb: dynalite.endpoint }),
                }),
                // Where qemu finds the arm64 loader and libraries (libc6:arm64, libssl3:arm64 install them there).
                ...(emulate ? { QEMU_LD_PREFIX: "/" } : {}),
            },
            onLog: (line) => lines.push(line),
            onNotice: (message) => lines.push(`notice: ${message}`),
        });
    });

    after(async () => {
        await environments?.stop();
        clients?.destroy();
        await dynalite?.close();
        fs.rmSync(root, { recursive: true, force: true });
    });

    it("answers a batch of 10 orders, each written to dynalite", async () => {
        const messages = Array.from({ length: 10 }, (_, i) => ({
            MessageId: `arm64-${i}`,
            ReceiptHandle: `handle-${i}`,
            Body: JSON.stringify({ ...SAMPLE_ORDER, orderId: `ARM64-${i}` }),
            Attributes: { ApproximateReceiveCount: "1", SentTimestamp: String(Date.now()) },
        }));
        const event = Buffer.from(JSON.stringify(toSqsEvent(messages, "arn:aws:sqs:us-east-1:000000000000:OrderQueue-arm64", LOCAL_REGION)));

        const result = await environments!.invoke(event, 60_000);

        assert.equal(result.kind, "ok", `${JSON.stringify(result)}\n${lines.join("\n")}`);
        assert.deepEqual(JSON.parse((result as { body: string }).body), { batchItemFailures: [] });
        const items = (await clients.dynamodb.send(new ScanCommand({ TableName: "Orders-arm64", ConsistentRead: true }))).Items ?? [];
        assert.deepEqual(items.map((item) => item.orderId?.S).sort(), messages.map((_, i) => `ARM64-${i}`).sort());
        const stored = lines.filter((line) => line.includes('"outcome":"stored"'));
        assert.equal(stored.length, 10, "the function logged each write");
        assert.ok(lines.some((line) => line.includes('"_aws"') && line.includes('"Stored":10')), "its EMF document counts them");
    });
});
