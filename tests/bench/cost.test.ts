// The cost model, checked by hand on round numbers.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { costPerMillionOrders, PRICES } from "../../bench/cost";

const close = (actual: number, expected: number) => assert.ok(Math.abs(actual - expected) < 1e-9, `${actual} is not ${expected}`);

describe("cost per million orders", () => {
    it("adds each service's units at its unit price", () => {
        const cost = costPerMillionOrders({ architecture: "arm64", memoryMb: 1024, ordersPerBatch: 10, batchMs: 99.2, logBytesPerOrder: 500, messageBytes: 1000 });
        // 100,000 invocations of 100 ms (rounded up) at 1 GB: 10,000 GB-s.
        close(cost.lambdaCompute, 10_000 * PRICES.lambdaGbSecond.arm64);
        close(cost.lambdaRequests, 100_000 * PRICES.lambdaRequest);
        // 1,000,000 sends + 100,000 receives + 100,000 deletes.
        close(cost.sqs, 1_200_000 * PRICES.sqsRequest);
        close(cost.sns, 0.5);
        close(cost.dynamoDb, 0.625);
        close(cost.logs, 0.5 * 0.5);
        close(cost.xray, 0.5);
        close(cost.total, cost.lambdaCompute + cost.lambdaRequests + cost.sqs + cost.sns + cost.dynamoDb + cost.logs + cost.xray);
    });

    it("counts every 64 KB of a message as one more request", () => {
        const small = costPerMillionOrders({ architecture: "x86_64", memoryMb: 512, ordersPerBatch: 1, batchMs: 10, logBytesPerOrder: 0, messageBytes: 1000 });
        const large = costPerMillionOrders({ architecture: "x86_64", memoryMb: 512, ordersPerBatch: 1, batchMs: 10, logBytesPerOrder: 0, messageBytes: 100 * 1024 });
        close(large.sqs - small.sqs, 2_000_000 * PRICES.sqsRequest);
    });
});
