// A sample of tests/corpus/messages.json through the local pipeline: valid cases become the items they
// name, invalid ones end in the DLQ unchanged, with the reason the corpus gives logged for them.
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { describe, it } from "node:test";
import { SendMessageCommand } from "@aws-sdk/client-sqs";
import { repositoryRoot } from "../../infra/repository";
import { unwrap } from "../../local/event-source/messages";
import { order, usePipeline, waitUntil } from "./harness";

interface CorpusCase {
    readonly name: string;
    readonly order?: string;
    readonly body?: string;
    readonly generate?: unknown;
    readonly expect: "stored" | "invalid";
    readonly item?: Record<string, string | number>;
    readonly reason?: string;
    readonly reasonStartsWith?: string;
}

const corpus = JSON.parse(fs.readFileSync(path.join(repositoryRoot, "tests", "corpus", "messages.json"), "utf8")) as { cases: CorpusCase[] };

/** What is sent: an order through SNS (with its own orderId, so valid cases do not collide), or a body straight to SQS. */
interface Sent {
    readonly case: CorpusCase;
    readonly message: string;
    readonly via: "sns" | "sqs";
    readonly orderId?: string;
}

function sample(): Sent[] {
    const sent: Sent[] = [];
    corpus.cases.forEach((c, index) => {
        if (c.generate !== undefined) return;
        if (c.body !== undefined) {
            // SQS refuses an empty body, so that case exists only for the function's own tests.
            if (c.expect === "invalid" && c.body !== "") sent.push({ case: c, message: c.body, via: "sqs" });
            return;
        }
        if (c.expect === "invalid" && index % 3 !== 0) return;
        const orderId = `S${index}`;
        const renamed = c.order!.includes('"orderId":"C1"') ? c.order!.replace('"orderId":"C1"', `"orderId":"${orderId}"`) : c.order!;
        const expectedId = renamed === c.order ? (c.item?.orderId as string | undefined) : orderId;
        sent.push({ case: c, message: renamed, via: "sns", orderId: expectedId });
    });
    return sent;
}

const running = usePipeline();

