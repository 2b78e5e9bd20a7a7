// The program itself (infra/index.ts), run once per case in a process of its own under Pulumi's mocks
// (run-program.ts): what it adds to the component is reading the stack's config, packaging the function as the config
// says (the real packaging: a Native AOT bootstrap for arm64 by default), and the outputs a user reads.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";
import { before, describe, it } from "node:test";
import { readFunctionDefinition } from "../../infra/function-definition";
import { repositoryRoot } from "../../infra/repository";
import { ACCOUNT, REGION } from "./mock-stack";
import { zipEntries } from "./zip";

interface ProgramRun {
    readonly outputs: Record<string, unknown>;
    readonly function: Record<string, unknown> & { readonly codePath: string };
}

function runProgram(stack: string, ...overrides: string[]): ProgramRun {
    const run = spawnSync(process.execPath, ["--import", "tsx", path.join(__dirname, "run-program.ts"), stack, ...overrides], { encoding: "utf8", maxBuffer: 64 * 1024 * 1024 });
    assert.equal(run.status, 0, run.stderr);
    return JSON.parse(run.stdout.trim().split("\n").at(-1)!) as ProgramRun;
}

const arn = {
    topic: `arn:aws:sns:${REGION}:${ACCOUNT}:OrderTopic-dev`,
    alerts: `arn:aws:sns:${REGION}:${ACCOUNT}:OrderAlerts-dev`,
};

describe("the program", () => {
    let run: ProgramRun;
    before(() => {
        run = runProgram("dev");
    });

    it("function runs the packaged Native AOT bootstrap on provided.al2023 arm64", () => {
        const fn = run.function;
        assert.equal(fn.runtime, "provided.al2023");
        assert.equal(fn.handler, "bootstrap");
        assert.deepEqual(fn.architectures, ["arm64"]);
        const zipPath = fn.codePath;
        assert.equal(path.basename(zipPath), "OrderProcessor-aot-arm64.zip");
        assert.deepEqual(zipEntries(zipPath), [{ name: "bootstrap", mode: 0o100755 }], "the zip holds bootstrap alone, executable");
        const sha256 = createHash("sha256").update(fs.readFileSync(zipPath)).digest("base64");
        assert.equal(fn.sourceCodeHash, sha256);
    });

    it("functionRuntime managed packages the dotnet10 bundle for the handler string", () => {
        const managed = runProgram("dev", "order-pipeline:functionRuntime=managed");
        assert.equal(managed.function.runtime, "dotnet10");
        assert.equal(managed.function.handler, readFunctionDefinition().handler);
        assert.equal(path.basename(managed.function.codePath), "OrderProcessor-managed-arm64.zip");
        assert.ok(zipEntries(managed.function.codePath).some((entry) => entry.name === `${readFunctionDefinition().assembly}.dll`));
    });

    it("a bad config fails the program itself, naming the key and what is allowed, before anything is packaged", () => {
        const run = spawnSync(process.execPath, ["--import", "tsx", path.join(__dirname, "run-program.ts"), "dev", "order-pipeline:batchSize=11"], { encoding: "utf8" });
        assert.notEqual(run.status, 0);
        assert.match(run.stderr, /ConfigError: invalid stack configuration:\n {2}- order-pipeline:batchSize is 11; allowed: a whole number from 1 to 10 without a batching window/);
    });

    it("stack outputs name every resource a user needs, and a publish command with the sample order", () => {
        const sample = JSON.parse(fs.readFileSync(path.join(repositoryRoot, "..", "shared", "events", "order.sample.json"), "utf8"));
        assert.deepEqual(
            { ...run.outputs, publishSampleOrder: undefined },
            {
                topicArn: arn.topic,
                queueUrl: `https://sqs.${REGION}.amazonaws.com/${ACCOUNT}/OrderQueue-dev`,
                deadLetterQueueUrl: `https://sqs.${REGION}.amazonaws.com/${ACCOUNT}/OrderDlq-dev`,
                tableName: "Orders-dev",
                functionName: "OrderProcessor-dev",
                liveVersion: "7",
                alertsTopicArn: arn.alerts,
                dashboardName: "OrderPipeline-dev",
                dashboardUrl: `https://${REGION}.console.aws.amazon.com/cloudwatch/home?region=${REGION}#dashboards/dashboard/OrderPipeline-dev`,
                publishSampleOrder: undefined,
            },
        );
        const command = run.outputs.publishSampleOrder as string;
        const match = /^aws sns publish --topic-arn (\S+) --message '(.+)'$/.exec(command);
        assert.ok(match, command);
        assert.equal(match[1], arn.topic);
        assert.deepEqual(JSON.parse(match[2]!), sample);
    });
});
