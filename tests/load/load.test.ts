// 10,000 orders published concurrently through the local pipeline: all stored, none in the DLQ, none
// written twice. Prints the wall time; asserts nothing about speed.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { assertNothingLost, order, usePipeline, waitUntil } from "../e2e/harness";

const ORDERS = 10_000;
const PUBLISHERS = 50;
const running = usePipeline();

describe("load", () => {
    it(`${ORDERS} orders published concurrently are all stored once, none in the DLQ`, async () => {
        const pipeline = running();
        const started = performance.now();
        let next = 0;
        await Promise.all(
            Array.from({ length: PUBLISHERS }, async () => {
                for (let i = next++; i < ORDERS; i = next++) await pipeline.publish(order(`L-${i}`, { quantity: (i % 100) + 1 }));
            }),
        );
        const published = performance.now();
        await waitUntil(`${ORDERS} items are stored`, async () => (await pipeline.scanItems()).length === ORDERS, 600_000);
        const stored = performance.now();

        await assertNothingLost(pipeline, "L-", ORDERS, 0);
        assert.equal(await pipeline.depth(pipeline.resources.deadLetterQueueUrl), 0);
        console.log(
            `load: ${ORDERS} orders published in ${((published - started) / 1000).toFixed(1)} s, all stored after ` +
                `${((stored - started) / 1000).toFixed(1)} s (${Math.round(ORDERS / ((stored - started) / 1000))} orders/s), ` +
                `${pipeline.invocations.length} invocations, ${pipeline.notices.length} notices${pipeline.notices.length ? `: ${pipeline.notices.slice(0, 3).join(" | ")}` : ""}`,
        );
    });
});
