// The function's contract (infra/function-contract.ts) against the function itself: the variables its C# settings
// read are the ones the stack and the local runner set, and the metrics its C# writer emits are the ones the alarms,
// the dashboard and the status line read. Both sides are read from their sources, so neither can drift alone.
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { describe, it } from "node:test";
import { DEFAULTS } from "../../infra/config";
import {
    BATCH_SIZE_METRIC,
    FUNCTION_METRICS_DIMENSION,
    FUNCTION_METRICS_NAMESPACE,
    FUNCTION_VARIABLES,
    functionVariables,
    ORDER_AGE_METRIC,
    OUTCOME_METRICS,
} from "../../infra/function-contract";
import { functionDirectory } from "../../infra/repository";
import { functionEnvironment } from "../../local/local-function";
import { buildComponent } from "./mock-component";

const csharp = (file: string) => fs.readFileSync(path.join(functionDirectory, file), "utf8");

/** `public const string NameVariable = "VALUE";` of FunctionSettings.cs: the function's own variables. */
const readVariables = [...csharp("FunctionSettings.cs").matchAll(/public const string \w+Variable = "([A-Z_]+)";/g)].map((m) => m[1]!);

describe("the function's contract", () => {
    it("the variables the function reads are the contract's", () => {
        assert.ok(readVariables.length >= 5, readVariables.join(", "));
        assert.deepEqual([...readVariables].sort(), Object.values(FUNCTION_VARIABLES).sort());
    });

    it("the stack sets each of them on the function but the optional concurrency, from the contract's one function", async () => {
        const { registered } = await buildComponent(new Set());
        const fn = registered.find((r) => r.type === "aws:lambda/function:Function")!;
        const variables = (fn.inputs.environment as { variables: Record<string, string> }).variables;
        const expected = Object.values(FUNCTION_VARIABLES).filter((name) => name !== FUNCTION_VARIABLES.maxRecordConcurrency).sort();
        assert.deepEqual(Object.keys(variables).sort(), expected);
        assert.deepEqual(Object.keys(functionVariables(DEFAULTS, { tableName: "t", queueUrl: "q" })).sort(), expected);
    });

    it("the local runner sets the same, plus only the emulators' endpoints", () => {
        const local = functionEnvironment(DEFAULTS, { tableName: "Orders-dev", queueUrl: "http://127.0.0.1:4566/000000000000/OrderQueue-dev" }, { sqs: "http://127.0.0.1:4566", dynamodb: "http://127.0.0.1:8000" });
        const own = Object.keys(functionVariables(DEFAULTS, { tableName: "t", queueUrl: "q" }));
        assert.deepEqual(Object.keys(local).filter((name) => !own.includes(name)).sort(), ["AWS_EC2_METADATA_DISABLED", "AWS_ENDPOINT_URL_DYNAMODB", "AWS_ENDPOINT_URL_SQS"]);
    });

    it("the metrics the function writes are the contract's: namespace, dimension, an outcome each in order, batch size, order age", () => {
        const document = csharp(path.join("Processing", "MetricsDocument.cs"));
        const constant = (name: string) => new RegExp(`public const string ${name} = "([^"]+)";`).exec(document)?.[1];
        assert.equal(constant("Namespace"), FUNCTION_METRICS_NAMESPACE);
        assert.equal(constant("Dimension"), FUNCTION_METRICS_DIMENSION);
        assert.equal(constant("BatchSize"), BATCH_SIZE_METRIC);
        assert.equal(constant("OrderAge"), ORDER_AGE_METRIC);
        // An outcome's metric name is its enum member's name (MetricsDocument.MetricName), in the enum's order.
        assert.match(document, /public static string MetricName\(RecordOutcome outcome\) => outcome\.ToString\(\);/);
        const outcomes = [...csharp(path.join("Processing", "RecordOutcome.cs")).matchAll(/^\s{4}(\w+),$/gm)].map((m) => m[1]);
        assert.deepEqual(outcomes, [...OUTCOME_METRICS]);
    });
});
