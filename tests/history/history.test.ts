// Generated histories against the model: the checker itself (it must see each kind of departure), the cutting down
// of a failing history, and two histories through the real local pipeline with faults: one with a fixed seed, one
// with a fresh seed (printed, so that a failure can be rerun: npm run check:history -- --seed S …).
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { RecordLine } from "../../local/function-log";
import { check, describeHistory, fingerprint, generateHistory, type History, type Observation, runHistory, shrink, storedTimestamp, winners } from "./history";

/** What a pipeline that keeps every promise would leave: one success per valid message, the winners, the poison in the DLQ. */
function faithful(history: History, maxReceiveCount = 6): Observation {
    const messageIds = new Map(history.publications.map((p) => [p.id, `sns-${p.id}`]));
    const records: RecordLine[] = [];
    for (const p of history.publications) {
        const base = { kind: "record" as const, messageId: `sqs-${p.id}`, snsMessageId: `sns-${p.id}`, durationMs: 1 };
        if (p.poison) for (let n = 1; n <= maxReceiveCount; n++) records.push({ ...base, outcome: "invalid", reason: "bad", receiveCount: n });
        else records.push({ ...base, outcome: "stored", orderId: p.version!.orderId, receiveCount: 1 });
    }
    const items = [...winners(history).values()].map((v) => ({
        orderId: v.orderId,
        userId: v.userId,
        itemName: v.itemName,
        quantity: v.quantity,
        status: v.status,
        timestamp: storedTimestamp(v.micros),
        fingerprint: fingerprint(v),
        messageId: "sqs-x",
    }));
    return { messageIds, records, items, deadLetters: history.publications.filter((p) => p.poison).map((p) => p.text), maxReceiveCount };
}

describe("the history checker", () => {
    const history = generateHistory(7, { orders: 6, versions: 4, poisonPercent: 50, faults: 0 });

    it("generates the same history from the same seed, and another from another", () => {
        assert.deepEqual(generateHistory(7, { orders: 6, versions: 4, poisonPercent: 50, faults: 0 }), history);
        assert.notDeepEqual(generateHistory(8, { orders: 6, versions: 4, poisonPercent: 50, faults: 0 }).publications, history.publications);
        assert.ok(history.publications.some((p) => p.poison));
        // Equal instants spelled differently, with equal and with different contents.
        const versions = history.publications.flatMap((p) => (p.version ? [p.version] : []));
        assert.ok(versions.some((a) => versions.some((b) => a.micros === b.micros && a.timestamp !== b.timestamp)), "an instant spelled two ways");
    });

    it("computes the stored timestamp as the function does: UTC, seven fraction digits", () => {
        assert.equal(storedTimestamp(Date.UTC(2025, 4, 3, 12) * 1000), "2025-05-03T12:00:00.0000000Z");
        assert.equal(storedTimestamp(Date.UTC(2025, 4, 3, 12) * 1000 + 123_456), "2025-05-03T12:00:00.1234560Z");
    });

    it("finds nothing wrong with a faithful outcome", () => {
        assert.deepEqual(check(history, faithful(history)), []);
    });

    it("sees an item that is not the winner, a missing item, and an item never published", () => {
        const seen = faithful(history);
        const [first, second] = seen.items;
        const loser = history.publications.find((p) => p.version !== undefined && p.version.orderId === first!.orderId && fingerprint(p.version) !== first!.fingerprint)!.version!;
        const wrong = { ...seen, items: [{ ...first!, quantity: loser.quantity, status: loser.status, timestamp: storedTimestamp(loser.micros), fingerprint: fingerprint(loser) }, ...seen.items.slice(2), { ...second!, orderId: `${history.prefix}stranger` }] };
        const problems = check(history, wrong);
        assert.ok(problems.some((p) => p.startsWith(`order ${first!.orderId} holds`) && p.includes("the model's winner is")), problems.join("\n"));
        assert.ok(problems.some((p) => p.startsWith(`order ${second!.orderId} is not in the table`)), problems.join("\n"));
        assert.ok(problems.some((p) => p === `order ${history.prefix}stranger is in the table and was never published`), problems.join("\n"));
    });

    it("sees a message without an outcome, a receive logged twice, a valid order that never succeeded, poison stored", () => {
        const seen = faithful(history);
        const valid = history.publications.filter((p) => !p.poison);
        const poison = history.publications.find((p) => p.poison)!;
        const records = seen.records
            .filter((r) => r.snsMessageId !== `sns-${valid[0]!.id}`)
            .map((r) => (r.snsMessageId === `sns-${valid[1]!.id}` ? { ...r, outcome: "failed" as const } : r))
            .concat([{ ...seen.records.find((r) => r.snsMessageId === `sns-${valid[2]!.id}`)! }]);
        const poisonRecords = records.map((r) => (r.snsMessageId === `sns-${poison.id}` && r.receiveCount === 6 ? { ...r, outcome: "stored" as const } : r));
        const problems = check(history, { ...seen, records: poisonRecords });
        assert.ok(problems.some((p) => p.startsWith(`message sns-${valid[0]!.id} `) && p.endsWith("has no outcome in the function's log")), problems.join("\n"));
        assert.ok(problems.some((p) => p.startsWith(`message sns-${valid[1]!.id} `) && p.includes("never succeeded")), problems.join("\n"));
        assert.ok(problems.some((p) => p.startsWith(`message sns-${valid[2]!.id} `) && p.includes("two outcomes for one receive")), problems.join("\n"));
        assert.ok(problems.some((p) => p.startsWith(`message sns-${poison.id} (poison) was not invalid on every receive`)), problems.join("\n"));
    });

    it("sees the DLQ holding other than exactly the poison, byte for byte", () => {
        const seen = faithful(history);
        const changed = [`${seen.deadLetters[0]} `, ...seen.deadLetters.slice(1)];
        const problems = check(history, { ...seen, deadLetters: changed });
        assert.ok(problems.some((p) => p.startsWith("the DLQ holds")), problems.join("\n"));
        assert.ok(check(history, { ...seen, deadLetters: seen.deadLetters.slice(1) }).some((p) => p.startsWith("the DLQ holds")));
    });
});

