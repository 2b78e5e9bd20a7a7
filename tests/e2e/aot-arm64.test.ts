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
import { hostArchitecture, packageFunction } from "../../infra/packaging";
import { SAMPLE_ORDER } from "../../infra/sample-order";
import { createClients, LOCAL_REGION, type LocalClients } from "../../local/emulators/clients";
import { type LocalServer, startDynalite } from "../../local/emulators/servers";
import { describeLocalFunction } from "../../local/local-function";
import { toSqsEvent } from "../../local/event-source/poller";
import { createOrdersTable } from "../../local/emulators/provision";
import { ExecutionEnvironments } from "../../local/runtime-api/execution-environments";

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
        // The function as the local runner describes it, run under qemu-aarch64 here (qemu finds the arm64 loader and
        // libraries where libc6:arm64 and libssl3:arm64 install them).
        const fn = describeLocalFunction(bundle, undefined, {
            settings: DEFAULTS,
            resources: { tableName: "Orders-arm64", functionName: "OrderProcessor-arm64" },
            endpoints: { sqs: "http://127.0.0.1:9", dynamodb: dynalite.endpoint },
        });
        environments = await ExecutionEnvironments.start({
            ...fn,
            command: emulate ? { file: "qemu-aarch64", args: [fn.command.file, ...fn.command.args] } : fn.command,
            environment: emulate ? { ...fn.environment, QEMU_LD_PREFIX: "/" } : fn.environment,
            maximumConcurrency: 2,
            // qemu makes the init slower than Lambda's limit allows for; the point here is that it starts at all.
            initTimeoutMs: 60_000,
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
