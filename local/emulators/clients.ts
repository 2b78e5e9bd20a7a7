// AWS SDK clients for the local pipeline's emulators: fixed region, throwaway credentials, loopback endpoints.
import { DynamoDBClient, ListTablesCommand } from "@aws-sdk/client-dynamodb";
import { SNSClient } from "@aws-sdk/client-sns";
import { SQSClient } from "@aws-sdk/client-sqs";

// The SDK warns once per process that releases after January 2027 need Node 22; the versions pinned here
// support Node 20, which the project targets, so the warning would only be noise in the runner's output.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= "true";

/** The region of every local resource (fauxqs' default); ARNs read arn:aws:…:us-east-1:000000000000:…. */
export const LOCAL_REGION = "us-east-1";

/** The account id in every local ARN (fauxqs' and this runner's). */
export const LOCAL_ACCOUNT = "000000000000";

/** Emulators accept any credentials; these make it obvious in a request log that nothing real was used. */
export const LOCAL_CREDENTIALS = { accessKeyId: "local", secretAccessKey: "local" } as const;

export interface LocalEndpoints {
    /** fauxqs: SNS and SQS on one port. */
    readonly sqs: string;
    /** dynalite. */
    readonly dynamodb: string;
}

export interface LocalClients {
    readonly sqs: SQSClient;
    readonly sns: SNSClient;
    readonly dynamodb: DynamoDBClient;
    destroy(): void;
}

export function createClients(endpoints: LocalEndpoints): LocalClients {
    const common = { region: LOCAL_REGION, credentials: LOCAL_CREDENTIALS, maxAttempts: 1 };
    const sqs = new SQSClient({ ...common, endpoint: endpoints.sqs });
    const sns = new SNSClient({ ...common, endpoint: endpoints.sqs });
    const dynamodb = new DynamoDBClient({ ...common, endpoint: endpoints.dynamodb });
    return {
        sqs,
        sns,
        dynamodb,
        destroy: () => {
            sqs.destroy();
            sns.destroy();
            dynamodb.destroy();
        },
    };
}

/** Why a DynamoDB-compatible endpoint does not answer a ListTables within `timeoutMs`, or undefined when it does. */
export async function dynamoDbSilence(clients: Pick<LocalClients, "dynamodb">, timeoutMs: number): Promise<string | undefined> {
    try {
        await clients.dynamodb.send(new ListTablesCommand({ Limit: 1 }), { abortSignal: AbortSignal.timeout(timeoutMs) });
        return undefined;
    } catch (error) {
        return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
    }
}
