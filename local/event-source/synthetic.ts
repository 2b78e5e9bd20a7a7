// Messages as AWS would hold them, without AWS: what SNS writes into an SQS message's body for a publish (raw message
// delivery off), and what SQS's ReceiveMessage returns for a message, so that an event for `npm run invoke` is built
// by the poller's own toSqsEvent, exactly as the pipeline builds one. Field names and shapes follow the samples in
// shared/events/ (the SNS Developer Guide's envelope; aws-lambda-dotnet's SQS event) and SQS's ReceiveMessage
// (https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_ReceiveMessage.html).
import { createHash, randomBytes, randomUUID } from "node:crypto";
import type { Message } from "@aws-sdk/client-sqs";

/**
 * The SNS envelope of a publish to `topicArn`, key for key as SNS writes it into an SQS body (the SNS Developer
 * Guide's "Fanout to Amazon SQS queues"): no `Subject` when none was given; the signature is random bytes here, so it
 * does not verify, which the function never does.
 */
export function snsEnvelope(message: string, topicArn: string, now: Date = new Date()): string {
    const region = topicArn.split(":")[3] ?? "us-east-1";
    const messageId = randomUUID();
    return JSON.stringify(
        {
            Type: "Notification",
            MessageId: messageId,
            TopicArn: topicArn,
            Message: message,
            Timestamp: now.toISOString(),
            SignatureVersion: "1",
            Signature: randomBytes(256).toString("base64"),
            SigningCertURL: `https://sns.${region}.amazonaws.com/SimpleNotificationService-${randomBytes(16).toString("hex")}.pem`,
            UnsubscribeURL: `https://sns.${region}.amazonaws.com/?Action=Unsubscribe&SubscriptionArn=${topicArn}:${randomUUID()}`,
        },
        null,
        2,
    );
}

/**
 * A message as ReceiveMessage returns it on its first receive: a message id, a receipt handle, the body and its MD5,
 * and the system attributes Lambda's event carries (ApproximateReceiveCount "1", SentTimestamp, SenderId,
 * ApproximateFirstReceiveTimestamp), all strings.
 */
export function receivedMessage(body: string, now: Date = new Date()): Message {
    const sent = String(now.getTime());
    return {
        MessageId: randomUUID(),
        ReceiptHandle: randomBytes(96).toString("base64"),
        Body: body,
        MD5OfBody: createHash("md5").update(body, "utf8").digest("hex"),
        Attributes: {
            ApproximateReceiveCount: "1",
            SentTimestamp: sent,
            // SNS delivers as the service's own principal; a producer sending to SQS directly would show its own id.
            SenderId: "AIDAIT2UOQQY3AUEKVGXU",
            ApproximateFirstReceiveTimestamp: sent,
        },
    };
}
