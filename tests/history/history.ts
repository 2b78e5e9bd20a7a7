// Generated histories checked against a model, as Jepsen's checkers and FoundationDB's simulation check theirs: a
// seeded history of orders in several versions each (newer, older, equal timestamps with equal and with different
// contents, some published twice), poison among them, publishers running concurrently in shuffled order, and faults at
// seeded points (an execution environment killed mid-batch, the table hanging, refusing or throttling for a while,
// the visibility timeout expiring mid-batch). The checker compares what the pipeline did with a model of what it
// promises: each order's item is the model's winner (the greatest timestamp, then the greatest fingerprint, whatever
// arrived when); each published message has exactly one final outcome in the function's log, after its earlier
// receives; the DLQ holds exactly the poison, byte for byte; nothing is stored that was not published.
import { createHash } from "node:crypto";
import { type AttributeValue } from "@aws-sdk/client-dynamodb";
import { PublishCommand } from "@aws-sdk/client-sns";
import { SetQueueAttributesCommand } from "@aws-sdk/client-sqs";
import { recoveryDelaySeconds } from "../../infra/backoff";
import { PROJECT } from "../../infra/config";
import { unwrap } from "../../local/event-source/messages";
import type { RecordLine } from "../../local/function-log";
import { startTestPipeline, type TestPipeline, waitUntil } from "../e2e/harness";
import { pick, random } from "../random";

// ---- a seeded history (the generator itself: tests/random.ts) ----

function shuffle<T>(next: () => number, items: T[]): T[] {
    for (let i = items.length - 1; i > 0; i--) {
        const j = Math.floor(next() * (i + 1));
        [items[i], items[j]] = [items[j]!, items[i]!];
    }
    return items;
}

// ---- the history ----

/** One version of an order, as stored: its fields, its instant in microseconds, how its timestamp is spelled. */
export interface Version {
    readonly orderId: string;
    readonly userId: string;
    readonly itemName: string;
    readonly quantity: number;
    readonly status: string;
    /** Microseconds since the epoch. */
    readonly micros: number;
    /** The timestamp as the message spells it (several spellings share an instant). */
    readonly timestamp: string;
}

/** One message to publish: a version of an order, or poison. */
export interface Publication {
    /** Its index in the history: two publications of one version are two messages. */
    readonly id: number;
    readonly text: string;
    readonly version?: Version;
    readonly poison: boolean;
}

export type FaultKind = "kill" | "hang" | "refuse" | "throttle" | "visibility";

/** A fault at a point of the publishing (after `after` publications), lasting `seconds` (a kill is instant). */
export interface Fault {
    readonly kind: FaultKind;
    readonly after: number;
    readonly seconds: number;
}

export interface History {
    readonly seed: number;
    /** Every order id of the run starts with it: runs in one pipeline do not meet. */
    readonly prefix: string;
    readonly publications: readonly Publication[];
    readonly faults: readonly Fault[];
}

export interface HistoryOptions {
    readonly orders: number;
    readonly versions: number;
    /** Poison messages per hundred orders. */
    readonly poisonPercent?: number;
    /** Faults to inject; every kind once first, then at random. */
    readonly faults?: number;
}

const STATUSES = ["new", "paid", "packed", "shipped", "payment captured", "cancelled"];
const ITEMS = ["Laptop", "Café crème ☕", "Монитор", "키보드", "Mouse \"pro\"", "Desk\\Lamp"];
/** Ids in the producers' own formats (docs/asyncapi.yaml's examples): the run's prefix, then one of these shapes. */
const ID_SHAPES = [(i: number) => `${i}`, (i: number) => `urn:shop:order/${i}#a`, (i: number) => `${i}@example.com`, (i: number) => `Ω-${i}-ümlaut`, (i: number) => `${i}/😀`];

/** Poison: texts the function must reject on every receive, each unique (so the DLQ can be compared byte for byte). */
const POISON: ReadonlyArray<(tag: string) => string> = [
    (tag) => `not json ${tag}`,
    (tag) => `{"orderId":"${tag}","quantity":"many"}`,
    (tag) => `{"orderId":"${tag}","userId":"U1","itemName":"x","quantity":0,"status":"new","timestamp":"2025-05-03T12:00:00Z"}`,
    (tag) => `{"orderId":"${tag}","userId":"U1","itemName":"x","quantity":1,"status":"new","timestamp":"2025-05-03T12:00:00"}`,
    (tag) => `{"orderId":"${tag}\\u202e","userId":"U1","itemName":"x","quantity":1,"status":"new","timestamp":"2025-05-03T12:00:00Z"}`,
    (tag) => `[{"orderId":"${tag}"}]`,
];

