// A second client, written by AWS, holds the local Runtime API server to the protocol: AWS's Runtime Interface
// Client for Node.js (npm aws-lambda-ric, aws/aws-lambda-nodejs-runtime-interface-client) runs a small handler in the
// same execution environments, behind the same server, with the same variables the runner gives the function. What
// it does is AWS's, not ours: it reads _HANDLER and LAMBDA_TASK_ROOT at start, checks AWS_LAMBDA_FUNCTION_NAME,
// _VERSION, _MEMORY_SIZE, AWS_LAMBDA_LOG_GROUP_NAME and _LOG_STREAM_NAME on every invocation, requires the request
// id, deadline and function ARN headers of `next`, and reports init and invocation errors its own way.
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { after, describe, it } from "node:test";
import { LOCAL_CREDENTIALS, LOCAL_REGION } from "../../local/emulators/clients";
import { ExecutionEnvironments, FunctionInitError, lambdaEnvironment } from "../../local/runtime-api/execution-environments";

const RIC = require.resolve("aws-lambda-ric/index.mjs");
const root = fs.mkdtempSync(path.join(os.tmpdir(), "order-pipeline-ric-"));
after(() => fs.rmSync(root, { recursive: true, force: true }));

/** A task root holding `index.mjs` with this source. */
function taskRoot(name: string, source: string): string {
    const directory = path.join(root, name);
    fs.mkdirSync(directory, { recursive: true });
    fs.writeFileSync(path.join(directory, "index.mjs"), source);
    return directory;
}

const ECHO = `
export const handler = async (event, context) => {
    if (event.fail) throw new TypeError("asked to fail");
    return { event, requestId: context.awsRequestId, arn: context.invokedFunctionArn, name: context.functionName, version: context.functionVersion,
             memory: context.memoryLimitInMB, group: context.logGroupName, stream: context.logStreamName, remaining: context.getRemainingTimeInMillis(),
             trace: process.env._X_AMZN_TRACE_ID };
};`;

const FUNCTION_NAME = "ric-echo";
const ARN = `arn:aws:lambda:${LOCAL_REGION}:000000000000:function:${FUNCTION_NAME}`;

function start(directory: string, handler = "index.handler", drop: readonly string[] = [], lines: string[] = []): Promise<ExecutionEnvironments> {
    const environment = lambdaEnvironment({
        runtime: "nodejs22.x",
        handler,
        functionName: FUNCTION_NAME,
        memoryMb: 256,
        region: LOCAL_REGION,
        logLevel: "INFO",
        credentials: { ...LOCAL_CREDENTIALS, sessionToken: "local" },
        taskRoot: directory,
        runtimeDirectory: path.dirname(RIC),
        variables: {},
    });
    for (const name of drop) delete environment[name];
    return ExecutionEnvironments.start({
        // The interface client as Lambda's Node.js images start it: node on its entry point, the handler from _HANDLER.
        command: { file: process.execPath, args: [RIC] },
        workingDirectory: directory,
        environment,
        functionArn: ARN,
        maximumConcurrency: 2,
        onLog: (line) => lines.push(line),
        onNotice: (message) => lines.push(`notice: ${message}`),
    });
}

describe("AWS's Runtime Interface Client for Node.js against the local Runtime API", () => {
    it("takes the next invocation with its context, and its response reaches the invoker", async () => {
        const lines: string[] = [];
        const environments = await start(taskRoot("echo", ECHO), "index.handler", [], lines);
        try {
            const before = Date.now();
            const result = await environments.invoke(Buffer.from(JSON.stringify({ hello: "world" })), 5000);
            assert.equal(result.kind, "ok", `${JSON.stringify(result)}\n${lines.join("\n")}`);
            const body = JSON.parse((result as { body: string }).body) as Record<string, unknown>;
            assert.deepEqual(body.event, { hello: "world" });
            assert.match(body.requestId as string, /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
            assert.equal(body.arn, ARN);
            assert.deepEqual([body.name, body.version, body.memory, body.group], [FUNCTION_NAME, "$LATEST", "256", `/aws/lambda/${FUNCTION_NAME}`]);
            assert.match(body.stream as string, /^\d{4}\/\d{2}\/\d{2}\/\[\$LATEST\][0-9a-f]{32}$/);
            assert.ok((body.remaining as number) > 0 && (body.remaining as number) <= 5000 - (Date.now() - before) + 50, `remaining ${String(body.remaining)} ms of the 5 s deadline`);
            assert.match(body.trace as string, /^Root=1-[0-9a-f]{8}-[0-9a-f]{24};Parent=[0-9a-f]{16};Sampled=0$/);

            const second = await environments.invoke(Buffer.from("{}"), 5000);
            assert.equal(second.kind, "ok", "the same environment serves the next invocation");
            assert.notEqual(JSON.parse((second as { body: string }).body).requestId, body.requestId);
            assert.deepEqual(lines.filter((line) => line.startsWith("notice:")), [], "the server refused nothing AWS's client sent");
        } finally {
            await environments.stop();
        }
    });

    it("posts the handler's exception to the invocation error endpoint; the environment stays warm", async () => {
        const environments = await start(taskRoot("echo-error", ECHO));
        try {
            const pid = environments.pids[0];
            const failed = await environments.invoke(Buffer.from(JSON.stringify({ fail: true })), 5000);
            assert.equal(failed.kind, "error");
            assert.match((failed as { message: string }).message, /^TypeError: asked to fail$/);
            const next = await environments.invoke(Buffer.from("{}"), 5000);
            assert.equal(next.kind, "ok");
            assert.deepEqual(environments.pids, [pid], "a function error fails the invocation, not the environment");
        } finally {
            await environments.stop();
        }
    });

    it("posts an init error when the handler does not exist, and the runner reports it as the function's", async () => {
        await assert.rejects(start(taskRoot("no-handler", ECHO), "index.missing"), (error: unknown) => {
            assert.ok(error instanceof FunctionInitError, String(error));
            assert.equal(error.errorType, "Runtime.HandlerNotFound");
            assert.match(error.message, /index\.missing is undefined or not exported/);
            return true;
        });
    });

    it("posts an init error when the module throws while it loads", async () => {
        await assert.rejects(start(taskRoot("throws", 'throw new RangeError("no configuration");\nexport const handler = async () => ({});\n')), (error: unknown) => {
            assert.ok(error instanceof FunctionInitError, String(error));
            assert.match(`${error.errorType}: ${error.message}`, /no configuration/);
            return true;
        });
    });

    for (const variable of ["AWS_LAMBDA_FUNCTION_NAME", "AWS_LAMBDA_FUNCTION_VERSION", "AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "AWS_LAMBDA_LOG_GROUP_NAME"]) {
        it(`refuses to invoke without ${variable}, which the runner always sets`, async () => {
            const lines: string[] = [];
            const environments = await start(taskRoot(`without-${variable}`, ECHO), "index.handler", [variable], lines);
            try {
                const result = await environments.invoke(Buffer.from("{}"), 5000);
                assert.notEqual(result.kind, "ok");
                assert.ok(lines.some((line) => line.includes("Missing required environment variables") && line.includes(variable)), lines.join("\n"));
            } finally {
                await environments.stop();
            }
        });
    }
});
