// What CloudWatch gets at each log level: Lambda's log-level filter (local/runtime-api/log-filter.ts) on lines of
// every kind, and on the real function's output at each of the six levels the stack allows, where the metrics (the
// EMF document) must survive every one: the dashboard and three alarms read them.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { DEFAULTS, LOG_LEVELS } from "../../infra/config";
import { BATCH_SIZE_METRIC, FUNCTION_METRICS_DIMENSION, FUNCTION_METRICS_NAMESPACE, ORDER_AGE_METRIC, OUTCOME_METRICS } from "../../infra/function-contract";
import { SAMPLE_ORDER } from "../../infra/sample-order";
import { createClients, LOCAL_REGION, type LocalClients } from "../../local/emulators/clients";
import { type LocalServer, startDynalite } from "../../local/emulators/servers";
import { buildLocalFunction, type LocalFunction } from "../../local/local-function";
import { toSqsEvent } from "../../local/event-source/poller";
import { createOrdersTable } from "../../local/emulators/provision";
import { ExecutionEnvironments } from "../../local/runtime-api/execution-environments";
import { isRfc3339, lambdaKeepsLogLine, lambdaLogLevel } from "../../local/runtime-api/log-filter";
import { testBuildRoot, testFunctionRuntime } from "./harness";

const NOW = "2026-12-03T18:12:05.123Z";
const line = (fields: Record<string, unknown>) => JSON.stringify(fields);

describe("Lambda's log-level filter, as the local runner applies it", () => {
    it("reads a valid level in any case, with a valid RFC 3339 timestamp", () => {
        assert.equal(lambdaLogLevel(line({ timestamp: NOW, level: "WARN" })), "WARN");
        assert.equal(lambdaLogLevel(line({ timestamp: NOW, level: "debug" })), "DEBUG");
        assert.equal(lambdaLogLevel(line({ timestamp: "2026-12-03t18:12:05+02:00", level: "Error" })), "ERROR");
        assert.equal(lambdaLogLevel(line({ timestamp: NOW, level: "FATAL" })), "FATAL");
    });

    it("takes a missing or unknown level as INFO", () => {
        assert.equal(lambdaLogLevel(line({ timestamp: NOW })), "INFO");
        assert.equal(lambdaLogLevel(line({ timestamp: NOW, level: "WARNING" })), "INFO");
        assert.equal(lambdaLogLevel(line({ timestamp: NOW, level: "Information" })), "INFO");
        assert.equal(lambdaLogLevel(line({ timestamp: NOW, level: 40 })), "INFO");
    });

    it("takes a line without a valid timestamp as INFO, whatever its level", () => {
        assert.equal(lambdaLogLevel(line({ level: "ERROR" })), "INFO", "no timestamp: the function's lines before this round");
        assert.equal(lambdaLogLevel(line({ level: "ERROR", timestamp: 1764785525123 })), "INFO", "epoch milliseconds are not RFC 3339");
        assert.equal(lambdaLogLevel(line({ level: "ERROR", timestamp: "2026-12-03 18:12:05Z" })), "INFO", "a space is not RFC 3339's T");
        assert.equal(lambdaLogLevel(line({ level: "ERROR", timestamp: "2026-02-30T18:12:05Z" })), "INFO", "30 February");
        assert.equal(lambdaLogLevel(line({ level: "ERROR", timestamp: "2026-12-03T18:12:05" })), "INFO", "no offset");
    });

    it("takes plain text, JSON that is not an object, and an empty line as INFO", () => {
        for (const text of ["function init failed: TABLE_NAME is not set", "[1,2]", '"ERROR"', "null", ""]) assert.equal(lambdaLogLevel(text), "INFO", text);
    });

    it("keeps a line at the configured level and above, and drops the rest", () => {
        const warn = line({ timestamp: NOW, level: "WARN" });
        assert.deepEqual(LOG_LEVELS.map((configured) => lambdaKeepsLogLine(warn, configured)), [true, true, true, true, false, false]);
        assert.equal(lambdaKeepsLogLine("plain text", "WARN"), false);
        assert.equal(lambdaKeepsLogLine("plain text", "INFO"), true);
    });

    it("checks every field of an RFC 3339 date-time", () => {
        for (const ok of ["2024-02-29T00:00:00Z", "2026-12-31T23:59:60.5z", "2026-01-01T00:00:00.123456789-23:59"]) assert.ok(isRfc3339(ok), ok);
        for (const bad of ["2025-02-29T00:00:00Z", "2026-13-01T00:00:00Z", "2026-12-03T24:00:00Z", "2026-12-03T18:60:00Z", "2026-12-03T18:12:05+24:00", "2026-12-03T18:12:05.Z"]) {
            assert.equal(isRfc3339(bad), false, bad);
        }
    });
});