/** The instant in the form the function stores and compares: UTC, seven fraction digits (Order.TimestampUtc). */
export function storedTimestamp(micros: number): string {
    const date = new Date(Math.floor(micros / 1000));
    return `${date.toISOString().slice(0, 19)}.${String(((micros % 1_000_000) + 1_000_000) % 1_000_000).padStart(6, "0")}0Z`;
}

/** The instant spelled as a producer might: Z or an offset, a T or a space, 0, 3 or 6 fraction digits, as it has them. */
function spell(next: () => number, micros: number): string {
    const offsetMinutes = pick(next, [0, 0, 120, -300, 330]);
    const local = new Date(Math.floor(micros / 1000) + offsetMinutes * 60_000).toISOString();
    const fraction = micros % 1_000_000;
    const digits = fraction === 0 ? pick(next, ["", ".000"]) : fraction % 1000 === 0 ? `.${String(fraction / 1000).padStart(3, "0")}` : `.${String(fraction).padStart(6, "0")}`;
    const sign = offsetMinutes < 0 ? "-" : "+";
    const offset = Math.abs(offsetMinutes);
    const zone = offsetMinutes === 0 && next() < 0.5 ? "Z" : `${sign}${String(Math.floor(offset / 60)).padStart(2, "0")}:${String(offset % 60).padStart(2, "0")}`;
    return `${local.slice(0, 10)}${next() < 0.8 ? "T" : " "}${local.slice(11, 19)}${digits}${zone}`;
}

export function orderText(v: Version): string {
    return JSON.stringify({ orderId: v.orderId, userId: v.userId, itemName: v.itemName, quantity: v.quantity, status: v.status, timestamp: v.timestamp });
}

/** A seeded history: `orders` orders of `versions` versions each, poison, and faults at points of the publishing. */
export function generateHistory(seed: number, options: HistoryOptions): History {
    const next = random(seed);
    const prefix = `H${seed.toString(36)}-`;
    const publications: Publication[] = [];
    const base = Date.UTC(2025, 4, 3, 12) * 1000;
    const add = (text: string, version?: Version) => publications.push({ id: publications.length, text, version, poison: version === undefined });
    for (let o = 0; o < options.orders; o++) {
        const orderId = `${prefix}${pick(next, ID_SHAPES)(o)}`;
        const userId = `U${Math.floor(next() * 1000)}`;
        const versions: Version[] = [];
        for (let v = 0; v < options.versions; v++) {
            const earlier = versions.length > 0 ? pick(next, versions) : undefined;
            const r = next();
            let version: Version;
            if (earlier && r < 0.2) {
                // The same instant and contents, spelled another way: the same version (a duplicate when both arrive).
                version = { ...earlier, timestamp: spell(next, earlier.micros) };
            } else if (earlier && r < 0.45) {
                // The same instant, other contents: a conflict that the fingerprint settles.
                version = { ...earlier, quantity: 1 + Math.floor(next() * 9), status: pick(next, STATUSES), timestamp: spell(next, earlier.micros) };
            } else {
                // Newer or older than the others: a few seconds apart, some with fractions.
                const micros = base + Math.floor(next() * 20) * 1_000_000 + (next() < 0.3 ? Math.floor(next() * 1000) * 1000 : 0) + (next() < 0.1 ? Math.floor(next() * 1000) : 0);
                version = { orderId, userId, itemName: pick(next, ITEMS), quantity: 1 + Math.floor(next() * 9), status: pick(next, STATUSES), micros, timestamp: "" };
                version = { ...version, timestamp: spell(next, micros) };
            }
            versions.push(version);
            add(orderText(version), version);
            if (next() < 0.25) add(orderText(version), version); // published twice
        }
    }
    const poison = Math.round((options.orders * (options.poisonPercent ?? 5)) / 100);
    for (let p = 0; p < poison; p++) {
        const text = pick(next, POISON)(`${prefix}P${p}`);
        add(text);
        if (next() < 0.25) add(text);
    }
    shuffle(next, publications);
    const kinds: FaultKind[] = ["kill", "hang", "refuse", "throttle", "visibility"];
    const faults: Fault[] = [];
    const count = options.faults ?? kinds.length;
    for (let f = 0; f < count; f++) {
        const kind = f < kinds.length ? kinds[f]! : pick(next, kinds);
        faults.push({ kind, after: Math.floor(next() * publications.length), seconds: kind === "kill" ? 0 : 2 + Math.floor(next() * 4) });
    }
    faults.sort((a, b) => a.after - b.after);
    return { seed, prefix, publications: publications.map((p, i) => ({ ...p, id: i })), faults };
}

