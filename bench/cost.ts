// Figure 5: what a million orders cost on AWS, from the stack's config and the measured batch duration.

/**
 * Unit prices, US East (N. Virginia), on-demand, past every free tier, as published on the AWS pricing
 * pages (aws.amazon.com/lambda/pricing, /sqs/pricing, /sns/pricing, /dynamodb/pricing/on-demand,
 * /cloudwatch/pricing, /xray/pricing), read on 2026-11-22 through stored copies of those pages and of
 * pricing write-ups citing them. Check them again before quoting a bill.
 */
export const PRICES = {
    date: "2026-11-22",
    region: "us-east-1",
    lambdaGbSecond: { arm64: 0.0000133334, x86_64: 0.0000166667 },
    lambdaRequest: 0.2 / 1e6,
    /** Standard queue; every 64 KB of a request's payload is one request. */
    sqsRequest: 0.4 / 1e6,
    /** Standard topic publish, per 64 KB chunk; deliveries to SQS are free. */
    snsPublish: 0.5 / 1e6,
    /** On-demand write request unit (an item up to 1 KB; a failed conditional write consumes one too). */
    dynamoDbWrite: 0.625 / 1e6,
    /** CloudWatch Logs ingestion, per GB. */
    logsPerGb: 0.5,
    /** X-Ray, per trace recorded (active tracing samples; this assumes every invocation is recorded). */
    xrayTrace: 5 / 1e6,
} as const;

export interface CostInputs {
    readonly architecture: "arm64" | "x86_64";
    readonly memoryMb: number;
    /** Orders per invocation, on average (at most the batch size). */
    readonly ordersPerBatch: number;
    /** Billed duration of one invocation, ms (Lambda rounds up to the millisecond). */
    readonly batchMs: number;
    /** Bytes the function logs per order (its record line, and its share of the batch line). */
    readonly logBytesPerOrder: number;
    /** Size of one order's SQS body (the SNS envelope), bytes. */
    readonly messageBytes: number;
}

export interface CostBreakdown {
    readonly lambdaCompute: number;
    readonly lambdaRequests: number;
    readonly sqs: number;
    readonly sns: number;
    readonly dynamoDb: number;
    readonly logs: number;
    readonly xray: number;
    readonly total: number;
}

/** USD for one million orders, each published once, stored once, processed in batches. */
export function costPerMillionOrders(inputs: CostInputs): CostBreakdown {
    const orders = 1e6;
    const invocations = orders / inputs.ordersPerBatch;
    const chunks = (bytes: number) => Math.max(1, Math.ceil(bytes / (64 * 1024)));
    const gbSeconds = invocations * (inputs.memoryMb / 1024) * (Math.ceil(inputs.batchMs) / 1000);
    // SQS: SNS's SendMessage per order; per invocation one ReceiveMessage (the batch's bytes, in 64 KB
    // chunks) and one DeleteMessageBatch. Empty receives of idle polling are not counted.
    const sqsRequests = orders * chunks(inputs.messageBytes) + invocations * (chunks(inputs.ordersPerBatch * inputs.messageBytes) + 1);
    const parts = {
        lambdaCompute: gbSeconds * PRICES.lambdaGbSecond[inputs.architecture],
        lambdaRequests: invocations * PRICES.lambdaRequest,
        sqs: sqsRequests * PRICES.sqsRequest,
        sns: orders * PRICES.snsPublish,
        dynamoDb: orders * PRICES.dynamoDbWrite,
        logs: (orders * inputs.logBytesPerOrder / 1e9) * PRICES.logsPerGb,
        xray: invocations * PRICES.xrayTrace,
    };
    return { ...parts, total: Object.values(parts).reduce((a, b) => a + b, 0) };
}
