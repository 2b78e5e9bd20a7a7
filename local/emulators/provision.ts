// Creates the stack's resources in the emulators, with the stack's physical names and settings: the
// topic, the dead-letter queue, the order queue (visibility timeout and redrive policy), the subscription
// (raw delivery as configured) and the table. Safe to run again against resources that exist.
import { CreateTableCommand, DescribeTableCommand, ResourceInUseException } from "@aws-sdk/client-dynamodb";
import { CreateTopicCommand, SubscribeCommand } from "@aws-sdk/client-sns";
import { CreateQueueCommand, GetQueueAttributesCommand } from "@aws-sdk/client-sqs";
import { DEAD_LETTER_RETENTION_SECONDS, type PipelineSettings } from "../../infra/config";
import { physicalNames } from "../../infra/naming";
import { redrivePolicy } from "../../infra/policies";
import type { LocalClients } from "./clients";

export interface LocalResources {
    readonly topicArn: string;
    readonly queueUrl: string;
    readonly queueArn: string;
    readonly deadLetterQueueUrl: string;
    readonly deadLetterQueueArn: string;
    readonly tableName: string;
    readonly functionName: string;
}

export async function provision(clients: LocalClients, settings: PipelineSettings, stack: string): Promise<LocalResources> {
    const names = physicalNames(stack);

    const dlq = await createQueue(clients, names.deadLetterQueue, {
        MessageRetentionPeriod: String(DEAD_LETTER_RETENTION_SECONDS),
    });
    const queue = await createQueue(clients, names.queue, {
        VisibilityTimeout: String(settings.queueVisibilityTimeoutSeconds),
        RedrivePolicy: JSON.stringify(redrivePolicy(dlq.arn, settings.maxReceiveCount)),
    });
    // The stack also gives the DLQ a redrive-allow policy (only the order queue may use it); fauxqs has no
    // such attribute (it answers "Unknown attribute: RedriveAllowPolicy"), so it is not set here.

    const topic = await clients.sns.send(new CreateTopicCommand({ Name: names.topic }));
    await clients.sns.send(
        new SubscribeCommand({
            TopicArn: topic.TopicArn,
            Protocol: "sqs",
            Endpoint: queue.arn,
            Attributes: { RawMessageDelivery: String(settings.rawMessageDelivery) },
            ReturnSubscriptionArn: true,
        }),
    );

    await createOrdersTable(clients, names.table);
    return {
        topicArn: topic.TopicArn!,
        queueUrl: queue.url,
        queueArn: queue.arn,
        deadLetterQueueUrl: dlq.url,
        deadLetterQueueArn: dlq.arn,
        tableName: names.table,
        functionName: names.function,
    };
}

async function createQueue(clients: LocalClients, name: string, attributes: Record<string, string>) {
    const created = await clients.sqs.send(new CreateQueueCommand({ QueueName: name, Attributes: attributes }));
    const read = await clients.sqs.send(new GetQueueAttributesCommand({ QueueUrl: created.QueueUrl, AttributeNames: ["QueueArn"] }));
    return { url: created.QueueUrl!, arn: read.Attributes!.QueueArn! };
}

/** The table as the stack defines it: partition key orderId (S), on demand. */
export async function createOrdersTable(clients: Pick<LocalClients, "dynamodb">, name: string): Promise<void> {
    try {
        await clients.dynamodb.send(
            new CreateTableCommand({
                TableName: name,
                BillingMode: "PAY_PER_REQUEST",
                KeySchema: [{ AttributeName: "orderId", KeyType: "HASH" }],
                AttributeDefinitions: [{ AttributeName: "orderId", AttributeType: "S" }],
            }),
        );
    } catch (error) {
        if (!(error instanceof ResourceInUseException)) throw error;
    }
    for (let attempt = 0; attempt < 200; attempt++) {
        const table = await clients.dynamodb.send(new DescribeTableCommand({ TableName: name }));
        if (table.Table?.TableStatus === "ACTIVE") return;
        await new Promise((r) => setTimeout(r, 25));
    }
    throw new Error(`table ${name} did not become active`);
}
