// Faults on the local pipeline. After each, every published order is either stored (once) or in the DLQ,
// and no order is stored twice.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { SendMessageBatchCommand, SetQueueAttributesCommand } from "@aws-sdk/client-sqs";
import { PROJECT } from "../../infra/config";
import { startFauxqs } from "../../local/emulators/servers";
import { assertNothingLost, order, startTestPipeline, usePipeline, waitUntil } from "./harness";

const running = usePipeline();
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe("faults", () => {
    it("dynalite stopped for 10 s in the middle of a load loses nothing", async () => {
        const pipeline = running();
        const published: Promise<void>[] = [];
        let n = 0;
        // A steady load for 20 s; the table is unreachable from the 5th to the 15th second.
        const load = (async () => {
            for (const end = Date.now() + 20_000; Date.now() < end; await sleep(100)) {
                for (let i = 0; i < 10; i++) published.push(pipeline.publish(order(`F-DDB-${n++}`)));
            }
        })();
        await sleep(5_000);
        await pipeline.servers.dynamodb!.suspend();
        await sleep(10_000);
        await pipeline.servers.dynamodb!.resume();
        await load;
        await Promise.all(published);

        assert.ok(pipeline.records.some((r) => r.orderId?.startsWith("F-DDB-") && r.outcome === "failed"), "the outage was felt");
        await assertNothingLost(pipeline, "F-DDB-", n, 0);
        assert.equal(await pipeline.depth(pipeline.resources.deadLetterQueueUrl), 0);
    });

    it("an execution environment killed in the middle of a batch loses nothing and stores nothing twice", async () => {
        const pipeline = running();
        pipeline.servers.dynamodb!.setLatency(200);
        try {
            await Promise.all(Array.from({ length: 200 }, (_, i) => pipeline.publish(order(`F-KILL-${i}`))));
            await waitUntil("a batch is under way", () => pipeline.records.some((r) => r.orderId?.startsWith("F-KILL-")), 30_000);
            // The pid is read and killed in the same turn: the environment is running an invocation when it dies.
            let victim: number | undefined;
            await waitUntil("an environment is running an invocation", () => (victim = pipeline.environments.busyPids[0]) !== undefined, 30_000);
            process.kill(victim!, "SIGKILL");
            await waitUntil("the crash is noticed", () => pipeline.invocations.some((i) => i.outcome === "crash"), 30_000);
            assert.ok(!pipeline.environments.pids.includes(victim!), "the killed environment is discarded");
        } finally {
            pipeline.servers.dynamodb!.setLatency(0);
        }
        await assertNothingLost(pipeline, "F-KILL-", 200, 0);
        assert.ok(pipeline.records.some((r) => r.orderId?.startsWith("F-KILL-") && (r.receiveCount ?? 0) >= 2), "the crashed batch was delivered again");
    });

    it("a batch in which every record fails is retried whole, then all of it is in the DLQ", async () => {
        const pipeline = running();
        const { clients, resources, settings } = pipeline;
        const before = await pipeline.depth(resources.deadLetterQueueUrl);
        const bodies = Array.from({ length: 10 }, (_, i) => `{"orderId":"F-ALL-${i}","quantity":"many"}`);
        await clients.sqs.send(new SendMessageBatchCommand({ QueueUrl: resources.queueUrl, Entries: bodies.map((b, i) => ({ Id: String(i), MessageBody: b })) }));

        await waitUntil("all ten are in the DLQ", async () => (await pipeline.depth(resources.deadLetterQueueUrl)) === before + 10, 120_000);
        const attempts = pipeline.records.filter((r) => r.orderId?.startsWith("F-ALL-"));
        assert.equal(attempts.length, 10 * settings.maxReceiveCount);
        assert.ok(attempts.every((r) => r.outcome === "invalid"));
        assert.ok(pipeline.invocations.some((i) => i.received > 1 && i.deleted === 0 && i.outcome === "ok"), "an invocation answered with every record failed");
        assert.equal((await pipeline.scanItems()).filter((it) => it.orderId?.S?.startsWith("F-ALL-")).length, 0);
        const dead = (await pipeline.peek(resources.deadLetterQueueUrl)).map((m) => m.Body);
        for (const body of bodies) assert.ok(dead.includes(body), `${body} is not in the DLQ unchanged`);
    });

    it("fauxqs restarted: the runner says what was lost, re-creates the resources, and new orders flow", async () => {
        const pipeline = running();
        const port = pipeline.servers.sqs.port;
        await pipeline.servers.sqs.close();
        await waitUntil("the runner reports the queue unreachable", () => pipeline.notices.some((n) => n.includes("cannot receive from the order queue")), 30_000);
        const restarted = await startFauxqs(port);
        try {
            await waitUntil("the runner re-created the resources", () => pipeline.notices.some((n) => n.includes("resources re-created")), 30_000);
            assert.ok(pipeline.notices.some((n) => n.includes("fauxqs was restarted and lost everything it held in memory")));
            await pipeline.publish(order("F-AFTER-RESTART"));
            await waitUntil("an order published after the restart is stored", () => pipeline.records.some((r) => r.orderId === "F-AFTER-RESTART" && r.outcome === "stored"));
        } finally {
            await restarted.close();
        }
    });
});

describe("faults with a misconfigured queue", () => {
    it("the visibility timeout expiring during a slow batch: the same message handled twice at once, stored once", async () => {
        // Valid stack settings (a long function timeout); then the queue's visibility timeout is cut to 1 s
        // behind the stack's back, as an operator might in the console, and every table call takes 1.5 s.
        const pipeline = await startTestPipeline({
            [`${PROJECT}:functionTimeoutSeconds`]: "10",
            [`${PROJECT}:queueVisibilityTimeoutSeconds`]: "60",
            [`${PROJECT}:maxReceiveCount`]: "10",
        });
        try {
            const { clients, resources } = pipeline;
            await clients.sqs.send(new SetQueueAttributesCommand({ QueueUrl: resources.queueUrl, Attributes: { VisibilityTimeout: "1" } }));
            pipeline.servers.dynamodb!.setLatency(1500);
            await pipeline.publish(order("F-SLOW"));
            // Receive 2 may land on a new execution environment, which first primes against the slow table.
            const handledReceives = () => new Set(pipeline.records.filter((r) => r.orderId === "F-SLOW").map((r) => r.receiveCount));
            await waitUntil("the message's first and second receives are handled", () => handledReceives().has(1) && handledReceives().has(2), 60_000);
            await clients.sqs.send(new SetQueueAttributesCommand({ QueueUrl: resources.queueUrl, Attributes: { VisibilityTimeout: "60" } }));
            pipeline.servers.dynamodb!.setLatency(0);

            await assertNothingLost(pipeline, "F-SLOW", 1, 0);
            const handled = pipeline.records.filter((r) => r.orderId === "F-SLOW");
            // Receives 1 and 2 were both handled (they may finish in either order: a new execution environment primes
            // against the slow table first); exactly one of all the handlings stored the order.
            const receives = handled.map((r) => r.receiveCount ?? 0).sort((a, b) => a - b);
            assert.deepEqual(receives.slice(0, 2), [1, 2], "the second handling began while the first was still writing");
            assert.deepEqual(handled.map((r) => r.outcome).sort(), [...Array(handled.length - 1).fill("duplicate"), "stored"], handled.map((r) => r.outcome).join(", "));
            assert.equal((await pipeline.scanItems()).filter((it) => it.orderId?.S === "F-SLOW").length, 1);
        } finally {
            await pipeline.stop();
        }
    });
});
