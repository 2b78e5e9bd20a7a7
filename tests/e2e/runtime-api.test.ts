// The local Lambda Runtime API and its execution environments, against a stand-in runtime written here (a node
// script that speaks the API with fetch, as the function's bootstrap does), and against fetch alone for what a
// buggy runtime client could send. No .NET: the real bootstrap is covered by the pipeline's end-to-end tests.
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { after, before, describe, it } from "node:test";
import {
    type ExecutionEnvironmentsOptions,
    ExecutionEnvironments,
    FunctionInitError,
    lambdaEnvironment,
    type LambdaFunctionConfiguration,
} from "../../local/runtime-api/execution-environments";
import { type FunctionError, MAX_PAYLOAD_BYTES, RuntimeApiServer } from "../../local/runtime-api/server";
import { waitUntil } from "./harness";

const FUNCTION_ARN = "arn:aws:lambda:us-east-1:000000000000:function:OrderProcessor-test";
const TRACE_ID = /^Root=1-[0-9a-f]{8}-[0-9a-f]{24};Parent=[0-9a-f]{16};Sampled=0$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

/**
 * The stand-in runtime. Its init follows the file named by STAND_IN_INIT_FILE (absent: ok; "error": posts an init
 * error and exits; "exit": exits without a word; "hang": never asks for an invocation). Each event says what to do:
 * describe (answer with pid, the next's headers and its environment), error, crash, hang.
 */
const STAND_IN = String.raw`
import * as fs from "node:fs";
const api = "http://" + process.env.AWS_LAMBDA_RUNTIME_API + "/2018-06-01/runtime";
const mode = fs.existsSync(process.env.STAND_IN_INIT_FILE) ? fs.readFileSync(process.env.STAND_IN_INIT_FILE, "utf8").trim() : "ok";
console.log(JSON.stringify({ message: "init", pid: process.pid, mode }));
if (mode === "error") {
    const response = await fetch(api + "/init/error", {
        method: "POST",
        headers: { "Lambda-Runtime-Function-Error-Type": "Runtime.InitError", "Content-Type": "application/json" },
        body: JSON.stringify({ errorMessage: "TABLE_NAME is not set: the stack sets it", errorType: "InvalidOperationException", stackTrace: ["at Init()"] }),
    });
    process.exit(response.status === 202 ? 1 : 99);
}
if (mode === "exit") {
    console.error("cannot start: libstand-in.so is missing");
    process.exit(3);
}
if (mode === "hang") setInterval(() => undefined, 60_000);
else {
    for (;;) {
        const next = await fetch(api + "/invocation/next");
        const id = next.headers.get("lambda-runtime-aws-request-id");
        const event = JSON.parse(await next.text());
        const post = (kind, body, headers = {}) => fetch(api + "/invocation/" + encodeURIComponent(id) + "/" + kind, { method: "POST", headers, body });
        if (event.action === "describe") {
            await post("response", JSON.stringify({ pid: process.pid, headers: Object.fromEntries(next.headers), environment: process.env, event }));
        } else if (event.action === "error") {
            await post("error", JSON.stringify({ errorMessage: "the order table refused the write", errorType: "AmazonDynamoDBException", stackTrace: ["at Store()"] }),
                { "Lambda-Runtime-Function-Error-Type": "Function.AmazonDynamoDBException" });
        } else if (event.action === "crash") {
            console.error("unhandled exception: boom");
            process.exit(70);
        } else if (event.action === "hang") {
            await new Promise((resolve) => setTimeout(resolve, 3_600_000));
        }
    }
}
`;

let directory: string;
let script: string;

before(() => {
    directory = fs.mkdtempSync(path.join(os.tmpdir(), "runtime-api-test-"));
    script = path.join(directory, "stand-in.mjs");
    fs.writeFileSync(script, STAND_IN);
});
after(() => fs.rmSync(directory, { recursive: true, force: true }));

