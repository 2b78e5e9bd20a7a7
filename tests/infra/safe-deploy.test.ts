// New code gets orders only after it has started: the pipeline component built under Pulumi's mocks, once with a
// smoke check that passes and once with one that fails (as `pulumi up` sees a command that exits non-zero), and the
// smoke invocation's verdict on what Lambda's Invoke API answers.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { spawnSync } from "node:child_process";
import * as path from "node:path";
import { SMOKE_EVENT, smokeInvoke, smokeVerdict } from "../../infra/smoke-invocation";
import { buildComponent } from "./mock-component";

describe("new code gets orders only after it has started", () => {
    it("a passing smoke check: the alias moves to the checked version, and the mapping invokes the alias", async () => {
        const { registered, errors } = await buildComponent(new Set());
        assert.deepEqual(errors, []);
        const order = registered.map((r) => r.type);
        const alias = registered.find((r) => r.type === "aws:lambda/alias:Alias")!;
        assert.equal(alias.inputs.functionVersion, "7");
        assert.ok(order.indexOf("command:local:Command") < order.indexOf("aws:lambda/alias:Alias"), "the check is created before the alias");
        assert.ok(order.indexOf("aws:lambda/alias:Alias") < order.indexOf("aws:lambda/eventSourceMapping:EventSourceMapping"), "the mapping waits for the alias");
        const mapping = registered.find((r) => r.type === "aws:lambda/eventSourceMapping:EventSourceMapping")!;
        assert.equal(mapping.inputs.functionName, "arn:aws:lambda:us-east-1:123456789012:function:OrderProcessor-dev:live");
    });

    it("a failing smoke check: the alias is not moved, the mapping not changed, and the deployment fails with the check's error", async () => {
        const run = spawnSync(process.execPath, ["--import", "tsx", path.join(__dirname, "mock-component.ts"), "command:local:Command"], { encoding: "utf8" });
        assert.notEqual(run.status, 0, "the deployment fails");
        const { types: registered, errors } = JSON.parse(run.stdout.trim().split("\n").at(-1)!) as { types: string[]; errors: string[] };
        const types = new Set(registered);
        assert.ok(types.has("command:local:Command"), "the check ran");
        assert.equal(types.has("aws:lambda/alias:Alias"), false, "no alias update");
        assert.equal(types.has("aws:lambda/eventSourceMapping:EventSourceMapping"), false, "no mapping update");
        assert.ok(types.has("aws:cloudwatch/dashboard:Dashboard"), "what does not depend on the new version is still registered (the engine may stop before it on AWS)");
        assert.ok(errors.some((e) => e.includes("failed its smoke invocation")), `the deployment fails with the check's error: ${errors.join("; ")}`);
    });
});

describe("the smoke invocation's verdict on Lambda's Invoke answer", () => {
    it("an empty partial batch response passes", () => {
        assert.equal(smokeVerdict({ statusCode: 200, functionError: undefined, payload: '{"batchItemFailures":[]}' }), undefined);
        assert.equal(smokeVerdict({ statusCode: 200, functionError: undefined, payload: '{ "batchItemFailures" : [ ] }\n' }), undefined);
    });

    it("a function that failed its init or invocation fails, with the function's own error and log", () => {
        const reason = smokeVerdict({
            statusCode: 200,
            functionError: "Unhandled",
            payload: '{"errorType":"InvalidOperationException","errorMessage":"TABLE_NAME is not set"}',
            logTail: '{"level":"FATAL","message":"function init failed"}\n',
        });
        assert.equal(reason, 'the function failed (Unhandled): InvalidOperationException: TABLE_NAME is not set\nthe function\'s log (last 4 KB):\n{"level":"FATAL","message":"function init failed"}');
    });

    it("any other answer fails, naming it", () => {
        assert.match(smokeVerdict({ statusCode: 200, functionError: undefined, payload: '{"batchItemFailures":[{"itemIdentifier":"x"}]}' })!, /not \{"batchItemFailures":\[\]\}/);
        assert.match(smokeVerdict({ statusCode: 200, functionError: undefined, payload: "null" })!, /not \{"batchItemFailures":\[\]\}/);
        assert.match(smokeVerdict({ statusCode: 200, functionError: undefined, payload: '{"batchItemFailures":[],"extra":1}' })!, /not \{"batchItemFailures":\[\]\}/);
        assert.match(smokeVerdict({ statusCode: 200, functionError: undefined, payload: "<html>" })!, /not JSON/);
        assert.match(smokeVerdict({ statusCode: 500, functionError: undefined, payload: "" })!, /status 500: \(no payload\)/);
    });

    it("invokes the version it is given, synchronously, with the smoke event and the log tail", async () => {
        const sent: Array<Record<string, unknown>> = [];
        const client = {
            send: async (command: { input: Record<string, unknown> }) => {
                sent.push(command.input);
                return { StatusCode: 200, Payload: new TextEncoder().encode('{"batchItemFailures":[]}'), LogResult: Buffer.from("log line").toString("base64") };
            },
        };
        const answer = await smokeInvoke(client as never, "OrderProcessor-dev", "7");
        assert.deepEqual(answer, { statusCode: 200, functionError: undefined, payload: '{"batchItemFailures":[]}', logTail: "log line" });
        assert.equal(sent.length, 1);
        const input = sent[0]!;
        assert.deepEqual([input.FunctionName, input.Qualifier, input.InvocationType, input.LogType], ["OrderProcessor-dev", "7", "RequestResponse", "Tail"]);
        assert.equal(new TextDecoder().decode(input.Payload as Uint8Array), SMOKE_EVENT);
    });
});