describe(`the function's output at each log level the stack allows (${testFunctionRuntime()})`, () => {
    let dynalite: LocalServer;
    let clients: LocalClients;
    let fn: LocalFunction;
    const tableName = "Orders-log-levels";

    before(async () => {
        dynalite = await startDynalite(0);
        const endpoints = { sqs: "http://127.0.0.1:9", dynamodb: dynalite.endpoint };
        clients = createClients(endpoints);
        await createOrdersTable(clients, tableName);
        fn = await buildLocalFunction({
            runtime: testFunctionRuntime(),
            buildRoot: testBuildRoot(),
            settings: DEFAULTS,
            resources: { tableName, functionName: "OrderProcessor-log-levels" },
            endpoints,
        });
    });

    after(async () => {
        clients?.destroy();
        await dynalite?.close();
    });

    for (const level of LOG_LEVELS) {
        it(`at ${level}, the metrics reach CloudWatch, and each line only at or above ${level}`, async () => {
            const written: string[] = [];
            const environments = await ExecutionEnvironments.start({
                ...fn,
                environment: { ...fn.environment, AWS_LAMBDA_LOG_LEVEL: level },
                maximumConcurrency: 2,
                onLog: (text) => written.push(text),
                onNotice: (message) => written.push(`notice: ${message}`),
            });
            try {
                const messages = [
                    { MessageId: `${level}-valid`, ReceiptHandle: "h1", Body: JSON.stringify({ ...SAMPLE_ORDER, orderId: `LEVEL-${level}` }), Attributes: { ApproximateReceiveCount: "1", SentTimestamp: String(Date.now()) } },
                    { MessageId: `${level}-invalid`, ReceiptHandle: "h2", Body: "not an order", Attributes: { ApproximateReceiveCount: "1", SentTimestamp: String(Date.now()) } },
                ];
                const result = await environments.invoke(Buffer.from(JSON.stringify(toSqsEvent(messages, "arn:aws:sqs:us-east-1:000000000000:OrderQueue-log-levels", LOCAL_REGION))), 10_000);
                assert.equal(result.kind, "ok", `${JSON.stringify(result)}\n${written.join("\n")}`);
            } finally {
                await environments.stop();
            }

            const kept = written.filter((text) => lambdaKeepsLogLine(text, level));
            const metrics = kept.filter((text) => text.includes('"_aws"')).map((text) => JSON.parse(text) as Record<string, unknown>);
            assert.equal(metrics.length, 1, `one EMF document survives the filter at ${level}:\n${written.join("\n")}`);
            assert.equal(metrics[0]!.Stored, 1);
            assert.equal(metrics[0]!.Invalid, 1);
            // The names the alarms, the dashboard and the status line read (infra/function-contract.ts).
            const directive = (metrics[0]!._aws as { CloudWatchMetrics: Array<{ Namespace: string; Dimensions: string[][]; Metrics: Array<{ Name: string }> }> }).CloudWatchMetrics[0]!;
            assert.equal(directive.Namespace, FUNCTION_METRICS_NAMESPACE);
            assert.deepEqual(directive.Dimensions, [[FUNCTION_METRICS_DIMENSION]]);
            assert.deepEqual(directive.Metrics.map((m) => m.Name), [...OUTCOME_METRICS, BATCH_SIZE_METRIC, ORDER_AGE_METRIC]);
            const functionLines = written.filter((text) => !text.startsWith("notice:"));
            for (const text of functionLines) {
                const entry = JSON.parse(text) as Record<string, unknown>;
                assert.ok(typeof entry.timestamp === "string" && isRfc3339(entry.timestamp), `a valid timestamp: ${text}`);
                assert.ok(LOG_LEVELS.includes(entry.level as (typeof LOG_LEVELS)[number]), `one of Lambda's levels: ${text}`);
                assert.equal(lambdaLogLevel(text), entry.level, "the filter reads the level the function wrote");
            }
            const invalidKept = kept.some((text) => text.includes('"outcome":"invalid"'));
            assert.equal(invalidKept, LOG_LEVELS.indexOf(level) <= LOG_LEVELS.indexOf("WARN"), "the invalid record's WARN line");
        });
    }
});
