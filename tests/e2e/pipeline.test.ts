// The local pipeline end to end: SNS → SQS → poller → the published function, run as execution environments
// behind the local Lambda Runtime API → DynamoDB, with real fauxqs and dynalite on free 127.0.0.1 ports.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { ListQueuesCommand } from "@aws-sdk/client-sqs";
import { unwrap } from "../../local/event-source/messages";
import { order, usePipeline, waitUntil } from "./harness";
import { listeningSockets } from "./listeners";

const running = usePipeline();

describe("local pipeline", () => {
    it("listens on 127.0.0.1 only: emulators, Runtime API servers, execution environments, everything it started", () => {
        const pipeline = running();
        const environments = pipeline.environments.current;
        assert.ok(environments.length >= 1, "an execution environment runs from the start");
        const listeners = [...listeningSockets(process.pid), ...pipeline.environments.pids.flatMap((pid) => listeningSockets(pid))];
        const ports = listeners.map((l) => l.port);
        assert.ok(ports.includes(pipeline.servers.sqs.port) && ports.includes(pipeline.servers.dynamodb!.port), JSON.stringify(listeners));
        for (const environment of environments) {
            // AWS_LAMBDA_RUNTIME_API of each environment: its own server, seen listening, on the loopback address.
            const [host, port] = environment.runtimeApi.split(":");
            assert.equal(host, "127.0.0.1", environment.runtimeApi);
            assert.ok(ports.includes(Number(port)), `environment ${environment.id}'s Runtime API ${environment.runtimeApi} is seen: ${JSON.stringify(listeners)}`);
        }
        assert.deepEqual(listeners.filter((l) => l.address !== "127.0.0.1"), []);
    });

    it("stores every valid order once and leaves every malformed one, intact, in the DLQ", async () => {
        const pipeline = running();
        const valid = Array.from({ length: 25 }, (_, i) => order(`E2E-${i}`, { userId: `U${i}`, quantity: i + 1, itemName: `Item ${i} ☕` }));
        const malformed = ["not json", order("E2E-BAD-1", { timestamp: "2025-05-03T12:00:00" }), '{"orderId":"E2E-BAD-2","quantity":1.5}'];
        await Promise.all([...valid, ...malformed].map((message) => pipeline.publish(message)));

        const { resources, settings } = pipeline;
        await waitUntil("25 items are stored and 3 messages are in the DLQ", async () => {
            const [items, dead] = await Promise.all([pipeline.scanItems(), pipeline.depth(resources.deadLetterQueueUrl)]);
            return items.length === valid.length && dead === malformed.length;
        });

        const items = await pipeline.scanItems();
        assert.equal(items.length, 25);
        for (let i = 0; i < 25; i++) {
            const item = items.find((it) => it.orderId?.S === `E2E-${i}`);
            assert.ok(item, `E2E-${i} is missing`);
            assert.equal(item.userId?.S, `U${i}`);
            assert.equal(item.itemName?.S, `Item ${i} ☕`);
            assert.equal(item.quantity?.N, String(i + 1));
            assert.equal(item.status?.S, "new");
            assert.equal(item.timestamp?.S, "2025-05-03T12:00:00.0000000Z");
            assert.match(item.messageId?.S ?? "", /^[0-9a-f-]{36}$/);
        }

        const dead = await pipeline.peek(resources.deadLetterQueueUrl);
        assert.deepEqual(dead.map((m) => unwrap(m.Body!)).sort(), [...malformed].sort(), "DLQ bodies are the published messages, unchanged");
        for (const message of dead) {
            const failures = pipeline.records.filter((r) => r.messageId === message.MessageId);
            assert.equal(failures.length, settings.maxReceiveCount, `${message.MessageId} was tried ${failures.length} times`);
            assert.ok(failures.every((r) => r.outcome === "invalid" && r.reason), "each attempt is logged as invalid, with its reason");
        }

        await waitUntil("the order queue is drained", async () => (await pipeline.depth(resources.queueUrl)) === 0, 30_000);
        const queues = await pipeline.clients.sqs.send(new ListQueuesCommand({}));
        assert.deepEqual(queues.QueueUrls?.sort(), [resources.deadLetterQueueUrl, resources.queueUrl].sort(), "no other queue exists");
    });

    it("the same order twice leaves one item", async () => {
        const pipeline = running();
        await pipeline.publish(order("E2E-DUP"));
        await waitUntil("E2E-DUP is stored", () => pipeline.records.some((r) => r.orderId === "E2E-DUP" && r.outcome === "stored"));
        await pipeline.publish(order("E2E-DUP"));
        await waitUntil("the second E2E-DUP is processed", () => pipeline.records.some((r) => r.orderId === "E2E-DUP" && r.outcome === "duplicate"));

        const items = (await pipeline.scanItems()).filter((it) => it.orderId?.S === "E2E-DUP");
        assert.equal(items.length, 1);
        const first = pipeline.records.find((r) => r.orderId === "E2E-DUP" && r.outcome === "stored")!;
        assert.equal(items[0]!.messageId?.S, first.messageId, "the stored item is the first delivery's");
    });

    it("an older version after a newer one leaves the newer one", async () => {
        const pipeline = running();
        await pipeline.publish(order("E2E-OLD", { status: "shipped", timestamp: "2025-05-03T13:00:00Z" }));
        await waitUntil("the newer E2E-OLD is stored", () => pipeline.records.some((r) => r.orderId === "E2E-OLD" && r.outcome === "stored"));
        await pipeline.publish(order("E2E-OLD", { status: "new", timestamp: "2025-05-03T12:00:00Z" }));
        await waitUntil("the older E2E-OLD is processed", () => pipeline.records.some((r) => r.orderId === "E2E-OLD" && r.outcome === "stale"));

        const item = (await pipeline.scanItems()).find((it) => it.orderId?.S === "E2E-OLD");
        assert.equal(item?.status?.S, "shipped");
        assert.equal(item?.timestamp?.S, "2025-05-03T13:00:00.0000000Z");
    });

    it("a newer version after an older one replaces it", async () => {
        const pipeline = running();
        await pipeline.publish(order("E2E-NEW", { status: "new", timestamp: "2025-05-03T12:00:00Z" }));
        await waitUntil("the older E2E-NEW is stored", () => pipeline.records.some((r) => r.orderId === "E2E-NEW" && r.outcome === "stored"));
        await pipeline.publish(order("E2E-NEW", { status: "shipped", timestamp: "2025-05-03T12:00:00.001Z" }));
        await waitUntil("the newer E2E-NEW is stored", () => pipeline.records.filter((r) => r.orderId === "E2E-NEW" && r.outcome === "stored").length === 2);

        const item = (await pipeline.scanItems()).find((it) => it.orderId?.S === "E2E-NEW");
        assert.equal(item?.status?.S, "shipped");
        assert.equal(item?.timestamp?.S, "2025-05-03T12:00:00.0010000Z");
    });

    it("an execution environment that dies is replaced, and the next order is stored", async () => {
        const pipeline = running();
        const [pid] = pipeline.environments.pids;
        assert.ok(pid);
        process.kill(pid, "SIGKILL");
        await waitUntil("the environment's death is noticed", () => pipeline.notices.some((n) => n.includes(`pid ${pid} exited`)), 30_000);
        assert.ok(!pipeline.environments.pids.includes(pid), "the dead environment is no longer in the pool");
        await pipeline.publish(order("E2E-AFTER-CRASH"));
        await waitUntil("E2E-AFTER-CRASH is stored", () => pipeline.records.some((r) => r.orderId === "E2E-AFTER-CRASH" && r.outcome === "stored"));
        assert.ok(pipeline.environments.pids.length >= 1 && !pipeline.environments.pids.includes(pid), "a new environment served it");
    });

    it("orders published while the table is unreachable are stored once it is back, none lost", async () => {
        const pipeline = running();
        const { resources, servers } = pipeline;
        const before = (await pipeline.scanItems()).length;
        await servers.dynamodb!.suspend();
        const outage = Array.from({ length: 12 }, (_, i) => order(`E2E-OUTAGE-${i}`));
        await Promise.all(outage.map((message) => pipeline.publish(message)));
        await waitUntil("the function has failed on the outage's orders", () => pipeline.records.filter((r) => r.orderId?.startsWith("E2E-OUTAGE-") && r.outcome === "failed").length >= outage.length, 60_000);
        await servers.dynamodb!.resume();

        await waitUntil("every outage order is stored", async () => (await pipeline.scanItems()).length === before + outage.length);
        // A success for each: `stored`, or `duplicate` if an environment replaced mid-write had stored it unlogged.
        const outcomes = () => pipeline.records.filter((r) => r.orderId?.startsWith("E2E-OUTAGE-") && (r.outcome === "stored" || r.outcome === "duplicate"));
        await waitUntil("every outage order's success is logged", () => new Set(outcomes().map((r) => r.orderId)).size === outage.length, 30_000);
        assert.ok(outcomes().every((r) => (r.receiveCount ?? 0) >= 2), "each was stored on a retry, after the visibility timeout");
        await waitUntil("the order queue is drained", async () => (await pipeline.depth(resources.queueUrl)) === 0, 30_000);
        assert.equal(await pipeline.depth(resources.deadLetterQueueUrl), 3, "only the three malformed orders of the first test are in the DLQ");
    });
});