describe("corpus through the local pipeline", () => {
    it("valid cases become their items, invalid ones reach the DLQ intact with their reason", async () => {
        const pipeline = running();
        const sent = sample();
        const valid = sent.filter((s) => s.case.expect === "stored");
        const invalid = sent.filter((s) => s.case.expect === "invalid");
        assert.ok(valid.length >= 15 && invalid.length >= 20, `sample of ${valid.length} valid and ${invalid.length} invalid cases`);

        const { clients, resources } = pipeline;
        for (const s of sent) {
            if (s.via === "sns") await pipeline.publish(s.message);
            else await clients.sqs.send(new SendMessageCommand({ QueueUrl: resources.queueUrl, MessageBody: s.message }));
        }

        await waitUntil(`${valid.length} items are stored and ${invalid.length} messages are in the DLQ`, async () => {
            const [items, dead] = await Promise.all([pipeline.scanItems(), pipeline.depth(resources.deadLetterQueueUrl)]);
            return items.length === valid.length && dead === invalid.length;
        });

        const items = await pipeline.scanItems();
        for (const s of valid) {
            const item = items.find((it) => it.orderId?.S === s.orderId);
            assert.ok(item, `${s.case.name}: no item ${s.orderId}`);
            const expected = { ...s.case.item!, orderId: s.orderId! };
            assert.deepEqual(
                {
                    orderId: item.orderId?.S,
                    userId: item.userId?.S,
                    itemName: item.itemName?.S,
                    quantity: Number(item.quantity?.N),
                    status: item.status?.S,
                    timestamp: item.timestamp?.S,
                },
                expected,
                s.case.name,
            );
        }

        const dead = await pipeline.peek(resources.deadLetterQueueUrl);
        for (const s of invalid) {
            const message = dead.find((m) => (s.via === "sqs" ? m.Body === s.message : unwrap(m.Body!) === s.message));
            assert.ok(message, `${s.case.name}: not in the DLQ unchanged`);
            const logged = pipeline.records.filter((r) => r.messageId === message.MessageId);
            assert.ok(logged.length > 0, `${s.case.name}: nothing logged`);
            for (const record of logged) {
                assert.equal(record.outcome, "invalid", s.case.name);
                if (s.case.reason !== undefined) assert.equal(record.reason, s.case.reason, s.case.name);
                else assert.ok(record.reason?.startsWith(s.case.reasonStartsWith!), `${s.case.name}: ${record.reason}`);
            }
        }
    });

    it("two versions with the same timestamp end as the same item in either arrival order", async () => {
        const pipeline = running();
        const at = "2025-05-03T12:00:00Z";
        const versions = ["paid", "cancelled"];
        // X gets them in one order, Y in the other; each waits for the first to be stored, so the order is the one published.
        for (const [orderId, statuses] of [["E2E-CONFLICT-X", versions], ["E2E-CONFLICT-Y", [...versions].reverse()]] as const) {
            await pipeline.publish(order(orderId, { status: statuses[0]!, timestamp: at }));
            await waitUntil(`${orderId} is stored`, () => pipeline.records.some((r) => r.orderId === orderId && r.outcome === "stored"));
            await pipeline.publish(order(orderId, { status: statuses[1]!, timestamp: at }));
            await waitUntil(`${orderId}'s second version is settled`, () => pipeline.records.some((r) => r.orderId === orderId && r.outcome === "conflict"));
        }

        const items = (await pipeline.scanItems()).filter((it) => it.orderId?.S?.startsWith("E2E-CONFLICT-"));
        assert.equal(items.length, 2);
        const [x, y] = ["E2E-CONFLICT-X", "E2E-CONFLICT-Y"].map((id) => items.find((it) => it.orderId?.S === id)!);
        assert.equal(x!.status?.S, y!.status?.S, "the same version is kept whatever the arrival order");
        assert.equal(x!.fingerprint?.S !== undefined, true, "the stored item carries its fingerprint");
        const conflicts = pipeline.records.filter((r) => r.orderId?.startsWith("E2E-CONFLICT-") && r.outcome === "conflict");
        for (const c of conflicts) {
            assert.match(c.fingerprint ?? "", /^[0-9a-f]{64}$/, "this version's fingerprint is logged");
            assert.match(c.storedFingerprint ?? "", /^[0-9a-f]{64}$/, "the other version's fingerprint is logged");
            assert.notEqual(c.fingerprint, c.storedFingerprint);
        }
        // The kept version is the greater fingerprint: one arrival order replaced, the other kept.
        assert.deepEqual(conflicts.map((c) => c.kept).sort(), ["the stored version", "this version"]);
        const keptFingerprints = new Set(conflicts.map((c) => (c.fingerprint! > c.storedFingerprint! ? c.fingerprint : c.storedFingerprint)));
        assert.deepEqual([...keptFingerprints].sort(), [x!.fingerprint!.S, y!.fingerprint!.S].sort());
    });

    it("the EMF documents are valid and count exactly the outcomes the record lines give", async () => {
        const pipeline = running();
        const outcomes = ["stored", "duplicate", "stale", "conflict", "invalid", "failed"] as const;
        const fromRecords = (): Record<string, number> => Object.fromEntries(outcomes.map((o) => [o, pipeline.records.filter((r) => r.outcome === o).length]));
        const fromMetrics = () =>
            Object.fromEntries(outcomes.map((o) => [o, pipeline.metrics.reduce((sum, m) => sum + (m[o[0]!.toUpperCase() + o.slice(1)] as number), 0)]));
        // Each invocation's record lines come before its EMF document: wait until they agree.
        await waitUntil("the metrics have caught up with the record lines", () => JSON.stringify(fromMetrics()) === JSON.stringify(fromRecords()), 30_000);
        const counts = fromRecords();
        assert.ok(counts.stored! > 0 && counts.invalid! > 0 && counts.conflict! > 0, JSON.stringify(counts));
        assert.equal(pipeline.metrics.reduce((sum, m) => sum + (m.BatchSize as number), 0), pipeline.records.length, "BatchSize sums to the records handled");
        for (const m of pipeline.metrics) {
            const directive = (m._aws as { CloudWatchMetrics: Array<{ Namespace: string; Dimensions: string[][]; Metrics: Array<{ Name: string; Unit: string }> }> }).CloudWatchMetrics[0]!;
            assert.equal(directive.Namespace, "OrderPipeline");
            assert.deepEqual(directive.Dimensions, [["FunctionName"]]);
            assert.equal(m.FunctionName, pipeline.resources.functionName, "the dimension is this stack's function");
            for (const metric of directive.Metrics) assert.notEqual(m[metric.Name], undefined, `${metric.Name} declared and present`);
            assert.equal(typeof m.requestId, pipeline.settings.functionRuntime === "aot" ? "string" : "undefined", "the request id, where the runtime knows it");
        }
    });
});