// ---- the model ----

/** The function's fingerprint of a version (Order.ComputeFingerprint): SHA-256 of each stored field's UTF-8 bytes behind a big-endian length. */
export function fingerprint(v: Version): string {
    const hash = createHash("sha256");
    for (const field of [v.orderId, v.userId, v.itemName, String(v.quantity), v.status, storedTimestamp(v.micros)]) {
        const bytes = Buffer.from(field, "utf8");
        const length = Buffer.alloc(4);
        length.writeInt32BE(bytes.length);
        hash.update(length).update(bytes);
    }
    return hash.digest("hex");
}

/** What the model says each order's item is: its version with the greatest stored timestamp, then the greatest fingerprint. */
export function winners(history: Pick<History, "publications">): Map<string, Version> {
    const best = new Map<string, { version: Version; key: string }>();
    for (const p of history.publications) {
        if (!p.version) continue;
        const key = `${storedTimestamp(p.version.micros)}|${fingerprint(p.version)}`;
        const current = best.get(p.version.orderId);
        if (!current || key > current.key) best.set(p.version.orderId, { version: p.version, key });
    }
    return new Map([...best].map(([id, { version }]) => [id, version]));
}

// ---- what the pipeline did ----

export interface Observation {
    /** SNS message id of each publication, by its id. */
    readonly messageIds: ReadonlyMap<number, string>;
    /** The function's record lines of the run. */
    readonly records: readonly RecordLine[];
    /** The table's items whose orderId starts with the prefix, as plain values. */
    readonly items: ReadonlyArray<Record<string, string | number>>;
    /** The order texts of the DLQ's messages (out of their SNS envelope) of the run. */
    readonly deadLetters: readonly string[];
    readonly maxReceiveCount: number;
}

const SUCCESS = new Set(["stored", "duplicate", "stale", "conflict"]);

