// Looking into a queue without consuming it: for the DLQ tool, the demo and the tests.
import { ChangeMessageVisibilityBatchCommand, GetQueueAttributesCommand, type Message, ReceiveMessageCommand, type SQSClient } from "@aws-sdk/client-sqs";

/**
 * Up to `limit` messages of the queue, each once: received (hidden while the scan goes on) until a receive
 * comes back empty, then made visible again. Each look counts as a receive in ApproximateReceiveCount.
 */
export async function peekQueue(sqs: SQSClient, queueUrl: string, limit = Number.POSITIVE_INFINITY): Promise<Message[]> {
    const seen = new Map<string, Message>();
    while (seen.size < limit) {
        const page = await sqs.send(
            new ReceiveMessageCommand({
                QueueUrl: queueUrl,
                MaxNumberOfMessages: Math.min(10, limit - seen.size),
                VisibilityTimeout: 60,
                WaitTimeSeconds: 1,
                MessageSystemAttributeNames: ["All"],
                MessageAttributeNames: ["All"],
            }),
        );
        const messages = page.Messages ?? [];
        if (messages.length === 0) break;
        for (const m of messages) seen.set(m.MessageId!, m);
    }
    const all = [...seen.values()];
    await makeVisible(sqs, queueUrl, all);
    return all;
}

/** Makes received messages visible again at once (visibility timeout 0), ten to a request. */
export async function makeVisible(sqs: SQSClient, queueUrl: string, messages: readonly Message[]): Promise<void> {
    for (let i = 0; i < messages.length; i += 10) {
        await sqs.send(
            new ChangeMessageVisibilityBatchCommand({
                QueueUrl: queueUrl,
                Entries: messages.slice(i, i + 10).map((m, j) => ({ Id: String(j), ReceiptHandle: m.ReceiptHandle, VisibilityTimeout: 0 })),
            }),
        );
    }
}

/** Every message the queue holds: visible, in flight and delayed. */
export async function queueDepth(sqs: SQSClient, queueUrl: string): Promise<number> {
    const counts = await queueCounts(sqs, queueUrl);
    return counts.visible + counts.notVisible + counts.delayed;
}

/** The queue's approximate counts: visible (waiting), not visible (in flight or backing off), delayed. */
export async function queueCounts(sqs: SQSClient, queueUrl: string): Promise<{ visible: number; notVisible: number; delayed: number }> {
    const names = ["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible", "ApproximateNumberOfMessagesDelayed"] as const;
    const attributes = await sqs.send(new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: [...names] }));
    const read = (key: (typeof names)[number]) => Number(attributes.Attributes?.[key] ?? 0);
    return { visible: read(names[0]), notVisible: read(names[1]), delayed: read(names[2]) };
}
