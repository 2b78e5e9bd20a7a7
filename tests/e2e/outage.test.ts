// The DLQ is for poison, not for outages: with the table unreachable (connections hanging, then refused) or
// throttling for longer than maxReceiveCount × the visibility timeout, every valid order published meanwhile is
// stored once the table is back, none reaches the dead-letter queue, and poison published at the same time still
// reaches it, intact, within (maxReceiveCount + 1) × the visibility timeout. The table sits behind a proxy of the
// runner's (local/emulators/table-proxy.ts) that npm run local reaches through --dynamodb-endpoint.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { outageToleranceSeconds, recoveryDelaySeconds } from "../../infra/backoff";
import { PROJECT } from "../../infra/config";
import { type LocalServer, startDynalite } from "../../local/emulators/servers";
import { unwrap } from "../../local/event-source/messages";
import { startTableProxy, type TableProxy } from "../../local/emulators/table-proxy";
import { assertNothingLost, order, startTestPipeline, type TestPipeline, waitUntil } from "./harness";

/** The test settings (harness FAST_RETRIES: timeout 2 s, visibility 12 s, 3 receives) with a backoff that outlasts a 40 s outage. */
const BACKOFF: Readonly<Record<string, string>> = {
    [`${PROJECT}:retryBackoffBaseSeconds`]: "24",
    [`${PROJECT}:retryBackoffMaxSeconds`]: "32",
};
const VISIBILITY_S = 12;
const RECEIVES = 3;
/** Longer than maxReceiveCount × the visibility timeout (36 s): without backoff, every order in it would be dead-lettered. */
const OUTAGE_MS = 40_000;

const POISON = '{"orderId":"POISON","userId":"U1","itemName":"x","quantity":0,"status":"new","timestamp":"2025-05-03T12:00:00Z"}';

describe("a dependency's bad minute", () => {
    let dynalite: LocalServer;
    let proxy: TableProxy;
    let pipeline: TestPipeline;

    before(async () => {
        dynalite = await startDynalite(0);
        proxy = await startTableProxy(dynalite.endpoint);
        pipeline = await startTestPipeline(BACKOFF, proxy.endpoint);
        const tolerance = outageToleranceSeconds(pipeline.settings);
        assert.ok(tolerance * 1000 > OUTAGE_MS, `the test's outage (${OUTAGE_MS} ms) is within the tolerance (${tolerance} s)`);
    });

    after(async () => {
        await pipeline?.stop();
        await proxy?.stop();
        await dynalite?.close();
    });

    /** Publishes valid orders and poison while `outage` runs; checks where each ended up. */
    async function rehearse(prefix: string, outage: () => Promise<void>): Promise<void> {
        const valid = 12;
        const published = new Map<string, number>();
        const sending = (async () => {
            for (let i = 0; i < valid; i++) {
                await pipeline.publish(order(`${prefix}-${i}`));
                if (i % 4 === 3) await pipeline.publish(POISON.replace("POISON", `${prefix}-POISON-${i}`)).then(() => published.set(`${prefix}-POISON-${i}`, Date.now()));
                await new Promise((r) => setTimeout(r, OUTAGE_MS / (valid + 2)));
            }
        })();
        await outage();
        await sending;
        const back = Date.now();

        // Poison: in the DLQ, intact, within (maxReceiveCount + 1) × the visibility timeout of its publish.
        const dead = new Map<string, number>();
        await waitUntil("every poison message is in the DLQ", async () => {
            for (const message of await pipeline.peek(pipeline.resources.deadLetterQueueUrl)) {
                const body = unwrap(message.Body!);
                const id = /"orderId":"([^"]+)"/.exec(body)?.[1];
                if (id && published.has(id) && !dead.has(id)) {
                    dead.set(id, Date.now());
                    assert.equal(body, POISON.replace("POISON", id), "intact");
                }
            }
            return dead.size === published.size;
        }, 120_000);

        // Every valid order stored once, none in the DLQ; within the backoff cap of the table's return.
        await assertNothingLost(pipeline, `${prefix}-`, valid + published.size, published.size);
        const stored = pipeline.records.filter((r) => r.orderId?.startsWith(`${prefix}-`) && r.outcome === "stored");
        assert.ok(pipeline.records.some((r) => r.orderId?.startsWith(`${prefix}-`) && r.outcome === "failed"), "the outage was felt: writes failed");
        const recovered = Date.now() - back;
        assert.ok(recovered <= (recoveryDelaySeconds(pipeline.settings) + 2 * VISIBILITY_S) * 1000, `stored ${recovered} ms after the table's return`);
        assert.equal(new Set(stored.map((r) => r.orderId)).size, valid);
        for (const [id, at] of dead) {
            const sentAt = published.get(id)!;
            // The poison was published during the outage; its three receives come at once (it is released, not delayed).
            assert.ok(at - sentAt <= (RECEIVES + 1) * VISIBILITY_S * 1000, `${id} reached the DLQ ${at - sentAt} ms after its publish`);
        }
    }

    it("the table unreachable for 40 s, half hanging and half refusing: no valid order in the DLQ, poison still there", async () => {
        await rehearse("OUT", async () => {
            await proxy.setMode("hang");
            await new Promise((r) => setTimeout(r, OUTAGE_MS / 2));
            await proxy.setMode("refuse");
            await new Promise((r) => setTimeout(r, OUTAGE_MS / 2));
            await proxy.setMode("pass");
        });
    });

    it("the table throttling every request for 40 s: the same", async () => {
        await rehearse("THR", async () => {
            await proxy.setMode("throttle");
            await new Promise((r) => setTimeout(r, OUTAGE_MS));
            await proxy.setMode("pass");
        });
    });
});