/** Each way the observation departs from the model, in words; empty when it agrees. */
export function check(history: History, seen: Observation): string[] {
    const problems: string[] = [];
    const bySns = new Map<string, RecordLine[]>();
    for (const r of seen.records) {
        if (r.snsMessageId === undefined) continue;
        let list = bySns.get(r.snsMessageId);
        if (!list) bySns.set(r.snsMessageId, (list = []));
        list.push(r);
    }
    // Each message: its receives, each logged once, ending as its kind must. A valid message ends in a success that
    // deletes it; a receive of it that was still under way then (its visibility timeout expired mid-batch) may log
    // a failure later, which changes nothing. Poison is invalid on each receive it logged, then in the DLQ.
    for (const p of history.publications) {
        const id = seen.messageIds.get(p.id);
        if (id === undefined) {
            problems.push(`publication ${p.id} has no message id: it was not published`);
            continue;
        }
        const receives = [...(bySns.get(id) ?? [])].sort((a, b) => (a.receiveCount ?? 0) - (b.receiveCount ?? 0));
        const what = `message ${id} (${p.poison ? "poison" : `order ${p.version!.orderId}`})`;
        if (receives.length === 0) {
            problems.push(`${what} has no outcome in the function's log`);
            continue;
        }
        const counts = receives.map((r) => r.receiveCount ?? 0);
        if (new Set(counts).size !== counts.length) problems.push(`${what} has two outcomes for one receive: receive counts ${counts.join(", ")}`);
        if (p.poison) {
            // Invalid on each receive it logged. A receive whose environment was killed before it logged anything still
            // counts for SQS, so fewer than maxReceiveCount lines is no problem; that it reached the DLQ intact is
            // checked below, against the DLQ itself.
            if (receives.some((r) => r.outcome !== "invalid")) problems.push(`${what} was not invalid on every receive: ${receives.map((r) => r.outcome).join(", ")}`);
            if (receives.length > seen.maxReceiveCount) problems.push(`${what} was received ${receives.length} times; the DLQ takes it after ${seen.maxReceiveCount}`);
        } else {
            if (!receives.some((r) => SUCCESS.has(r.outcome))) problems.push(`${what} never succeeded: ${receives.map((r) => `${r.outcome}${r.reason ? ` (${r.reason})` : ""}`).join(", ")}`);
            for (const r of receives) if (r.outcome === "invalid") problems.push(`${what} was invalid on receive ${r.receiveCount}: ${r.reason}`);
        }
    }
    // The table: each order's item is the model's winner, and nothing else of the run is there.
    const expected = winners(history);
    const items = new Map(seen.items.map((item) => [String(item.orderId), item]));
    for (const [orderId, v] of expected) {
        const item = items.get(orderId);
        if (!item) {
            problems.push(`order ${orderId} is not in the table; the model stores ${storedTimestamp(v.micros)} ${fingerprint(v).slice(0, 12)}`);
            continue;
        }
        const want = { userId: v.userId, itemName: v.itemName, quantity: v.quantity, status: v.status, timestamp: storedTimestamp(v.micros), fingerprint: fingerprint(v) };
        const got = { userId: item.userId, itemName: item.itemName, quantity: item.quantity, status: item.status, timestamp: item.timestamp, fingerprint: item.fingerprint };
        if (JSON.stringify(got) !== JSON.stringify(want)) problems.push(`order ${orderId} holds ${JSON.stringify(got)}; the model's winner is ${JSON.stringify(want)}`);
    }
    for (const orderId of items.keys()) if (!expected.has(orderId)) problems.push(`order ${orderId} is in the table and was never published`);
    // The DLQ: exactly the poison, byte for byte, as many times as it was published.
    const poison = history.publications.filter((p) => p.poison).map((p) => p.text).sort();
    const dead = [...seen.deadLetters].sort();
    if (JSON.stringify(poison) !== JSON.stringify(dead)) {
        const missing = poison.filter((t) => !dead.includes(t));
        const extra = dead.filter((t) => !poison.includes(t));
        problems.push(`the DLQ holds ${dead.length} messages for ${poison.length} poison: missing ${JSON.stringify(missing.slice(0, 3))}, not poison ${JSON.stringify(extra.slice(0, 3))}`);
    }
    return problems;
}

// ---- running a history ----

/** The settings of a history's pipeline: the tests' fast retries (harness.ts), and room for several faults per message. */
export const HISTORY_SETTINGS: Readonly<Record<string, string>> = {
    // Between two faults the table is healthy for longer than any retry waits (see runHistory), so a message fails at
    // most about once per fault; 6 receives leave room for a kill, a hang and an outage in a row.
    [`${PROJECT}:maxReceiveCount`]: "6",
};

/** Concurrent publishers. */
const PUBLISHERS = 8;

export interface RunReport {
    readonly problems: string[];
    readonly messages: number;
    readonly faults: readonly string[];
    readonly seconds: number;
}

/**
 * Runs a history through a pipeline (one is started when none is given) and checks it against the model. The
 * publications are spread over a span long enough for the faults, which run one after another, each starting when
 * the publishing reaches its point, and never sooner than a healthy gap after the fault before it: longer than the
 * longest backoff delay and the visibility timeout, so that every message a fault fails is retried on a healthy table
 * before the next fault. That is the pipeline's promise (no valid order is dead-lettered by an outage shorter than
 * its tolerance, infra/backoff.ts); faults back to back for minutes would rightly dead-letter valid orders.
 */
