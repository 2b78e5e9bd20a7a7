// npm run event and npm run invoke as a developer runs them: an event generated and piped into one invocation of the
// function built as the stack deploys it, against a dynalite of the test's own; an order with copies; an event that is
// not an SQS event; a version that cannot start. And the generated events against AWS's samples, field by field.
import assert from "node:assert/strict";
import { spawn, spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import * as http from "node:http";
import type { AddressInfo } from "node:net";
import * as path from "node:path";
import { after, before, describe, it } from "node:test";
import { GetItemCommand } from "@aws-sdk/client-dynamodb";
import { readFileSync } from "node:fs";
import { repositoryRoot } from "../../infra/repository";
import { SAMPLE_ORDER } from "../../infra/sample-order";
import { createClients, type LocalClients } from "../../local/emulators/clients";
import { type LocalServer, startDynalite } from "../../local/emulators/servers";
import { sqsEventProblems } from "../../local/tools/invoke";
import { testFunctionRuntime } from "./harness";

const TOOL = (name: string) => path.join(repositoryRoot, "local", "tools", `${name}.ts`);
const SAMPLE = JSON.stringify(SAMPLE_ORDER);

/** Runs a tool as `npm run <name>` runs it, with `input` on standard input. */
function tool(name: string, args: readonly string[], input = ""): Promise<{ status: number | null; stdout: string; stderr: string }> {
    return new Promise((resolve) => {
        const child = spawn(process.execPath, ["--import", "tsx", TOOL(name), ...args], {
            cwd: repositoryRoot,
            // No running npm run local is found on this port: the tool uses what the test gives it.
            env: { ...process.env, LOCAL_DYNAMODB_PORT: "9" },
        });
        let stdout = "";
        let stderr = "";
        child.stdout.on("data", (chunk) => (stdout += chunk));
        child.stderr.on("data", (chunk) => (stderr += chunk));
        child.on("close", (status) => resolve({ status, stdout, stderr }));
        child.stdin.end(input);
    });
}

describe("npm run event", () => {
    it("sqs: an event as the poller builds it and Lambda delivers it, the order in an SNS envelope, field for field as AWS's samples", () => {
        const run = spawnSync(process.execPath, ["--import", "tsx", TOOL("event"), "sqs", "--order", SAMPLE, "--count", "2"], { encoding: "utf8", cwd: repositoryRoot });
        assert.equal(run.status, 0, run.stderr);
        const event = JSON.parse(run.stdout) as { Records: Array<Record<string, unknown>> };
        const sample = (JSON.parse(readFileSync(path.join(repositoryRoot, "..", "shared", "events", "sqs-event.aws-lambda-dotnet.json"), "utf8")) as { Records: Array<Record<string, unknown>> }).Records[0]!;
        assert.equal(event.Records.length, 2);
        for (const record of event.Records) {
            // Every field of AWS's sample but md5OfMessageAttributes (SQS gives it only with message attributes, and these have none).
            assert.deepEqual(Object.keys(record).filter((k) => record[k] !== undefined).sort(), Object.keys(sample).filter((k) => k !== "md5OfMessageAttributes").sort());
            assert.deepEqual(Object.keys(record.attributes as object).sort(), Object.keys(sample.attributes as object).sort());
            assert.ok(Object.values(record.attributes as object).every((v) => typeof v === "string"), "attributes are strings");
            assert.equal((record.attributes as Record<string, string>).ApproximateReceiveCount, "1");
            assert.equal(record.eventSource, "aws:sqs");
            assert.equal(record.eventSourceARN, "arn:aws:sqs:us-east-1:000000000000:OrderQueue-dev");
            assert.equal(record.md5OfBody, createHashHex(record.body as string), "md5OfBody is the body's MD5");
            const envelope = JSON.parse(record.body as string) as Record<string, unknown>;
            const snsSample = JSON.parse(readFileSync(path.join(repositoryRoot, "..", "shared", "events", "sns-envelope-in-sqs-body.aws-docs.json"), "utf8")) as Record<string, unknown>;
            assert.deepEqual(Object.keys(envelope), Object.keys(snsSample).filter((k) => k !== "Subject"), "the envelope's keys, in SNS's order; no Subject when none was given");
            assert.equal(envelope.TopicArn, "arn:aws:sns:us-east-1:000000000000:OrderTopic-dev");
            assert.deepEqual(JSON.parse(envelope.Message as string), SAMPLE_ORDER);
        }
        assert.notEqual(event.Records[0]!.messageId, event.Records[1]!.messageId, "each copy its own message");
    });

    it("sqs --raw: the body is the order itself; sns: the envelope alone; bad usage exits 2", () => {
        const raw = JSON.parse(spawnSync(process.execPath, ["--import", "tsx", TOOL("event"), "sqs", "--order", SAMPLE, "--raw"], { encoding: "utf8" }).stdout) as { Records: Array<{ body: string }> };
        assert.equal(raw.Records[0]!.body, SAMPLE);
        const sns = JSON.parse(spawnSync(process.execPath, ["--import", "tsx", TOOL("event"), "sns", "--order", SAMPLE], { encoding: "utf8" }).stdout) as Record<string, unknown>;
        assert.equal(sns.Type, "Notification");
        const bad = spawnSync(process.execPath, ["--import", "tsx", TOOL("event"), "kinesis", "--order", SAMPLE], { encoding: "utf8" });
        assert.equal(bad.status, 2);
        assert.match(bad.stderr, /say sqs or sns, not "kinesis"/);
    });
});

function createHashHex(text: string): string {
    return createHash("md5").update(text, "utf8").digest("hex");
}

describe(`npm run invoke (${testFunctionRuntime()})`, () => {
    let dynalite: LocalServer;
    let clients: LocalClients;
    const runtime = ["--set", `functionRuntime=${testFunctionRuntime()}`];

    before(async () => {
        dynalite = await startDynalite(0);
        clients = createClients({ sqs: "http://127.0.0.1:9", dynamodb: dynalite.endpoint });
    });
    after(async () => {
        clients?.destroy();
        await dynalite?.close();
    });

    it("an event from npm run event, piped in: the response on stdout, the log and the timings on stderr, the order stored", async () => {
        // What `npm run event … |` sends: npm's banner, then the event.
        const banner = "\n> order-pipeline@0.1.0 event\n> node --import tsx local/tools/event.ts sqs --order …\n\n";
        const event = banner + spawnSync(process.execPath, ["--import", "tsx", TOOL("event"), "sqs", "--order", JSON.stringify({ ...SAMPLE_ORDER, orderId: "INVOKE-1" })], { encoding: "utf8" }).stdout;
        const run = await tool("invoke", ["--event", "-", "--dynamodb-endpoint", dynalite.endpoint, ...runtime], event);
        assert.equal(run.status, 0, run.stderr);
        assert.deepEqual(JSON.parse(run.stdout), { batchItemFailures: [] });
        assert.match(run.stderr, /\[invoke\] table Orders-dev at http:\/\/127\.0\.0\.1:\d+ \(--dynamodb-endpoint\)/);
        assert.match(run.stderr, /"outcome":"stored"/);
        assert.match(run.stderr, /\[invoke\] answered \(init \d+ ms, invocation \d+ ms\)/);
        const item = await clients.dynamodb.send(new GetItemCommand({ TableName: "Orders-dev", Key: { orderId: { S: "INVOKE-1" } }, ConsistentRead: true }));
        assert.equal(item.Item?.status?.S, "new");
    });

    it("--order with --count: a bad order's copies are each reported failed, and the invocation still answered (exit 0)", async () => {
        const run = await tool("invoke", ["--order", '{"orderId":"O-BAD","quantity":"one"}', "--count", "3", "--dynamodb-endpoint", dynalite.endpoint, ...runtime]);
        assert.equal(run.status, 0, run.stderr);
        const failures = (JSON.parse(run.stdout) as { batchItemFailures: unknown[] }).batchItemFailures;
        assert.equal(failures.length, 3);
        assert.match(run.stderr, /3 of 3 records reported failed/);
        assert.match(run.stderr, /"outcome":"invalid"/);
    });

    it("without a running npm run local, it starts a dynalite of its own and says so", async () => {
        const run = await tool("invoke", ["--order", SAMPLE, ...runtime]);
        assert.equal(run.status, 0, run.stderr);
        assert.match(run.stderr, /no npm run local is running: table Orders-dev in a dynalite of its own/);
    });

    it("an event that is not an SQS event exits 2, naming what is wrong and where", async () => {
        const notSqs = await tool("invoke", ["--event", "-"], '{"detail-type":"Order Placed","detail":{}}');
        assert.equal(notSqs.status, 2);
        assert.match(notSqs.stderr, /"Records" is missing or not an array/);
        const kinesis = await tool("invoke", ["--event", "-"], '{"Records":[{"messageId":"m1","eventSource":"aws:kinesis","body":"{}"}]}');
        assert.equal(kinesis.status, 2);
        assert.match(kinesis.stderr, /Records\[0\]\.eventSource is "aws:kinesis", not "aws:sqs"/);
        assert.equal((await tool("invoke", ["--order", SAMPLE, "--event", "x.json"])).status, 2, "two sources");
        assert.equal((await tool("invoke", ["--event", "-"], "not json")).status, 2);
        assert.equal((await tool("invoke", ["--order", SAMPLE, "--set", "batchSize=11"])).status, 2, "a bad setting");
    });

    it("a version that cannot start (its table denies it) exits 1 with the function's own message", async () => {
        // A DynamoDB that lets the tool see and create the table, and denies the function's reads.
        const server = http.createServer((request, response) => {
            let body = "";
            request.on("data", (chunk) => (body += chunk));
            request.on("end", () => {
                const target = String(request.headers["x-amz-target"] ?? "");
                response.setHeader("Content-Type", "application/x-amz-json-1.0");
                if (target.endsWith("ListTables")) return response.end('{"TableNames":["Orders-dev"]}');
                if (target.endsWith("DescribeTable")) return response.end('{"Table":{"TableName":"Orders-dev","TableStatus":"ACTIVE"}}');
                if (target.endsWith("CreateTable")) {
                    response.statusCode = 400;
                    return response.end('{"__type":"com.amazonaws.dynamodb.v20120810#ResourceInUseException","message":"Table already exists: Orders-dev"}');
                }
                response.statusCode = 400;
                response.end('{"__type":"com.amazon.coral.service#AccessDeniedException","message":"User is not authorized to perform: dynamodb:GetItem on resource: Orders-dev"}');
            });
        });
        await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
        try {
            const endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
            const run = await tool("invoke", ["--order", SAMPLE, "--dynamodb-endpoint", endpoint, ...runtime]);
            assert.equal(run.status, 1, run.stderr);
            assert.match(run.stderr, /\[invoke\] init failed after \d+ ms .*the function cannot use its table or queue, so it does not start: AmazonDynamoDBException: User is not authorized to perform: dynamodb:GetItem/);
            assert.equal(run.stdout, "", "no response");
        } finally {
            await new Promise((resolve) => server.close(resolve));
        }
    });

    it("the event check, on its own", () => {
        assert.deepEqual(sqsEventProblems({ Records: [] }), []);
        assert.deepEqual(sqsEventProblems([]), ["the event is not a JSON object"]);
        assert.deepEqual(sqsEventProblems({ Records: [{ messageId: "m", eventSource: "aws:sqs", body: "{}", attributes: { ApproximateReceiveCount: 1 } }] }), [
            'Records[0].attributes must be an object of strings (SQS gives "ApproximateReceiveCount": "1", not 1)',
        ]);
    });
});
