// The order the setup guide publishes to try the system (shared/events/order.sample.json; a test keeps
// the two equal). The stack's publish command and the local demo both send it.
export const SAMPLE_ORDER = {
    orderId: "O1234",
    userId: "U123",
    itemName: "Laptop",
    quantity: 1,
    status: "new",
    timestamp: "2025-05-03T12:00:00Z",
} as const;

/** Where a command is sent when it is not real AWS: an emulator's endpoint and region, and throwaway credentials. */
export interface LocalTarget {
    readonly endpointUrl: string;
    readonly region: string;
}

/** An `aws sns publish` command line that sends the sample order to `topicArn`, ready to paste into a shell. */
export function publishCommand(topicArn: string, local?: LocalTarget): string {
    return `${awsCli("sns publish", local)} --topic-arn ${topicArn} --message '${JSON.stringify(SAMPLE_ORDER)}'`;
}

/** `aws <service> <operation>`, pointed at a local emulator when `local` is given. */
export function awsCli(command: string, local?: LocalTarget): string {
    return local
        ? `AWS_ACCESS_KEY_ID=local AWS_SECRET_ACCESS_KEY=local aws ${command} --endpoint-url ${local.endpointUrl} --region ${local.region}`
        : `aws ${command}`;
}