describe("cutting a failing history down", () => {
    it("keeps only what the failure needs", async () => {
        const history = generateHistory(11, { orders: 20, versions: 3, faults: 5 });
        const culprit = history.publications[17]!;
        // A stand-in for a run: it "fails" whenever the culprit is published while the table hangs.
        const fails = async (h: History) => h.publications.some((p) => p.id === culprit.id) && h.faults.some((f) => f.kind === "hang");
        const { history: smallest, runs } = await shrink(history, fails, 200);
        assert.deepEqual(smallest.publications.map((p) => p.id), [culprit.id]);
        assert.deepEqual(smallest.faults.map((f) => f.kind), ["hang"]);
        assert.ok(runs <= 200);
        assert.match(describeHistory(smallest), /^seed 11: 1 messages \(\d poison\), faults: hang \d s after 0\n {2}\d+: /);
    });

    it("stops at its budget of runs", async () => {
        const history = generateHistory(12, { orders: 20, versions: 3, faults: 5 });
        let calls = 0;
        const { runs } = await shrink(history, async () => (calls++, true), 4);
        assert.equal(runs, 4);
        assert.equal(calls, 4);
    });
});

describe("histories through the local pipeline, with faults", () => {
    const runOne = async (seed: number) => {
        const options = { orders: 12, versions: 3, faults: 5, poisonPercent: 20 };
        console.log(`history seed ${seed}: npm run check:history -- --seed ${seed} --orders ${options.orders} --versions ${options.versions} --faults ${options.faults} --poison ${options.poisonPercent}`);
        const history = generateHistory(seed, options);
        const report = await runHistory(history, undefined, (line) => console.log(`  ${line}`));
        console.log(`  ${report.messages} messages, faults: ${report.faults.join("; ")}; ${report.seconds.toFixed(0)} s`);
        assert.deepEqual(report.problems, [], describeHistory(history));
        assert.equal(report.faults.length, 5);
    };

    it("a fixed seed", async () => {
        await runOne(20261206);
    });

    it("a fresh seed", async () => {
        await runOne(Math.floor(Math.random() * 2 ** 32));
    });
});
