// The event source's own rules, apart from the pipeline: the events it builds stay within Lambda's 6 MB payload
// quota (a batch of large messages becomes several invocations, as Lambda builds them), and the partial batch
// response is read as Lambda reads it.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { Message } from "@aws-sdk/client-sqs";
import { eventsWithinPayloadQuota, failedIds, MAX_EVENT_BYTES } from "../../local/event-source/poller";

const ARN = "arn:aws:sqs:us-east-1:000000000000:OrderQueue-dev";
const message = (id: string, bodyBytes: number): Message => ({
    MessageId: id,
    ReceiptHandle: `handle-${id}`,
    Body: "x".repeat(bodyBytes),
    MD5OfBody: "0".repeat(32),
    Attributes: { ApproximateReceiveCount: "1", SentTimestamp: "1764785525123" },
});

describe("the event source's events", () => {
    it("a batch of ten 1 MiB messages (SQS's largest) becomes invocations of at most 6 MB, every message once, in order", () => {
        const batch = Array.from({ length: 10 }, (_, i) => message(`m${i}`, 1024 * 1024));
        const events = eventsWithinPayloadQuota(batch, ARN, "us-east-1");
        assert.deepEqual(events.map((e) => e.messages.length), [5, 5]);
        assert.deepEqual(events.flatMap((e) => e.messages.map((m) => m.MessageId)), batch.map((m) => m.MessageId));
        for (const { event, messages } of events) {
            assert.ok(event.length <= MAX_EVENT_BYTES, `${event.length} bytes`);
            assert.deepEqual((JSON.parse(event.toString()) as { Records: Array<{ messageId: string }> }).Records.map((r) => r.messageId), messages.map((m) => m.MessageId));
        }
    });

    it("small messages stay in one invocation", () => {
        const batch = Array.from({ length: 10 }, (_, i) => message(`s${i}`, 200));
        assert.deepEqual(eventsWithinPayloadQuota(batch, ARN, "us-east-1").map((e) => e.messages.length), [10]);
    });

    it("the quota counts the whole event, commas and envelope included, to the byte", () => {
        const batch = [message("a", 100), message("b", 100)];
        const whole = eventsWithinPayloadQuota(batch, ARN, "us-east-1")[0]!.event.length;
        assert.deepEqual(eventsWithinPayloadQuota(batch, ARN, "us-east-1", whole).map((e) => e.messages.length), [2]);
        assert.deepEqual(eventsWithinPayloadQuota(batch, ARN, "us-east-1", whole - 1).map((e) => e.messages.length), [1, 1]);
    });
});

describe("the partial batch response, as Lambda reads it", () => {
    const batch = [message("m1", 1), message("m2", 1)];
    it("an empty or missing list deletes every message; listed ids are kept", () => {
        assert.deepEqual(failedIds('{"batchItemFailures":[]}', batch), new Set());
        assert.deepEqual(failedIds("{}", batch), new Set());
        assert.deepEqual(failedIds('{"batchItemFailures":[{"itemIdentifier":"m2"}]}', batch), new Set(["m2"]));
    });

    it("an id not in the batch, an empty id or a response that is not JSON fails the whole batch", () => {
        assert.equal(failedIds('{"batchItemFailures":[{"itemIdentifier":"other"}]}', batch), undefined);
        assert.equal(failedIds('{"batchItemFailures":[{"itemIdentifier":""}]}', batch), undefined);
        assert.equal(failedIds("not json", batch), undefined);
    });
});
