// Config validation as pure functions: defaults, every rule, exact messages.
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { describe, it } from "node:test";
import { outageToleranceSeconds } from "../../infra/backoff";
import { ConfigError, DEFAULTS, DERIVED_DEFAULTS, loadSettings, retryBackoffDefaults } from "../../infra/config";
import { physicalNames } from "../../infra/naming";
import { repositoryRoot } from "../../infra/repository";
import { listStacks, loadStackSettings } from "../../infra/stack-file";

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
        const start = readme.indexOf("## Configuration");
        const section = readme.slice(start, readme.indexOf("\n## ", start + 1));
        const documented = Object.fromEntries(
            [...section.matchAll(/^\| `(\w+)` \| ([^|]+) \|/gm)].map(([, key, value]) => [key, value!.trim().replace(/`/g, "")]),
        );
        const expected = Object.fromEntries(
            Object.entries(DEFAULTS).map(([key, value]) => {
                const shown = value === undefined ? "(none)" : String(value);
                const rule = DERIVED_DEFAULTS[key as keyof typeof DEFAULTS];
                return [key, rule ? `${rule} (${shown})` : shown];
            }),
        );
        assert.deepEqual(documented, expected);
    });

    it("the backoff defaults in DEFAULTS are the ones derived from the default visibility timeout", () => {
        assert.deepEqual(retryBackoffDefaults(DEFAULTS), { retryBackoffBaseSeconds: 480, retryBackoffMaxSeconds: 540 });
        assert.equal(DEFAULTS.retryBackoffBaseSeconds, 480);
        assert.equal(DEFAULTS.retryBackoffMaxSeconds, 540);
    });

    it("unset backoff keys follow the visibility timeout, and each other, and stay within SQS's 12 hours", () => {
        const at120 = load({ queueVisibilityTimeoutSeconds: "120" });
        assert.equal(at120.retryBackoffBaseSeconds, 1920);
        assert.equal(at120.retryBackoffMaxSeconds, 2160);
        assert.ok(outageToleranceSeconds(at120) >= 30 * 120);
        const capped = load({ queueVisibilityTimeoutSeconds: "43200", functionTimeoutSeconds: "900" });
        assert.equal(capped.retryBackoffBaseSeconds, 42300);
        assert.equal(capped.retryBackoffMaxSeconds, 42300);
        assert.equal(load({ retryBackoffMaxSeconds: "100" }).retryBackoffBaseSeconds, 100, "an unset base is never above a set cap");
        assert.equal(load({ retryBackoffBaseSeconds: "2000" }).retryBackoffMaxSeconds, 2000, "an unset cap is never below a set base");
        assert.deepEqual(load({ retryBackoffBaseSeconds: "10", retryBackoffMaxSeconds: "20" }), {
            ...DEFAULTS,
            retryBackoffBaseSeconds: 10,
            retryBackoffMaxSeconds: 20,
        });
    });

    it("backoff keys name SQS's limit, less the time the function may take to ask, and the base the cap must reach", () => {
        const why = "(seconds: SQS hides a message at most 43200 s from its receive, and the function asks up to functionTimeoutSeconds + maximumBatchingWindowSeconds = 5 + 0 s after it)";
        assert.deepEqual(problemsOf({ retryBackoffBaseSeconds: "0" }), [
            `order-pipeline:retryBackoffBaseSeconds is 0; allowed: a whole number from 1 to 43195 ${why}`,
        ]);
        assert.deepEqual(problemsOf({ retryBackoffBaseSeconds: "600", retryBackoffMaxSeconds: "500" }), [
            `order-pipeline:retryBackoffMaxSeconds is 500; allowed: a whole number from 600 (retryBackoffBaseSeconds) to 43195 ${why}`,
        ]);
        assert.deepEqual(problemsOf({ retryBackoffMaxSeconds: "43200" }), [
            `order-pipeline:retryBackoffMaxSeconds is 43200; allowed: a whole number from 480 (retryBackoffBaseSeconds) to 43195 ${why}`,
        ]);
        assert.deepEqual(problemsOf({ retryBackoffBaseSeconds: "43200", retryBackoffMaxSeconds: "43200" }), [
            `order-pipeline:retryBackoffBaseSeconds is 43200; allowed: a whole number from 1 to 43195 ${why}`,
            `order-pipeline:retryBackoffMaxSeconds is 43200; allowed: a whole number from 1 to 43195 ${why}`,
        ]);
        assert.deepEqual(
            problemsOf({ retryBackoffMaxSeconds: "43111", functionTimeoutSeconds: "60", maximumBatchingWindowSeconds: "30", queueVisibilityTimeoutSeconds: "390" }),
            [
                "order-pipeline:retryBackoffMaxSeconds is 43111; allowed: a whole number from 6240 (retryBackoffBaseSeconds) to 43110 " +
                    "(seconds: SQS hides a message at most 43200 s from its receive, and the function asks up to functionTimeoutSeconds + maximumBatchingWindowSeconds = 60 + 30 s after it)",
            ],
        );
        assert.deepEqual(problemsOf({ retryBackoffBaseSeconds: "1.5" }), ['order-pipeline:retryBackoffBaseSeconds is "1.5"; it must be a whole number']);
    });

    it("function runtime and log level take the listed values, exactly", () => {
        assert.deepEqual(problemsOf({ functionRuntime: "native", logLevel: "debug" }), [
            'order-pipeline:functionRuntime is "native"; allowed: aot, managed',
            'order-pipeline:logLevel is "debug"; allowed: TRACE, DEBUG, INFO, WARN, ERROR, FATAL',
        ]);
        const managed = load({ functionRuntime: "managed", logLevel: "DEBUG" });
        assert.equal(managed.functionRuntime, "managed");
        assert.equal(managed.logLevel, "DEBUG");
    });

    it("alarm thresholds have ranges, and the lag alarm must lie above the batching window", () => {
        assert.deepEqual(problemsOf({ invalidOrdersAlarmThreshold: "-1", orderLagAlarmSeconds: "0", failedOrdersAlarmThreshold: "1000001" }), [
            "order-pipeline:invalidOrdersAlarmThreshold is -1; allowed: a whole number from 0 to 1000000 (orders in 5 minutes)",
            "order-pipeline:orderLagAlarmSeconds is 0; allowed: a whole number from 1 to 345600 (seconds)",
            "order-pipeline:failedOrdersAlarmThreshold is 1000001; allowed: a whole number from 0 to 1000000 (orders in 5 minutes)",
        ]);
        assert.deepEqual(problemsOf({ orderLagAlarmSeconds: "20", maximumBatchingWindowSeconds: "20", queueVisibilityTimeoutSeconds: "50" }), [
            "order-pipeline:orderLagAlarmSeconds is 20; allowed: a whole number from 21 to 345600 (seconds: more than maximumBatchingWindowSeconds = 20, which a batch waits by design)",
        ]);
        const set = load({ invalidOrdersAlarmThreshold: "5", orderLagAlarmSeconds: "345600", failedOrdersAlarmThreshold: "0" });
        assert.deepEqual([set.invalidOrdersAlarmThreshold, set.orderLagAlarmSeconds, set.failedOrdersAlarmThreshold], [5, 345600, 0]);
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
