// `npm run local -- --demo`: the pipeline's promises shown on four orders. Publishes the sample order, the
// same order again, an older version of it and a malformed order through SNS, then shows where each
// ended up. Exits 0 only if each ended where it should.
import { GetItemCommand, ScanCommand } from "@aws-sdk/client-dynamodb";
import { PublishCommand } from "@aws-sdk/client-sns";
import { PROJECT } from "../../infra/config";
import { SAMPLE_ORDER } from "../../infra/sample-order";
import { parseFunctionLog, type RecordLine } from "../function-log";
import { unwrap } from "../event-source/messages";
import { peekQueue, queueDepth } from "../event-source/queues";
import type { LocalPipeline } from "../pipeline";

/**
 * The demo shortens the function timeout to 2 s and so the visibility timeout to 12 s (6 × 2, the stack's
 * own rule), so that the malformed order reaches the DLQ after its 3 receives in about half a minute
 * rather than a minute and a half. Everything else is the stack's config.
 */
export const DEMO_OVERRIDES: Readonly<Record<string, string>> = {
    [`${PROJECT}:functionTimeoutSeconds`]: "2",
    [`${PROJECT}:queueVisibilityTimeoutSeconds`]: "12",
};

const OLDER_VERSION = { ...SAMPLE_ORDER, status: "pending", timestamp: "2025-05-03T11:00:00Z" };
const MALFORMED = '{"orderId":"O-BAD","userId":"U123","itemName":"Laptop","quantity":"one","status":"new"}';

export async function runDemo(
    pipeline: LocalPipeline,
    subscribe: (listener: (line: string) => void) => void,
    print: (line: string) => void,
): Promise<boolean> {
    const { clients, resources, settings } = pipeline;
    const records: RecordLine[] = [];
    const waiters: Array<() => void> = [];
    subscribe((line) => {
        const entry = parseFunctionLog(line);
        if (entry?.kind === "record") {
            records.push(entry);
            for (const wake of waiters.splice(0)) wake();
        }
    });
    const waitForRecord = async (orderId: string, count: number, timeoutMs: number): Promise<RecordLine | undefined> => {
        const deadline = Date.now() + timeoutMs;
        for (;;) {
            const seen = records.filter((r) => r.orderId === orderId);
            if (seen.length >= count) return seen[count - 1];
            if (Date.now() > deadline) return undefined;
            await new Promise<void>((wake) => {
                waiters.push(wake);
                setTimeout(wake, 250);
            });
        }
    };
    const publish = (message: string) => clients.sns.send(new PublishCommand({ TopicArn: resources.topicArn, Message: message }));
    const results: Array<[string, string, boolean]> = [];

    print("\ndemo: 1/4 publishing the sample order");
    await publish(JSON.stringify(SAMPLE_ORDER));
    const first = await waitForRecord(SAMPLE_ORDER.orderId, 1, 30_000);
    results.push(["sample order", `${first?.outcome ?? "not processed"} (expected stored)`, first?.outcome === "stored"]);

    print("demo: 2/4 publishing the same order again (a redelivery)");
    await publish(JSON.stringify(SAMPLE_ORDER));
    const second = await waitForRecord(SAMPLE_ORDER.orderId, 2, 30_000);
    results.push(["same order again", `${second?.outcome ?? "not processed"} (expected duplicate, nothing written)`, second?.outcome === "duplicate"]);

    print("demo: 3/4 publishing an older version of it (status pending, an hour earlier)");
    await publish(JSON.stringify(OLDER_VERSION));
    const third = await waitForRecord(SAMPLE_ORDER.orderId, 3, 30_000);
    results.push(["older version", `${third?.outcome ?? "not processed"} (expected stale, the newer one kept)`, third?.outcome === "stale"]);

    const dlqWaitMs = (settings.maxReceiveCount + 1) * settings.queueVisibilityTimeoutSeconds * 1000 + 30_000;
    print(
        `demo: 4/4 publishing a malformed order; it fails ${settings.maxReceiveCount} times, ` +
            `${settings.queueVisibilityTimeoutSeconds} s apart, then SQS moves it to the DLQ (up to ${Math.round(dlqWaitMs / 1000)} s)`,
    );
    await publish(MALFORMED);
    const dlqBody = await waitForDeadLetter(pipeline, dlqWaitMs);
    const failures = records.filter((r) => r.orderId === "O-BAD");
    const intact = dlqBody !== undefined && unwrap(dlqBody) === MALFORMED;
    results.push([
        "malformed order",
        dlqBody === undefined
            ? "not in the DLQ (expected in the DLQ)"
            : `in the DLQ after ${failures.length} failed attempts, ${intact ? "intact" : "CHANGED"}: ${failures[0]?.reason ?? "no reason logged"}`,
        intact && failures.length === settings.maxReceiveCount,
    ]);

    const item = await clients.dynamodb.send(
        new GetItemCommand({ TableName: resources.tableName, Key: { orderId: { S: SAMPLE_ORDER.orderId } }, ConsistentRead: true }),
    );
    const count = (await clients.dynamodb.send(new ScanCommand({ TableName: resources.tableName, Select: "COUNT" }))).Count;
    const kept = item.Item?.status?.S === "new" && item.Item?.timestamp?.S === "2025-05-03T12:00:00.0000000Z";
    results.push([`table ${resources.tableName}`, `${count} item(s); ${SAMPLE_ORDER.orderId} status ${item.Item?.status?.S}, timestamp ${item.Item?.timestamp?.S}`, count === 1 && kept]);
    const left = await queueDepth(clients.sqs, resources.queueUrl);
    results.push(["order queue", `${left} message(s) left (expected 0)`, left === 0]);

    print("\ndemo results:");
    for (const [what, where, ok] of results) print(`  ${ok ? "✓" : "✗"} ${what.padEnd(18)} ${where}`);
    const ok = results.every(([, , passed]) => passed);
    print(ok ? "demo: every order ended where it should" : "demo: FAILED, see ✗ above");
    return ok;
}

/** The DLQ message's body once one arrives, left visible for `npm run dlq -- list`; undefined on timeout. */
async function waitForDeadLetter(pipeline: LocalPipeline, timeoutMs: number): Promise<string | undefined> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
        const [message] = await peekQueue(pipeline.clients.sqs, pipeline.resources.deadLetterQueueUrl, 1);
        if (message) return message.Body;
    }
    return undefined;
}
