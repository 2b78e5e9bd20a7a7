// Config validation as pure functions: defaults, every rule, exact messages.
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { describe, it } from "node:test";
import { ConfigError, DEFAULTS, loadSettings, physicalNames } from "../../infra/config";
import { repositoryRoot } from "../../infra/function-definition";
import { listStacks, loadStackSettings } from "../../local/stack-file";

const load = (values: Record<string, string>) =>
    loadSettings({ "aws:region": "us-east-1", ...Object.fromEntries(Object.entries(values).map(([key, value]) => [`order-pipeline:${key}`, value])) });
const problemsOf = (values: Record<string, string>): readonly string[] => {
    try {
        load(values);
    } catch (error) {
        if (error instanceof ConfigError) return error.problems;
        throw error;
    }
    assert.fail("the config was accepted");
};

describe("stack config", () => {
    it("no keys gives the defaults, and the README's configuration table lists each of them", () => {
        assert.deepEqual(load({}), DEFAULTS);
        const readme = fs.readFileSync(path.join(repositoryRoot, "README.md"), "utf8");
        const section = readme.slice(readme.indexOf("## Configuration"), readme.indexOf("## Deploy"));
        const documented = Object.fromEntries(
            [...section.matchAll(/^\| `(\w+)` \| ([^|]+) \|/gm)].map(([, key, value]) => [key, value!.trim().replace(/`/g, "")]),
        );
        const expected = Object.fromEntries(Object.entries(DEFAULTS).map(([key, value]) => [key, value === undefined ? "(none)" : String(value)]));
        assert.deepEqual(documented, expected);
    });

    it("every stack file in the repository is valid", () => {
        assert.deepEqual(listStacks(), ["dev", "prod"]);
        for (const stack of listStacks()) assert.ok(loadStackSettings(stack));
    });

    it("visibility timeout below 6 × timeout + window names the keys to change", () => {
        assert.deepEqual(problemsOf({ functionTimeoutSeconds: "10", maximumBatchingWindowSeconds: "5", queueVisibilityTimeoutSeconds: "60" }), [
            "order-pipeline:queueVisibilityTimeoutSeconds is 60; it must be at least 6 × functionTimeoutSeconds + maximumBatchingWindowSeconds = 6 × 10 + 5 = 65: raise queueVisibilityTimeoutSeconds, or lower functionTimeoutSeconds or maximumBatchingWindowSeconds",
        ]);
        assert.equal(load({ functionTimeoutSeconds: "10", maximumBatchingWindowSeconds: "5", queueVisibilityTimeoutSeconds: "65" }).queueVisibilityTimeoutSeconds, 65);
    });

    it("batch size is 1–10 without a window and up to 10000 with one", () => {
        assert.deepEqual(problemsOf({ batchSize: "0" }), [
            "order-pipeline:batchSize is 0; allowed: a whole number from 1 to 10 without a batching window (maximumBatchingWindowSeconds 0)",
        ]);
        assert.equal(load({ batchSize: "10000", maximumBatchingWindowSeconds: "1", queueVisibilityTimeoutSeconds: "31" }).batchSize, 10000);
        assert.deepEqual(problemsOf({ batchSize: "10001", maximumBatchingWindowSeconds: "1", queueVisibilityTimeoutSeconds: "31" }), [
            "order-pipeline:batchSize is 10001; allowed: a whole number from 1 to 10000 with a batching window",
        ]);
    });

    it("ranges name the key and the allowed values", () => {
        assert.deepEqual(problemsOf({ maxReceiveCount: "1001", functionMemoryMb: "64", maximumConcurrency: "1", maximumBatchingWindowSeconds: "301", queueAgeAlarmSeconds: "10" }), [
            "order-pipeline:functionMemoryMb is 64; allowed: a whole number from 128 to 10240 (MB)",
            "order-pipeline:maximumBatchingWindowSeconds is 301; allowed: a whole number from 0 to 300 (seconds)",
            "order-pipeline:maxReceiveCount is 1001; allowed: a whole number from 1 to 1000",
            "order-pipeline:maximumConcurrency is 1; allowed: a whole number from 2 to 1000",
            "order-pipeline:queueAgeAlarmSeconds is 10; allowed: a whole number from 60 to 1209600 (seconds)",
        ]);
    });

    it("values of the wrong type are reported once, as such", () => {
        assert.deepEqual(problemsOf({ functionTimeoutSeconds: "5.5", rawMessageDelivery: "yes", maxReceiveCount: "" }), [
            'order-pipeline:functionTimeoutSeconds is "5.5"; it must be a whole number',
            'order-pipeline:maxReceiveCount is ""; it must be a whole number',
            'order-pipeline:rawMessageDelivery is "yes"; allowed: true, false',
        ]);
    });

    it("alarm email must look like an address", () => {
        assert.deepEqual(problemsOf({ alarmEmail: "oncall" }), ['order-pipeline:alarmEmail is "oncall"; allowed: an email address, or unset for no email']);
        assert.equal(load({ alarmEmail: "a@b.co" }).alarmEmail, "a@b.co");
    });

    it("physical names differ between stacks and carry the stack", () => {
        const dev = Object.values(physicalNames("dev"));
        const prod = Object.values(physicalNames("prod"));
        assert.equal(dev.filter((name) => prod.includes(name)).length, 0);
        assert.ok(dev.every((name) => name.endsWith("-dev")));
    });
});
