// The physical names of a stack's resources. Every name carries the stack, so stacks share an account and region
// safely; and so the stack name must be one that every resource's naming rule accepts, or `pulumi up` would fail
// half way, on whichever resource AWS refuses first. The rules, from each API's reference:
// - SNS CreateTopic Name: 1–256 of A–Z a–z 0–9 - _ (https://docs.aws.amazon.com/sns/latest/api/API_CreateTopic.html)
// - SQS CreateQueue QueueName: 1–80 of A–Z a–z 0–9 - _ (https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_CreateQueue.html)
// - DynamoDB CreateTable TableName: 3–255 of A–Z a–z 0–9 _ - . (https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/HowItWorks.NamingRulesDataTypes.html)
// - Lambda CreateFunction FunctionName: 1–64 of A–Z a–z 0–9 - _ (https://docs.aws.amazon.com/lambda/latest/api/API_CreateFunction.html)
// - IAM CreateRole RoleName: 1–64 of A–Z a–z 0–9 + = , . @ _ - (https://docs.aws.amazon.com/IAM/latest/APIReference/API_CreateRole.html)
// - CloudWatch PutDashboard DashboardName: 1–255 of A–Z a–z 0–9 - _ (https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/API_PutDashboard.html)
// - CloudWatch PutMetricAlarm AlarmName: 1–255 UTF-8 characters, no control characters (https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/API_PutMetricAlarm.html)
// - CloudWatch Logs CreateLogGroup logGroupName: 1–512 of A–Z a–z 0–9 . - _ / # (https://docs.aws.amazon.com/AmazonCloudWatchLogs/latest/APIReference/API_CreateLogGroup.html)
// Pulumi's own stack names allow A–Z a–z 0–9 - _ . up to 100 characters; the period is what most of the rules refuse.

/** The longest alarm suffix the stack may use (`OrderProcessor-<stack>-<suffix>`); a test holds every alarm to it. */
export const MAX_ALARM_SUFFIX_LENGTH = 20;

/** Physical names of a stack's resources. Throws a StackNameError when the stack name breaks a resource's naming rule. */
export function physicalNames(stack: string) {
    const problems = stackNameProblems(stack);
    if (problems.length > 0) throw new StackNameError(stack, problems);
    return names(stack);
}

function names(stack: string) {
    return {
        topic: `OrderTopic-${stack}`,
        queue: `OrderQueue-${stack}`,
        deadLetterQueue: `OrderDlq-${stack}`,
        table: `Orders-${stack}`,
        function: `OrderProcessor-${stack}`,
        role: `OrderProcessor-${stack}`,
        alertsTopic: `OrderAlerts-${stack}`,
        dashboard: `OrderPipeline-${stack}`,
    } as const;
}

interface NamingRule {
    /** The resource, as a reader knows it. */
    readonly what: string;
    readonly name: (stack: string) => string;
    readonly min: number;
    readonly max: number;
    /** One allowed character. */
    readonly character: RegExp;
    /** The allowed characters, in words. */
    readonly allowed: string;
    /** The API and parameter whose rule it is. */
    readonly source: string;
}

const ALNUM_DASH_UNDERSCORE = "A–Z, a–z, 0–9, - and _";

function rules(): NamingRule[] {
    const n = names;
    return [
        { what: "SNS topic", name: (s) => n(s).topic, min: 1, max: 256, character: /[A-Za-z0-9_-]/, allowed: ALNUM_DASH_UNDERSCORE, source: "SNS CreateTopic Name" },
        { what: "SNS alerts topic", name: (s) => n(s).alertsTopic, min: 1, max: 256, character: /[A-Za-z0-9_-]/, allowed: ALNUM_DASH_UNDERSCORE, source: "SNS CreateTopic Name" },
        { what: "SQS queue", name: (s) => n(s).queue, min: 1, max: 80, character: /[A-Za-z0-9_-]/, allowed: ALNUM_DASH_UNDERSCORE, source: "SQS CreateQueue QueueName" },
        { what: "SQS dead-letter queue", name: (s) => n(s).deadLetterQueue, min: 1, max: 80, character: /[A-Za-z0-9_-]/, allowed: ALNUM_DASH_UNDERSCORE, source: "SQS CreateQueue QueueName" },
        { what: "DynamoDB table", name: (s) => n(s).table, min: 3, max: 255, character: /[A-Za-z0-9_.-]/, allowed: "A–Z, a–z, 0–9, _, - and .", source: "DynamoDB CreateTable TableName" },
        { what: "Lambda function", name: (s) => n(s).function, min: 1, max: 64, character: /[A-Za-z0-9_-]/, allowed: ALNUM_DASH_UNDERSCORE, source: "Lambda CreateFunction FunctionName" },
        { what: "IAM role", name: (s) => n(s).role, min: 1, max: 64, character: /[\w+=,.@-]/, allowed: "A–Z, a–z, 0–9 and + = , . @ _ -", source: "IAM CreateRole RoleName" },
        { what: "CloudWatch dashboard", name: (s) => n(s).dashboard, min: 1, max: 255, character: /[A-Za-z0-9_-]/, allowed: ALNUM_DASH_UNDERSCORE, source: "CloudWatch PutDashboard DashboardName" },
        {
            what: "CloudWatch alarm",
            name: (s) => `${n(s).function}-${"x".repeat(MAX_ALARM_SUFFIX_LENGTH)}`,
            min: 1,
            max: 255,
            // eslint-disable-next-line no-control-regex
            character: /[^\u0000-\u001f\u007f]/u,
            allowed: "any character but a control character",
            source: "CloudWatch PutMetricAlarm AlarmName",
        },
        { what: "CloudWatch Logs log group", name: (s) => `/aws/lambda/${n(s).function}`, min: 1, max: 512, character: /[A-Za-z0-9._/#-]/, allowed: "A–Z, a–z, 0–9 and . - _ / #", source: "CloudWatch Logs CreateLogGroup logGroupName" },
    ];
}

/** The longest stack name every resource's rule accepts. */
export function longestStackName(): number {
    return Math.min(...rules().map((rule) => rule.max - (rule.name("").length)));
}

/** Each rule the stack name breaks, as a sentence naming the resource, its name, the rule and its source. */
export function stackNameProblems(stack: string): string[] {
    if (stack.length === 0) return ["the stack name is empty"];
    return rules().flatMap((rule) => {
        const name = rule.name(stack);
        const bad = [...new Set([...stack].filter((c) => !rule.character.test(c)))];
        const problems: string[] = [];
        if (bad.length > 0) {
            problems.push(`the ${rule.what} name ${name} would contain ${bad.map((c) => JSON.stringify(c)).join(", ")}; ${rule.source} allows ${rule.allowed}`);
        }
        if (name.length > rule.max) {
            problems.push(`the ${rule.what} name ${name} would be ${name.length} characters; ${rule.source} allows at most ${rule.max}`);
        }
        return problems;
    });
}

/** A stack name AWS would refuse in some resource's name: every rule it breaks, and what a stack name may be. */
export class StackNameError extends Error {
    constructor(readonly stackName: string, readonly problems: readonly string[]) {
        super(
            `the stack name "${stackName}" cannot be part of this stack's resource names:\n${problems.map((p) => `  - ${p}\n`).join("")}` +
                `A stack name may use ${ALNUM_DASH_UNDERSCORE} (the characters every resource accepts) and be at most ${longestStackName()} characters ` +
                "(the Lambda function and IAM role names, OrderProcessor-<stack>, are limited to 64).",
        );
        this.name = "StackNameError";
    }
}