const configuration = (): LambdaFunctionConfiguration => ({
    runtime: "provided.al2023",
    handler: "bootstrap",
    functionName: "OrderProcessor-test",
    memoryMb: 512,
    region: "us-east-1",
    logLevel: "info",
    credentials: { accessKeyId: "local", secretAccessKey: "local", sessionToken: "local" },
    taskRoot: directory,
    runtimeDirectory: directory,
    variables: { TABLE_NAME: "Orders-test", FUNCTION_TIMEOUT_SECONDS: "2", STAND_IN_INIT_FILE: path.join(directory, "init-mode") },
});

interface StandIn {
    readonly options: ExecutionEnvironmentsOptions;
    readonly logs: string[];
    readonly notices: string[];
}

function standIn(maximumConcurrency = 2, initTimeoutMs?: number): StandIn {
    const logs: string[] = [];
    const notices: string[] = [];
    return {
        logs,
        notices,
        options: {
            command: { file: process.execPath, args: [script] },
            workingDirectory: directory,
            environment: lambdaEnvironment(configuration()),
            functionArn: FUNCTION_ARN,
            maximumConcurrency,
            initTimeoutMs,
            onLog: (line) => logs.push(line),
            onNotice: (message) => notices.push(message),
        },
    };
}

function setInitMode(mode: "ok" | "error" | "exit" | "hang"): void {
    const file = path.join(directory, "init-mode");
    if (mode === "ok") fs.rmSync(file, { force: true });
    else fs.writeFileSync(file, mode);
}

const event = (action: string) => Buffer.from(JSON.stringify({ action }));

interface Described {
    readonly pid: number;
    readonly headers: Record<string, string>;
    readonly environment: Record<string, string>;
    readonly event: unknown;
}

function described(result: Awaited<ReturnType<ExecutionEnvironments["invoke"]>>): Described {
    assert.equal(result.kind, "ok", JSON.stringify(result));
    return JSON.parse((result as { body: string }).body) as Described;
}

function alive(pid: number): boolean {
    try {
        process.kill(pid, 0);
        return true;
    } catch {
        return false;
    }
}

/** The pids the stand-in logged at init, in order. */
function initPids(logs: readonly string[]): number[] {
    return logs.flatMap((line) => {
        try {
            const entry = JSON.parse(line) as { message?: string; pid?: number };
            return entry.message === "init" && entry.pid ? [entry.pid] : [];
        } catch {
            return [];
        }
    });
}

