// The deploy's smoke invocation (infra/smoke-invocation.ts) judging the real function run as Lambda runs it, behind the
// local Runtime API: a good version answers {"Records":[]} with {"batchItemFailures":[]} and may take orders; a version
// that cannot start (a missing setting, a table that does not exist) is refused with the function's own error.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { DEFAULTS } from "../../infra/config";
import { SMOKE_EVENT, smokeVerdict } from "../../infra/smoke-invocation";
import { createClients, type LocalClients } from "../../local/emulators/clients";
import { type LocalServer, startDynalite } from "../../local/emulators/servers";
import { buildLocalFunction, type LocalFunction } from "../../local/local-function";
import { createOrdersTable } from "../../local/emulators/provision";
import { ExecutionEnvironments, FunctionInitError } from "../../local/runtime-api/execution-environments";
import { lambdaInvokeAnswer } from "../../local/runtime-api/invoke-answer";
import { testBuildRoot, testFunctionRuntime } from "./harness";

describe(`the smoke invocation against the local Runtime API (${testFunctionRuntime()})`, () => {
    let dynalite: LocalServer;
    let clients: LocalClients;
    let fn: LocalFunction;
    const timeoutSeconds = DEFAULTS.functionTimeoutSeconds;

    before(async () => {
        dynalite = await startDynalite(0);
        const endpoints = { sqs: "http://127.0.0.1:9", dynamodb: dynalite.endpoint };
        clients = createClients(endpoints);
        await createOrdersTable(clients, "Orders-smoke");
        fn = await buildLocalFunction({
            runtime: testFunctionRuntime(),
            buildRoot: testBuildRoot(),
            settings: DEFAULTS,
            resources: { tableName: "Orders-smoke", functionName: "OrderProcessor-smoke" },
            endpoints,
        });
    });

    after(async () => {
        clients?.destroy();
        await dynalite?.close();
    });

    /** Starts a fresh environment with `environment`, invokes the smoke event, and answers as Lambda's Invoke API would. */
    async function smoke(environment: Record<string, string>) {
        let environments: ExecutionEnvironments;
        try {
            environments = await ExecutionEnvironments.start({ ...fn, environment, maximumConcurrency: 2, onLog: () => undefined, onNotice: () => undefined });
        } catch (error) {
            if (error instanceof FunctionInitError) return lambdaInvokeAnswer(error, timeoutSeconds);
            throw error;
        }
        try {
            return lambdaInvokeAnswer(await environments.invoke(Buffer.from(SMOKE_EVENT), timeoutSeconds * 1000), timeoutSeconds);
        } finally {
            await environments.stop();
        }
    }

    it("a version that starts answers with an empty partial batch response, and may take orders", async () => {
        const answer = await smoke(fn.environment);
        assert.deepEqual(JSON.parse(answer.payload), { batchItemFailures: [] });
        assert.equal(smokeVerdict(answer), undefined);
    });

    it("a version without its TABLE_NAME setting fails its init, and is refused with the function's message", async () => {
        const { TABLE_NAME: _, ...withoutTable } = fn.environment;
        const reason = smokeVerdict(await smoke(withoutTable));
        assert.ok(reason, "refused");
        assert.match(reason, /^the function failed \(Unhandled\): .*TABLE_NAME/);
    });

    it("a version whose table does not exist fails its init (priming finds it missing), and is refused", async () => {
        const reason = smokeVerdict(await smoke({ ...fn.environment, TABLE_NAME: "Orders-never-created" }));
        assert.ok(reason, "refused");
        assert.match(reason, /the function cannot use its table or queue, so it does not start: .*ResourceNotFoundException/);
    });
});
