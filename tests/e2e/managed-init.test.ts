// The managed runtime's init as Lambda's dotnet runtime reports it, end to end: the real bundle, the managed
// bootstrap, the local Runtime API and the runner. A handler string Lambda would refuse, and a constructor that
// throws, each reach the init error endpoint the way Amazon.Lambda.RuntimeSupport posts them (no error-type header;
// errorType the exception's name; the constructor's own error as the cause), and the runner says what failed.
import assert from "node:assert/strict";
import { before, describe, it } from "node:test";
import { DEFAULTS } from "../../infra/config";
import { readFunctionDefinition } from "../../infra/function-definition";
import { buildLocalFunction, type LocalFunction } from "../../local/local-function";
import { ExecutionEnvironments, FunctionInitError } from "../../local/runtime-api/execution-environments";
import { testBuildRoot } from "./harness";

describe("the managed runtime's init errors, as Lambda's dotnet runtime reports them", () => {
    let fn: LocalFunction;
    const notices: string[] = [];

    before(async () => {
        fn = await buildLocalFunction({
            runtime: "managed",
            buildRoot: testBuildRoot(),
            settings: DEFAULTS,
            resources: { tableName: "Orders-managed-init", functionName: "OrderProcessor-managed-init" },
            endpoints: { sqs: "http://127.0.0.1:9", dynamodb: "http://127.0.0.1:9" },
        });
    });

    const start = (environment: Record<string, string>) =>
        ExecutionEnvironments.start({ ...fn, environment, maximumConcurrency: 2, onLog: () => undefined, onNotice: (message) => notices.push(message) });

    it("the deployed handler string starts (its method name has no overloads)", async () => {
        const environments = await start(fn.environment);
        await environments.stop();
        assert.equal(fn.environment._HANDLER, readFunctionDefinition().handler);
    });

    it("a handler naming no method fails init with Lambda's LambdaValidationException and message", async () => {
        const [assembly, type] = readFunctionDefinition().handler.split("::");
        await assert.rejects(start({ ...fn.environment, _HANDLER: `${assembly}::${type}::Handle` }), (error: unknown) => {
            assert.ok(error instanceof FunctionInitError, String(error));
            assert.equal(error.errorType, "LambdaValidationException");
            assert.equal(error.message, `Unable to find method 'Handle' in type '${type}' from assembly '${assembly}': Found no methods matching method name 'Handle'.`);
            return true;
        });
        assert.ok(notices.some((n) => n.includes("init failed (LambdaValidationException): Unable to find method 'Handle'")), notices.join("\n"));
    });

    it("a constructor that throws fails init as reflection wraps it, with the function's own message as the cause", async () => {
        const { TABLE_NAME: _, ...withoutTable } = fn.environment;
        await assert.rejects(start(withoutTable), (error: unknown) => {
            assert.ok(error instanceof FunctionInitError, String(error));
            assert.equal(error.errorType, "TargetInvocationException");
            assert.match(error.message, /^Exception has been thrown by the target of an invocation\. \(cause: \w+Exception: .*TABLE_NAME/);
            return true;
        });
    });
});

