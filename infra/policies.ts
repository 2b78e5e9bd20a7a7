// The stack's policy documents, as pure functions of the ARNs they name: easy to read, easy to test.

export interface PolicyStatement {
    readonly Sid: string;
    readonly Effect: "Allow" | "Deny";
    readonly Principal?: "*" | { readonly Service: string };
    readonly Action: string | readonly string[];
    /** Absent only in a trust policy, where the role itself is the resource. */
    readonly Resource?: string | readonly string[];
    readonly Condition?: Record<string, Record<string, string>>;
}

export interface PolicyDocument {
    readonly Version: "2012-10-17";
    readonly Statement: readonly PolicyStatement[];
}

/** Who may assume the function's role: the Lambda service, nothing else. */
export function lambdaAssumeRolePolicy(): PolicyDocument {
    return {
        Version: "2012-10-17",
        Statement: [{ Sid: "LambdaAssumesRole", Effect: "Allow", Principal: { Service: "lambda.amazonaws.com" }, Action: "sts:AssumeRole" }],
    };
}

/**
 * Denies every request on a queue made without TLS, whoever makes it. AWS's example of the statement:
 * https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-security-best-practices.html
 * ("Enforce encryption of data in transit").
 */
export function denyWithoutTls(queueArn: string): PolicyStatement {
    return {
        Sid: "DenyWithoutTls",
        Effect: "Deny",
        Principal: "*",
        Action: "sqs:*",
        Resource: queueArn,
        Condition: { Bool: { "aws:SecureTransport": "false" } },
    };
}

/**
 * The order queue's resource policy: only the order topic, through the SNS service, may send to it;
 * any request without TLS is denied, whoever makes it.
 */
export function orderQueuePolicy(queueArn: string, topicArn: string): PolicyDocument {
    return {
        Version: "2012-10-17",
        Statement: [
            {
                Sid: "OrderTopicSends",
                Effect: "Allow",
                Principal: { Service: "sns.amazonaws.com" },
                Action: "sqs:SendMessage",
                Resource: queueArn,
                Condition: { ArnEquals: { "aws:SourceArn": topicArn } },
            },
            denyWithoutTls(queueArn),
        ],
    };
}

/**
 * The dead-letter queue's resource policy: it holds whole orders, so it too refuses any request without TLS. It
 * allows nothing: SQS moves failed messages into it itself, and operators and the redrive act through their own
 * identity policies in the account.
 */
export function deadLetterQueuePolicy(queueArn: string): PolicyDocument {
    return { Version: "2012-10-17", Statement: [denyWithoutTls(queueArn)] };
}

/** What the function may do, each on the exact resource it needs. */
export function functionPolicy(arns: { readonly tableArn: string; readonly queueArn: string; readonly logGroupArn: string }): PolicyDocument {
    return {
        Version: "2012-10-17",
        Statement: [
            {
                Sid: "StoreOrders",
                Effect: "Allow",
                Action: ["dynamodb:PutItem", "dynamodb:GetItem", "dynamodb:UpdateItem"],
                Resource: [arns.tableArn],
            },
            {
                Sid: "ConsumeOrderQueue",
                Effect: "Allow",
                Action: ["sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:GetQueueAttributes", "sqs:ChangeMessageVisibility"],
                Resource: [arns.queueArn],
            },
            {
                Sid: "WriteOwnLogs",
                Effect: "Allow",
                Action: ["logs:CreateLogStream", "logs:PutLogEvents"],
                Resource: [`${arns.logGroupArn}:*`],
            },
            {
                // X-Ray has no resource-level permissions: these two actions only accept "*".
                Sid: "WriteTraces",
                Effect: "Allow",
                Action: ["xray:PutTraceSegments", "xray:PutTelemetryRecords"],
                Resource: ["*"],
            },
        ],
    };
}

/** The order queue's redrive policy: after `maxReceiveCount` receives, SQS moves a message to the dead-letter queue. */
export function redrivePolicy(deadLetterQueueArn: string, maxReceiveCount: number) {
    return { deadLetterTargetArn: deadLetterQueueArn, maxReceiveCount };
}

/** The dead-letter queue's redrive-allow policy: only the order queue may use it as its dead-letter queue. */
export function redriveAllowPolicy(sourceQueueArn: string) {
    return { redrivePermission: "byQueue", sourceQueueArns: [sourceQueueArn] };
}