export async function runHistory(history: History, given?: TestPipeline, log: (line: string) => void = () => undefined): Promise<RunReport> {
    const started = performance.now();
    const pipeline = given ?? (await startTestPipeline(HISTORY_SETTINGS, undefined, { tableFault: "pass" }));
    const recordsBefore = pipeline.records.length;
    const faultsDone: string[] = [];
    /** Ends the fault schedule early when the run fails before it is over (a publish refused, say). */
    const abort = new AbortController();
    let faults: Promise<void> = Promise.resolve();
    try {
        if (!pipeline.tableProxy) throw new Error("a history needs the proxy in front of the table (tableFault)");
        const messageIds = new Map<number, string>();
        const total = history.publications.length;
        const gapMs = (Math.max(recoveryDelaySeconds(pipeline.settings), pipeline.settings.queueVisibilityTimeoutSeconds) + 1) * 1000;
        const spanMs = Math.max(3_000, history.faults.reduce((sum, f) => sum + f.seconds * 1000 + gapMs, 0) * 1.1);
        const t0 = Date.now();
        const at = (point: number) => t0 + (total === 0 ? 0 : (point / total) * spanMs);
        faults = (async () => {
            let healthySince = t0 - gapMs;
            for (const fault of history.faults) {
                await sleep(Math.max(at(fault.after), healthySince + gapMs) - Date.now(), abort.signal);
                if (abort.signal.aborted) return;
                const what = `${fault.kind}${fault.seconds ? ` ${fault.seconds} s` : ""} at ${((Date.now() - t0) / 1000).toFixed(1)} s`;
                const outcome = await injectFault(pipeline, fault);
                healthySince = Date.now();
                faultsDone.push(`${what}${outcome ? ` (${outcome})` : ""}`);
                log(`fault: ${faultsDone.at(-1)}`);
            }
        })();
        // Awaited once the publishing ends; until then a failing fault must not count as an unhandled rejection.
        faults.catch(() => undefined);
        let next = 0;
        await Promise.all(
            Array.from({ length: PUBLISHERS }, async () => {
                for (let i = next++; i < total; i = next++) {
                    await sleep(at(i) - Date.now());
                    const p = history.publications[i]!;
                    const answer = await pipeline.clients.sns.send(new PublishCommand({ TopicArn: pipeline.resources.topicArn, Message: p.text }));
                    messageIds.set(p.id, answer.MessageId!);
                }
            }),
        );
        await faults;
        const maxReceiveCount = pipeline.settings.maxReceiveCount;
        const ours = () => pipeline.records.slice(recordsBefore);
        const ids = new Set(messageIds.values());
        const poisonIds = new Set(history.publications.filter((p) => p.poison).map((p) => messageIds.get(p.id)!));
        // Settled: every valid message has succeeded and the order queue is empty (so the poison has left it: a message
        // leaves only by a delete, after a success, or to the DLQ). A history that does not settle is checked as it
        // stands, and the checker says why.
        await waitUntil("the history settles", async () => {
            const succeeded = new Set<string>();
            for (const r of ours()) if (r.snsMessageId && ids.has(r.snsMessageId) && SUCCESS.has(r.outcome)) succeeded.add(r.snsMessageId);
            for (const id of ids) if (!poisonIds.has(id) && !succeeded.has(id)) return false;
            return (await pipeline.depth(pipeline.resources.queueUrl)) === 0;
        }, 300_000).catch((error: Error) => log(`not settled: ${error.message}`));
        const items = (await pipeline.scanItems()).filter((item) => item.orderId?.S?.startsWith(history.prefix)).map((item) => plain(item));
        const deadLetters = (await pipeline.peek(pipeline.resources.deadLetterQueueUrl)).map((m) => unwrap(m.Body ?? "")).filter((text) => text.includes(history.prefix));
        const problems = check(history, { messageIds, records: ours(), items, deadLetters, maxReceiveCount });
        return { problems, messages: total, faults: faultsDone, seconds: (performance.now() - started) / 1000 };
    } finally {
        abort.abort();
        await faults.catch(() => undefined);
        if (!given) await pipeline.stop();
    }
}

function plain(item: Record<string, AttributeValue>): Record<string, string | number> {
    return Object.fromEntries(Object.entries(item).map(([k, v]) => [k, v.N !== undefined ? Number(v.N) : (v.S ?? JSON.stringify(v))]));
}

/** Waits `ms`, or less when `signal` aborts first. */
const sleep = (ms: number, signal?: AbortSignal) =>
    new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, Math.max(0, ms));
        signal?.addEventListener("abort", () => {
            clearTimeout(timer);
            resolve();
        }, { once: true });
    });

/**
 * One fault, from its start to its end: a kill of a busy environment, the table's proxy in a mode for a while, or a
 * short visibility timeout with a slow table. What happened, when it is not what was asked.
 */
