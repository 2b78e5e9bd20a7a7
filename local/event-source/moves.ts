// Moving and deleting single messages of a queue by id, for the DLQ tool and the console: SQS deletes only by the
// receipt handle of a receive, so a message is found by receiving, and every other message received on the way is
// made visible again at once.
import {
    DeleteMessageCommand,
    type Message,
    ReceiveMessageCommand,
    SendMessageCommand,
    type SQSClient,
} from "@aws-sdk/client-sqs";
import { makeVisible } from "./queues";

/** How long a message received to be moved or deleted stays hidden: time enough to send it on. */
const HOLD_SECONDS = 60;

/**
 * Receives from `queueUrl` until each message `wanted` accepts has been seen (or the queue has no more to give) and
 * hands them to `take`, one at a time; the others go back to visible. The number taken.
 */
async function receiveEach(sqs: SQSClient, queueUrl: string, wanted: (m: Message) => boolean, take: (m: Message) => Promise<void>, limit: number): Promise<number> {
    const others: Message[] = [];
    let taken = 0;
    try {
        while (taken < limit) {
            const page = await sqs.send(
                new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10, VisibilityTimeout: HOLD_SECONDS, MessageAttributeNames: ["All"], MessageSystemAttributeNames: ["All"] }),
            );
            const messages = page.Messages ?? [];
            if (messages.length === 0) break;
            for (const m of messages) {
                if (taken < limit && wanted(m)) {
                    await take(m);
                    taken++;
                } else others.push(m);
            }
        }
    } finally {
        await makeVisible(sqs, queueUrl, others);
    }
    return taken;
}

/**
 * Moves messages from one queue to another (fauxqs has no StartMessageMoveTask): every one, or only the one with
 * `messageId`. Each is sent (body and attributes) before it is deleted, so none is lost; a failure between the two
 * leaves it in both. The number moved.
 */
export function moveMessages(sqs: SQSClient, from: string, to: string, messageId?: string): Promise<number> {
    return receiveEach(
        sqs,
        from,
        (m) => messageId === undefined || m.MessageId === messageId,
        async (m) => {
            await sqs.send(new SendMessageCommand({ QueueUrl: to, MessageBody: m.Body!, MessageAttributes: m.MessageAttributes }));
            await sqs.send(new DeleteMessageCommand({ QueueUrl: from, ReceiptHandle: m.ReceiptHandle }));
        },
        messageId === undefined ? Number.POSITIVE_INFINITY : 1,
    );
}

/** Deletes the message with `messageId` from the queue; false when the queue does not give it. */
export async function deleteMessageById(sqs: SQSClient, queueUrl: string, messageId: string): Promise<boolean> {
    const deleted = await receiveEach(
        sqs,
        queueUrl,
        (m) => m.MessageId === messageId,
        async (m) => {
            await sqs.send(new DeleteMessageCommand({ QueueUrl: queueUrl, ReceiptHandle: m.ReceiptHandle }));
        },
        1,
    );
    return deleted === 1;
}
