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

/** An `aws sns publish` command line that sends the sample order to `topicArn`, ready to paste into a shell. */
export function publishCommand(topicArn: string, endpointUrl?: string): string {
    const endpoint = endpointUrl ? ` --endpoint-url ${endpointUrl}` : "";
    return `aws sns publish${endpoint} --topic-arn ${topicArn} --message '${JSON.stringify(SAMPLE_ORDER)}'`;
}