describe("Runtime API server", () => {
    async function serve() {
        const notices: string[] = [];
        const initErrors: FunctionError[] = [];
        const counts = { ready: 0 };
        const server = await RuntimeApiServer.start({
            functionArn: FUNCTION_ARN,
            onReady: () => counts.ready++,
            onInitError: (error) => initErrors.push(error),
            onNotice: (message) => notices.push(message),
        });
        return { server, notices, initErrors, counts, url: (p: string) => `http://${server.address}/2018-06-01/runtime/${p}` };
    }

    it("listens on 127.0.0.1, on a port of its own", async () => {
        const { server } = await serve();
        try {
            assert.match(server.address, /^127\.0\.0\.1:\d+$/);
            assert.ok(server.port > 0);
        } finally {
            await server.close();
        }
    });

    it("next hands out the event with every header; the response is accepted and reaches the invoker", async () => {
        const api = await serve();
        try {
            const waiting = fetch(api.url("invocation/next"));
            await waitUntil("the runtime waits on next", () => api.counts.ready === 1, 10_000);
            const deadline = Date.now() + 2000;
            const invocation = api.server.invoke(Buffer.from('{"Records":[{"body":"☕"}]}'), deadline);
            const next = await waiting;

            assert.equal(next.status, 200);
            assert.equal(next.headers.get("Lambda-Runtime-Aws-Request-Id"), invocation.requestId);
            assert.match(invocation.requestId, UUID);
            assert.equal(next.headers.get("Lambda-Runtime-Deadline-Ms"), String(deadline));
            assert.equal(next.headers.get("Lambda-Runtime-Invoked-Function-Arn"), FUNCTION_ARN);
            assert.equal(next.headers.get("Lambda-Runtime-Trace-Id"), invocation.traceId);
            assert.match(invocation.traceId, TRACE_ID);
            assert.equal(next.headers.get("Content-Type"), "application/json");
            assert.equal(await next.text(), '{"Records":[{"body":"☕"}]}');

            const posted = await fetch(api.url(`invocation/${invocation.requestId}/response`), { method: "POST", body: '{"batchItemFailures":[]}' });
            assert.equal(posted.status, 202);
            assert.deepEqual(await posted.json(), { status: "OK" });
            const outcome = await invocation.outcome;
            assert.equal(outcome.kind, "response");
            assert.equal(outcome.kind === "response" && outcome.body.toString("utf8"), '{"batchItemFailures":[]}');

            const again = await fetch(api.url(`invocation/${invocation.requestId}/response`), { method: "POST", body: "{}" });
            assert.equal(again.status, 400, "an invocation is answered once");
            assert.deepEqual(await again.json(), { errorMessage: "Invalid request ID", errorType: "InvalidRequestID" });
            assert.equal(api.counts.ready, 1, "ready is said once, at the first next");
        } finally {
            await api.server.close();
        }
    });

    it("an error post is accepted with its documented body and its error-type header", async () => {
        const api = await serve();
        try {
            const waiting = fetch(api.url("invocation/next"));
            const invocation = api.server.invoke(Buffer.from("{}"), Date.now() + 2000);
            await (await waiting).text();
            const posted = await fetch(api.url(`invocation/${invocation.requestId}/error`), {
                method: "POST",
                headers: { "Lambda-Runtime-Function-Error-Type": "Function.InvalidOperationException" },
                body: JSON.stringify({ errorMessage: "the table is gone", errorType: "InvalidOperationException", stackTrace: ["at A()", "at B()"] }),
            });
            assert.equal(posted.status, 202);
            assert.deepEqual(await invocation.outcome, {
                kind: "error",
                error: { errorType: "InvalidOperationException", errorMessage: "the table is gone", stackTrace: ["at A()", "at B()"], functionErrorType: "Function.InvalidOperationException" },
            });
        } finally {
            await api.server.close();
        }
    });

    it("an error without a readable body takes its type from the header, as Lambda does", async () => {
        const api = await serve();
        try {
            const waiting = fetch(api.url("invocation/next"));
            const invocation = api.server.invoke(Buffer.from("{}"), Date.now() + 2000);
            await (await waiting).text();
            const posted = await fetch(api.url(`invocation/${invocation.requestId}/error`), {
                method: "POST",
                headers: { "Lambda-Runtime-Function-Error-Type": "Runtime.Unknown" },
                body: "",
            });
            assert.equal(posted.status, 202);
            const outcome = await invocation.outcome;
            assert.equal(outcome.kind === "error" && outcome.error.errorType, "Runtime.Unknown");
        } finally {
            await api.server.close();
        }
    });

    it("refuses what a buggy runtime client could send, as Lambda refuses it, and says so", async () => {
        const api = await serve();
        try {
            const before = await fetch(api.url("invocation/8476a536-e9f4-11e8-9739-2dfe598c3fcd/response"), { method: "POST", body: "{}" });
            assert.equal(before.status, 400, "a response before any next");
            assert.deepEqual(await before.json(), { errorMessage: "Invalid request ID", errorType: "InvalidRequestID" });

            const waiting = fetch(api.url("invocation/next"));
            const invocation = api.server.invoke(Buffer.from("{}"), Date.now() + 2000);
            await (await waiting).text();

            const unknown = await fetch(api.url("invocation/not-the-request-id/response"), { method: "POST", body: "{}" });
            assert.equal(unknown.status, 400, "a response for an unknown id");
            assert.equal(((await unknown.json()) as { errorType: string }).errorType, "InvalidRequestID");

            const wrongMethod = await fetch(api.url(`invocation/${invocation.requestId}/response`));
            assert.equal(wrongMethod.status, 405, "GET on the response path");
            assert.equal(wrongMethod.headers.get("Allow"), "POST");
            const postNext = await fetch(api.url("invocation/next"), { method: "POST", body: "{}" });
            assert.equal(postNext.status, 405, "POST on next");
            assert.equal(postNext.headers.get("Allow"), "GET");

            assert.equal((await fetch(api.url("invocation"))).status, 404);
            assert.equal((await fetch(`http://${api.server.address}/2019-01-01/runtime/invocation/next`)).status, 404, "another API version");

            const lateInit = await fetch(api.url("init/error"), { method: "POST", body: "{}" });
            assert.equal(lateInit.status, 403, "an init error after init");
            assert.deepEqual(await lateInit.json(), {
                errorMessage: "State transition from Running to InitError failed for runtime. Error: State transition is not allowed",
                errorType: "InvalidStateTransition",
            });

            const tooLarge = await fetch(api.url(`invocation/${invocation.requestId}/response`), { method: "POST", body: Buffer.alloc(MAX_PAYLOAD_BYTES + 1, 0x20) });
            assert.equal(tooLarge.status, 413, "a response over 6 MB");
            assert.deepEqual(await tooLarge.json(), { errorMessage: "Exceeded maximum allowed payload size (6291556 bytes).", errorType: "RequestEntityTooLarge" });
            const outcome = await invocation.outcome;
            assert.equal(outcome.kind === "error" && outcome.error.errorType, "Function.ResponseSizeTooLarge", "the invocation fails, as on Lambda");

            // Every refusal is a notice: a runtime client's bug shows in npm run local's output.
            assert.equal(api.notices.filter((n) => n.startsWith("runtime API refused")).length, 8, api.notices.join("\n"));
        } finally {
            await api.server.close();
        }
    });

    it("an init error is recorded with the function's message; the environment then gets no invocation", async () => {
        const api = await serve();
        try {
            const posted = await fetch(api.url("init/error"), {
                method: "POST",
                headers: { "Lambda-Runtime-Function-Error-Type": "Runtime.InitError" },
                body: JSON.stringify({ errorMessage: "TABLE_NAME is not set", errorType: "InvalidOperationException", stackTrace: [] }),
            });
            assert.equal(posted.status, 202);
            assert.deepEqual(api.initErrors, [{ errorMessage: "TABLE_NAME is not set", errorType: "InvalidOperationException", stackTrace: [], functionErrorType: "Runtime.InitError" }]);
            const next = await fetch(api.url("invocation/next"));
            assert.equal(next.status, 403);
            assert.equal(((await next.json()) as { errorType: string }).errorType, "InvalidStateTransition");
            assert.equal(api.counts.ready, 0);
        } finally {
            await api.server.close();
        }
    });
});

