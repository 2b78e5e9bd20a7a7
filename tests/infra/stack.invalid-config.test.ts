// A bad config fails with every problem at once, as `pulumi preview` would show it, before any resource exists: the
// settings the program loads (loadSettings) for the component. That the program itself fails: program.test.ts.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { ConfigError } from "../../infra/config";
import { buildStack } from "./mock-stack";

describe("stack with a bad config", () => {
    it("fails with every bad key, its value and the allowed values, and creates nothing", async () => {
        const error = await buildStack("dev", {
            "order-pipeline:queueVisibilityTimeoutSeconds": "20",
            "order-pipeline:batchSize": "11",
            "order-pipeline:logRetentionDays": "10",
            "order-pipeline:functionArchitecture": "x86",
            "order-pipeline:batchsize": "5",
            "order-pipeline:functionRuntime": "jit",
            "order-pipeline:logLevel": "verbose",
            "order-pipeline:retryBackoffMaxSeconds": "100",
            "order-pipeline:orderLagAlarmSeconds": "0",
        }).then(
            () => undefined,
            (e: unknown) => e,
        );
        assert.ok(error instanceof ConfigError, String(error));
        assert.equal(
            error.message,
            [
                "invalid stack configuration:",
                "  - order-pipeline:batchsize is not a setting of this stack; known keys: functionRuntime, functionArchitecture, functionMemoryMb, functionTimeoutSeconds, " +
                    "queueVisibilityTimeoutSeconds, maxReceiveCount, retryBackoffBaseSeconds, retryBackoffMaxSeconds, batchSize, maximumBatchingWindowSeconds, " +
                    "maximumConcurrency, rawMessageDelivery, logLevel, logRetentionDays, deletionProtection, queueAgeAlarmSeconds, invalidOrdersAlarmThreshold, " +
                    "orderLagAlarmSeconds, failedOrdersAlarmThreshold, alarmEmail",
                '  - order-pipeline:functionRuntime is "jit"; allowed: aot, managed',
                '  - order-pipeline:functionArchitecture is "x86"; allowed: arm64, x86_64',
                // Pulumi.dev.yaml sets the base (480): the cap set below it is the problem.
                "  - order-pipeline:retryBackoffMaxSeconds is 100; allowed: a whole number from 480 (retryBackoffBaseSeconds) to 43195 " +
                    "(seconds: SQS hides a message at most 43200 s from its receive, and the function asks up to functionTimeoutSeconds + maximumBatchingWindowSeconds = 5 + 0 s after it)",
                "  - order-pipeline:batchSize is 11; allowed: a whole number from 1 to 10 without a batching window (maximumBatchingWindowSeconds 0)",
                '  - order-pipeline:logLevel is "verbose"; allowed: TRACE, DEBUG, INFO, WARN, ERROR, FATAL',
                "  - order-pipeline:logRetentionDays is 10; allowed: 1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653",
                "  - order-pipeline:orderLagAlarmSeconds is 0; allowed: a whole number from 1 to 345600 (seconds)",
                "  - order-pipeline:queueVisibilityTimeoutSeconds is 20; it must be at least 6 × functionTimeoutSeconds + maximumBatchingWindowSeconds = 6 × 5 + 0 = 30: raise queueVisibilityTimeoutSeconds, or lower functionTimeoutSeconds or maximumBatchingWindowSeconds",
            ].join("\n"),
        );
    });
});