async function injectFault(pipeline: TestPipeline, fault: Fault): Promise<string | undefined> {
    switch (fault.kind) {
        case "kill": {
            // The pid is read and killed in one turn, so the environment is running an invocation when it dies.
            const deadline = Date.now() + 10_000;
            while (Date.now() < deadline) {
                const victim = pipeline.environments.busyPids[0];
                if (victim !== undefined) {
                    process.kill(victim, "SIGKILL");
                    return `process ${victim}`;
                }
                await sleep(2);
            }
            return "no invocation under way within 10 s: nothing killed";
        }
        case "hang":
        case "refuse":
        case "throttle":
            await pipeline.tableProxy!.setMode(fault.kind);
            await sleep(fault.seconds * 1000);
            await pipeline.tableProxy!.setMode("pass");
            return undefined;
        case "visibility": {
            // Batches outlive a 1 s visibility timeout while the table answers slowly: their messages are received
            // again by another environment while the first still works on them.
            const queue = { QueueUrl: pipeline.resources.queueUrl };
            try {
                pipeline.servers.dynamodb!.setLatency(300);
                await pipeline.clients.sqs.send(new SetQueueAttributesCommand({ ...queue, Attributes: { VisibilityTimeout: "1" } }));
                await sleep(fault.seconds * 1000);
            } finally {
                await pipeline.clients.sqs.send(new SetQueueAttributesCommand({ ...queue, Attributes: { VisibilityTimeout: String(pipeline.settings.queueVisibilityTimeoutSeconds) } }));
                pipeline.servers.dynamodb!.setLatency(0);
            }
            return undefined;
        }
    }
}

// ---- cutting a failing history down ----

/**
 * The smallest history that still fails, found by cutting (delta debugging, Zeller's ddmin): the faults one at a
 * time, then whole orders (every version of one, or one poison text) in halves, quarters, …, then single
 * publications, keeping each cut that still fails. `fails` runs a candidate; at most `budget` runs are made.
 */
export async function shrink(history: History, fails: (candidate: History) => Promise<boolean>, budget = 12): Promise<{ history: History; runs: number }> {
    let best = history;
    let runs = 0;
    const attempt = async (candidate: History): Promise<boolean> => {
        if (runs >= budget) return false;
        runs++;
        if (await fails(candidate)) {
            best = candidate;
            return true;
        }
        return false;
    };
    /** A candidate with only the publications `keep` accepts; fault points scaled to the shorter history. */
    const keeping = (keep: (p: Publication) => boolean): History => {
        const publications = best.publications.filter(keep);
        const scale = publications.length / Math.max(1, best.publications.length);
        return { ...best, publications, faults: best.faults.map((f) => ({ ...f, after: Math.floor(f.after * scale) })) };
    };
    /** ddmin over the units `unitOf` groups the publications into. */
    const cut = async (unitOf: (p: Publication) => string) => {
        let parts = 2;
        for (;;) {
            const units = [...new Set(best.publications.map(unitOf))];
            if (units.length < 2 || runs >= budget) return;
            const size = Math.ceil(units.length / parts);
            let cutOne = false;
            for (let start = 0; start < units.length && runs < budget; start += size) {
                const removed = new Set(units.slice(start, start + size));
                if (await attempt(keeping((p) => !removed.has(unitOf(p))))) {
                    cutOne = true;
                    break;
                }
            }
            if (cutOne) parts = Math.max(parts - 1, 2);
            else if (size === 1) return;
            else parts = Math.min(parts * 2, units.length);
        }
    };
    for (let i = best.faults.length - 1; i >= 0 && runs < budget; i--) {
        await attempt({ ...best, faults: best.faults.filter((_, j) => j !== i) });
    }
    await cut((p) => p.version?.orderId ?? p.text);
    await cut((p) => String(p.id));
    return { history: best, runs };
}

/** A history in a few lines: what to read when it fails. */
export function describeHistory(history: History): string {
    const lines = [
        `seed ${history.seed}: ${history.publications.length} messages (${history.publications.filter((p) => p.poison).length} poison), faults: ${history.faults.map((f) => `${f.kind}${f.seconds ? ` ${f.seconds} s` : ""} after ${f.after}`).join(", ") || "none"}`,
    ];
    for (const p of history.publications.slice(0, 40)) lines.push(`  ${p.id}: ${p.text}`);
    if (history.publications.length > 40) lines.push(`  … ${history.publications.length - 40} more`);
    return lines.join("\n");
}