describe("execution environments", () => {
    it("an invocation reaches the runtime with every header and exactly Lambda's environment, none of the runner's", async () => {
        setInitMode("ok");
        const stand = standIn();
        process.env.AWS_PROFILE = "the-runners-own";
        const environments = await ExecutionEnvironments.start(stand.options);
        try {
            const invoked = Date.now();
            const result = described(await environments.invoke(event("describe"), 2000));
            const [environment] = environments.current;
            assert.ok(environment);
            assert.equal(result.pid, environment.pid);
            assert.match(result.headers["lambda-runtime-aws-request-id"] ?? "", UUID);
            const deadline = Number(result.headers["lambda-runtime-deadline-ms"]);
            assert.ok(deadline >= invoked + 2000 && deadline <= Date.now() + 2000, `deadline ${deadline} is the invocation's start plus its timeout`);
            assert.equal(result.headers["lambda-runtime-invoked-function-arn"], FUNCTION_ARN);
            assert.match(result.headers["lambda-runtime-trace-id"] ?? "", TRACE_ID);
            assert.equal(result.headers["content-type"], "application/json");
            assert.deepEqual(result.event, { action: "describe" });

            const { AWS_LAMBDA_LOG_STREAM_NAME: stream, ...rest } = result.environment;
            assert.match(stream ?? "", /^\d{4}\/\d{2}\/\d{2}\/\[\$LATEST\][0-9a-f]{32}$/);
            assert.equal(rest.AWS_PROFILE, undefined, "the runner's AWS settings do not leak");
            assert.deepEqual(rest, { ...lambdaEnvironment(configuration()), AWS_LAMBDA_RUNTIME_API: environment.runtimeApi });
        } finally {
            delete process.env.AWS_PROFILE;
            await environments.stop();
        }
    });

    it("a warm environment is reused: the same process answers again", async () => {
        setInitMode("ok");
        const stand = standIn();
        const environments = await ExecutionEnvironments.start(stand.options);
        try {
            const first = described(await environments.invoke(event("describe"), 2000));
            const second = described(await environments.invoke(event("describe"), 2000));
            assert.equal(second.pid, first.pid);
            assert.deepEqual(environments.pids, [first.pid]);
        } finally {
            await environments.stop();
        }
    });

    it("two concurrent invocations run in two processes, and no more than maximumConcurrency start", async () => {
        setInitMode("ok");
        const stand = standIn(2);
        const environments = await ExecutionEnvironments.start(stand.options);
        try {
            const results = await Promise.all([1, 2, 3].map(() => environments.invoke(event("describe"), 5000)));
            const pids = results.map((r) => described(r).pid);
            assert.equal(new Set(pids.slice(0, 2)).size, 2, `the first two ran in two environments: ${pids.join(", ")}`);
            assert.ok(pids.slice(0, 2).includes(pids[2]!), "the third waited for one of them");
            assert.equal(initPids(stand.logs).length, 2, "two inits in all");
            assert.equal(new Set(environments.pids).size, 2);
        } finally {
            await environments.stop();
        }
    });

    it("a function error fails the invocation, not the environment", async () => {
        setInitMode("ok");
        const stand = standIn();
        const environments = await ExecutionEnvironments.start(stand.options);
        try {
            const before = described(await environments.invoke(event("describe"), 2000));
            assert.deepEqual(await environments.invoke(event("error"), 2000), { kind: "error", message: "AmazonDynamoDBException: the order table refused the write", errorType: "AmazonDynamoDBException" });
            assert.equal(described(await environments.invoke(event("describe"), 2000)).pid, before.pid);
        } finally {
            await environments.stop();
        }
    });

    it("a crash mid-invocation is a crash result; the environment is discarded and a new one serves the next", async () => {
        setInitMode("ok");
        const stand = standIn();
        const environments = await ExecutionEnvironments.start(stand.options);
        try {
            const before = described(await environments.invoke(event("describe"), 2000));
            const crashed = await environments.invoke(event("crash"), 2000);
            assert.equal(crashed.kind, "crash");
            assert.match((crashed as { message: string }).message, /exit status 70.*unhandled exception: boom/s);
            assert.ok(stand.notices.some((n) => n.includes(`pid ${before.pid} exited (exit status 70)`)), stand.notices.join("\n"));
            assert.ok(!environments.pids.includes(before.pid));
            const after = described(await environments.invoke(event("describe"), 2000));
            assert.notEqual(after.pid, before.pid);
        } finally {
            await environments.stop();
        }
    });

    it("an invocation past its deadline is a timeout, and its process is killed", async () => {
        setInitMode("ok");
        const stand = standIn();
        const environments = await ExecutionEnvironments.start(stand.options);
        try {
            const before = described(await environments.invoke(event("describe"), 2000));
            assert.deepEqual(await environments.invoke(event("hang"), 1000), { kind: "timeout" });
            await waitUntil("the hung process is gone", () => !alive(before.pid), 10_000);
            assert.ok(!environments.pids.includes(before.pid));
            assert.ok(stand.notices.some((n) => n.includes(`(pid ${before.pid})`) && n.includes("ran past the function timeout (1000 ms)")), stand.notices.join("\n"));
            assert.notEqual(described(await environments.invoke(event("describe"), 2000)).pid, before.pid);
        } finally {
            await environments.stop();
        }
    });

    it("an init error fails start with the function's own message, and leaves no process", async () => {
        setInitMode("error");
        const stand = standIn();
        await assert.rejects(ExecutionEnvironments.start(stand.options), (error: unknown) => {
            assert.ok(error instanceof FunctionInitError);
            assert.equal(error.message, "TABLE_NAME is not set: the stack sets it");
            assert.equal(error.errorType, "InvalidOperationException");
            return true;
        });
        assert.ok(stand.notices.some((n) => n.endsWith("init failed (InvalidOperationException): TABLE_NAME is not set: the stack sets it")), stand.notices.join("\n"));
        const [pid] = initPids(stand.logs);
        assert.ok(pid);
        await waitUntil("the failed environment's process is gone", () => !alive(pid), 10_000);
    });

    it("a runtime that exits before its first next fails start with its exit and its stderr", async () => {
        setInitMode("exit");
        const stand = standIn();
        await assert.rejects(ExecutionEnvironments.start(stand.options), {
            name: "FunctionInitError",
            message: "the runtime exited before its first invocation (exit status 3): cannot start: libstand-in.so is missing",
        });
    });

    it("a runtime that never finishes its init is killed after the init timeout", async () => {
        setInitMode("hang");
        const stand = standIn(2, 3000);
        await assert.rejects(ExecutionEnvironments.start(stand.options), { name: "FunctionInitError", message: /did not finish within 3 s/ });
        const [pid] = initPids(stand.logs);
        assert.ok(pid);
        await waitUntil("the hung environment's process is gone", () => !alive(pid), 10_000);
    });

    it("an init error in a later environment is the invocation's result, with the function's message", async () => {
        setInitMode("ok");
        const stand = standIn(1);
        const environments = await ExecutionEnvironments.start(stand.options);
        try {
            const before = described(await environments.invoke(event("describe"), 2000));
            setInitMode("error");
            process.kill(before.pid, "SIGKILL");
            await waitUntil("the killed environment is gone", () => environments.pids.length === 0, 10_000);
            assert.deepEqual(await environments.invoke(event("describe"), 2000), { kind: "error", message: "InvalidOperationException: TABLE_NAME is not set: the stack sets it", errorType: "InvalidOperationException" });
            // The next try waits (a back-off) and fails the same way; then a fixed function starts again.
            assert.equal((await environments.invoke(event("describe"), 2000)).kind, "error");
            setInitMode("ok");
            const after = described(await environments.invoke(event("describe"), 2000));
            assert.notEqual(after.pid, before.pid);
            assert.equal(initPids(stand.logs).length, 4, "one environment per try, none in a loop");
        } finally {
            setInitMode("ok");
            await environments.stop();
        }
    });
});

describe("Lambda's variables", () => {
    it("AWS_EXECUTION_ENV is set for a managed runtime and not for an OS-only one", () => {
        const managed = lambdaEnvironment({ ...configuration(), runtime: "dotnet10", handler: "OrderProcessor::OrderProcessor.Function::HandleAsync" });
        assert.equal(managed.AWS_EXECUTION_ENV, "AWS_Lambda_dotnet10");
        assert.equal(managed._HANDLER, "OrderProcessor::OrderProcessor.Function::HandleAsync");
        const custom = lambdaEnvironment(configuration());
        assert.equal("AWS_EXECUTION_ENV" in custom, false);
        assert.equal(custom._HANDLER, "bootstrap");
        assert.equal("_X_AMZN_TRACE_ID" in custom, false, "a custom runtime sets it per invocation from the trace header");
        assert.equal(custom.TZ, ":UTC");
        assert.equal(custom.AWS_LAMBDA_LOG_LEVEL, "INFO");
        assert.equal(custom.AWS_LAMBDA_FUNCTION_VERSION, "$LATEST");
        assert.equal(custom.AWS_LAMBDA_INITIALIZATION_TYPE, "on-demand");
        assert.equal(custom.AWS_LAMBDA_LOG_GROUP_NAME, "/aws/lambda/OrderProcessor-test");
        assert.equal(custom.AWS_ACCESS_KEY, custom.AWS_ACCESS_KEY_ID, "both names of the key id, as Lambda sets them");
    });

    it("a function variable Lambda reserves is refused, as Lambda refuses the configuration", () => {
        assert.throws(
            () => lambdaEnvironment({ ...configuration(), variables: { TABLE_NAME: "Orders", AWS_REGION: "eu-west-1", _HANDLER: "x" } }),
            /the function's variables use AWS_REGION, _HANDLER, which Lambda reserves for itself and refuses to set/,
        );
    });
});
