// The stack's security rules, one policy per concern, each a check of one resource's inputs (or, for what spans two
// resources, such as a queue and the policy attached to it, of the stack's resources). They run at
// `pulumi preview` and `pulumi up` (policy/index.ts registers them as a mandatory pack) and in the tests
// (tests/infra/policy-pack.test.ts, tests/infra/security.test.ts), so they are written once, here.
//
// Rules match resources by their type token ("aws:sqs/queue:Queue"), not through @pulumi/aws's classes: loading
// @pulumi/aws would make the pack slow to start and tie it to the provider's version. Messages say what is wrong and
// what to set; the resource is named by Pulumi beside them.
import type { PolicyResource, ReportViolation, ResourceValidationArgs, ResourceValidationPolicy, StackValidationArgs, StackValidationPolicy } from "@pulumi/policy";
import { conditionValues, describePrincipal, documentsOf, type FoundDocument, isPublic, operatorsOn, type Statement } from "./iam-documents";

/** Services whose actions read or write data: a grant of one of them names its resources. */
const DATA_SERVICES = new Set(["dynamodb", "sqs", "sns", "s3", "kms"]);

/** True for "*" and for an action of a data service. Action names are case-insensitive in IAM. */
function isDataAction(action: string): boolean {
    return action === "*" || DATA_SERVICES.has(action.split(":")[0]!.toLowerCase());
}

const TABLE = "aws:dynamodb/table:Table";
const QUEUE = "aws:sqs/queue:Queue";
const QUEUE_POLICY = "aws:sqs/queuePolicy:QueuePolicy";
const LOG_GROUP = "aws:cloudwatch/logGroup:LogGroup";

/** The readable documents of the resource that `which` selects, with their Allow statements. */
function documents(args: ResourceValidationArgs, which: (document: FoundDocument) => boolean): FoundDocument[] {
    return documentsOf(args.type, args.props).filter((document) => document.unreadable === undefined && which(document));
}

const allows = (document: FoundDocument): Statement[] => document.statements.filter((s) => s.effect === "Allow");
const rolesAndQueues = (document: FoundDocument): boolean => document.field.kind === "identity" || document.field.queue === true;

export const readableDocuments: ResourceValidationPolicy = {
    name: "iam-documents-readable",
    description: "Every IAM policy document is JSON with a Statement, so the other rules can judge it.",
    enforcementLevel: "mandatory",
    validateResource: (args: ResourceValidationArgs, reportViolation: ReportViolation) => {
        for (const document of documentsOf(args.type, args.props)) {
            if (document.unreadable !== undefined) reportViolation(document.unreadable);
        }
    },
};

export const noWildcardResourceOnDataActions: ResourceValidationPolicy = {
    name: "no-wildcard-resource-on-data-actions",
    description: 'Role and queue policies allow DynamoDB, SQS, SNS, S3 and KMS actions on named resources only, never on "*".',
    enforcementLevel: "mandatory",
    validateResource: (args: ResourceValidationArgs, reportViolation: ReportViolation) => {
        for (const document of documents(args, rolesAndQueues)) {
            for (const s of allows(document)) {
                const data = s.notAction ? [`every action but ${s.actions.join(", ")}`] : s.actions.filter(isDataAction);
                if (data.length === 0) continue;
                if (s.notResource) reportViolation(`${s.label} allows ${data.join(", ")} on every resource but ${s.resources.join(", ")}: name the resources instead`);
                else if (s.resources.includes("*")) reportViolation(`${s.label} allows ${data.join(", ")} on "*": name the table, queue, topic, bucket or key`);
            }
        }
    },
};

export const noWildcardDataActions: ResourceValidationPolicy = {
    name: "no-wildcard-data-actions",
    description: 'IAM policies list each DynamoDB, SQS, SNS, S3 and KMS action they allow: no "*", "dynamodb:*" or "sqs:Get*", no NotAction.',
    enforcementLevel: "mandatory",
    validateResource: (args: ResourceValidationArgs, reportViolation: ReportViolation) => {
        for (const document of documents(args, (d) => d.field.kind !== "trust")) {
            for (const s of allows(document)) {
                if (s.notAction) reportViolation(`${s.label} allows every action but ${s.actions.join(", ")}: list the actions it needs`);
                const wild = s.notAction ? [] : s.actions.filter((a) => isDataAction(a) && /[*?]/.test(a));
                if (wild.length > 0) reportViolation(`${s.label} allows ${wild.join(", ")}: list the actions it needs`);
            }
        }
    },
};

/** The condition operators that compare aws:SourceArn exactly; why each other one does not. */
const SOURCE_ARN_OPERATORS = new Set(["ArnEquals", "ArnLike", "StringEquals"]);
function whyNotSourceArnOperator(operator: string): string {
    if (operator.endsWith("IfExists")) return "lets a request that carries no source ARN through";
    if (/^(Arn|String)Not/.test(operator)) return "admits every other source";
    if (operator.includes(":")) return "is for multivalued keys, and aws:SourceArn has one value";
    return "does not compare ARNs exactly";
}

export const queuePolicySourceArn: ResourceValidationPolicy = {
    name: "queue-policy-source-arn",
    description: "Every Allow in a queue policy is conditioned on aws:SourceArn, compared with ArnEquals, ArnLike or StringEquals against exact ARNs.",
    enforcementLevel: "mandatory",
    validateResource: (args: ResourceValidationArgs, reportViolation: ReportViolation) => {
        for (const document of documents(args, (d) => d.field.queue === true)) {
            for (const s of allows(document)) {
                const operators = operatorsOn(s, "aws:SourceArn");
                if (operators.length === 0) {
                    reportViolation(`${s.label} lets ${describePrincipal(s.principal)} send with no condition on aws:SourceArn: name the topic that may send`);
                }
                for (const operator of operators) {
                    if (!SOURCE_ARN_OPERATORS.has(operator)) {
                        reportViolation(`${s.label} tests aws:SourceArn with ${operator}, which ${whyNotSourceArnOperator(operator)}: use ArnEquals`);
                    } else if (operator.startsWith("Arn")) {
                        // ArnEquals and ArnLike both expand * and ? in each ARN segment.
                        for (const pattern of (conditionValues(s, operator, "aws:SourceArn") ?? []).filter((v) => /[*?]/.test(v))) {
                            reportViolation(`${s.label} matches aws:SourceArn against "${pattern}", which admits other sources: name the exact ARN`);
                        }
                    }
                }
            }
        }
    },
};

/** True for the statement that denies everyone every SQS action over plain HTTP, with no other condition. */
function deniesPlainHttp(s: Statement): boolean {
    // Conditions are ANDed: a second key would narrow the Deny to some requests only.
    const tested = Object.keys(s.condition).flatMap((operator) => Object.keys(s.condition[operator] ?? {}));
    return (
        s.effect === "Deny" &&
        !s.notPrincipal &&
        isPublic(s) &&
        !s.notAction &&
        s.actions.some((a) => a === "*" || a.toLowerCase() === "sqs:*") &&
        !s.notResource &&
        s.resources.length > 0 &&
        tested.length === 1 &&
        ["Bool", "BoolIfExists"].some((operator) => {
            const values = conditionValues(s, operator, "aws:SecureTransport");
            // IAM compares Bool values without regard to case ("False" is false).
            return values !== undefined && values.length === 1 && values[0]?.toLowerCase() === "false";
        })
    );
}

export const queuePolicyDeniesPlainHttp: ResourceValidationPolicy = {
    name: "queue-policy-denies-plain-http",
    description: 'Every queue policy denies requests made without TLS: Deny, Principal "*", Action "sqs:*", Condition Bool aws:SecureTransport "false".',
    enforcementLevel: "mandatory",
    validateResource: (args: ResourceValidationArgs, reportViolation: ReportViolation) => {
        for (const document of documents(args, (d) => d.field.queue === true)) {
            if (!document.statements.some(deniesPlainHttp)) {
                reportViolation('no statement denies requests without TLS: add Deny, Principal "*", Action "sqs:*", Condition {"Bool": {"aws:SecureTransport": "false"}}');
            }
        }
    },
};

/** True when `pattern`, an IAM resource (with `*` and `?` wildcards), covers `arn`. */
function covers(pattern: string, arn: string): boolean {
    const literal = pattern.split("*").map((part) => part.split("?").map((piece) => piece.replace(/[.+^$()|[\]{}\\]/g, "\\$&")).join("."));
    return new RegExp("^" + literal.join(".*") + "$").test(arn);
}

/**
 * True when one of `resource`'s readable queue documents (a queue's own `policy`, a queue policy's) denies plain HTTP
 * on `queueArn`: a Deny that names another queue (a copy-paste) protects nothing here.
 */
const tlsOnlyDocument = (resource: PolicyResource, queueArn: string): boolean =>
    documentsOf(resource.type, resource.props).some(
        (d) => d.field.queue === true && d.unreadable === undefined && d.statements.some((s) => deniesPlainHttp(s) && s.resources.some((r) => covers(r, queueArn))),
    );

/**
 * The queue policies attached to `queue`: those whose queueUrl the engine records as coming from this queue (Pulumi's
 * property dependencies, which a program that passes `queue.url` always has), else those naming its URL as a literal.
 */
function attachedPolicies(queue: PolicyResource, queuePolicies: readonly PolicyResource[]): PolicyResource[] {
    const byDependency = queuePolicies.filter((p) => (p.propertyDependencies["queueUrl"] ?? []).some((d) => d.urn === queue.urn));
    if (byDependency.length > 0) return byDependency;
    return queuePolicies.filter((p) => (p.propertyDependencies["queueUrl"] ?? []).length === 0 && p.props.queueUrl === queue.props.url);
}

export const queuesTlsOnly: StackValidationPolicy = {
    name: "queues-tls-only",
    description: "Every queue, the dead-letter queue included, has a policy (its own or an attached queue policy) that denies requests made without TLS.",
    enforcementLevel: "mandatory",
    validateStack: (args: StackValidationArgs, reportViolation: ReportViolation) => {
        const queuePolicies = args.resources.filter((r) => r.type === QUEUE_POLICY);
        for (const queue of args.resources.filter((r) => r.type === QUEUE)) {
            const arn = String(queue.props.arn);
            if (tlsOnlyDocument(queue, arn) || attachedPolicies(queue, queuePolicies).some((p) => tlsOnlyDocument(p, arn))) continue;
            reportViolation(
                `the queue accepts requests without TLS: attach an aws.sqs.QueuePolicy (queueUrl: the queue's url) with Deny, Principal "*", Action "sqs:*", Condition {"Bool": {"aws:SecureTransport": "false"}}`,
                queue.urn,
            );
        }
    },
};

export const encryptedAtRest: ResourceValidationPolicy = {
    name: "encrypted-at-rest",
    description: "Tables are encrypted with a KMS key (serverSideEncryption.enabled); queues with SSE-SQS (sqsManagedSseEnabled) or a KMS key.",
    enforcementLevel: "mandatory",
    validateResource: (args: ResourceValidationArgs, reportViolation: ReportViolation) => {
        if (args.type === TABLE && args.props.serverSideEncryption?.enabled !== true) {
            reportViolation("the table is not encrypted with a KMS key: set serverSideEncryption.enabled");
        }
        // A queue with SSE-SQS needs no key; only without it is kmsMasterKeyId read (an unknown key id would stop the check).
        if (args.type === QUEUE && args.props.sqsManagedSseEnabled !== true && !args.props.kmsMasterKeyId) {
            reportViolation("the queue is not encrypted at rest: set sqsManagedSseEnabled (or kmsMasterKeyId)");
        }
    },
};

export const tablePointInTimeRecovery: ResourceValidationPolicy = {
    name: "table-point-in-time-recovery",
    description: "Tables keep point-in-time recovery on, so a bad write can be undone.",
    enforcementLevel: "mandatory",
    validateResource: (args: ResourceValidationArgs, reportViolation: ReportViolation) => {
        if (args.type === TABLE && args.props.pointInTimeRecovery?.enabled !== true) {
            reportViolation("point-in-time recovery is off: set pointInTimeRecovery.enabled");
        }
    },
};

export const logGroupRetention: ResourceValidationPolicy = {
    name: "log-group-retention",
    description: "Log groups expire their logs after a set number of days (retentionInDays), never keep them forever.",
    enforcementLevel: "mandatory",
    validateResource: (args: ResourceValidationArgs, reportViolation: ReportViolation) => {
        if (args.type !== LOG_GROUP) return;
        const days: unknown = args.props.retentionInDays;
        if (typeof days !== "number" || days <= 0) reportViolation("the log group keeps its logs forever: set retentionInDays");
    },
};

export const noPublicPrincipalWithoutCondition: ResourceValidationPolicy = {
    name: "no-public-principal-without-condition",
    description: 'No resource or trust policy allows everyone (Principal "*", {"AWS": "*"} or NotPrincipal) without a condition.',
    enforcementLevel: "mandatory",
    validateResource: (args: ResourceValidationArgs, reportViolation: ReportViolation) => {
        for (const document of documents(args, (d) => d.field.kind !== "identity")) {
            for (const s of allows(document).filter((st) => isPublic(st) && Object.keys(st.condition).length === 0)) {
                const who = s.notPrincipal ? `everyone but ${describePrincipal(s.principal)}` : `everyone (${JSON.stringify(s.principal)})`;
                reportViolation(`${s.label} allows ${who} with no condition`);
            }
        }
    },
};

/** The rules that judge the stack as a whole (a queue and the policy attached to it are two resources). */
export const stackRules: readonly StackValidationPolicy[] = [queuesTlsOnly];

/** Every rule of the pack that judges one resource, in the order Pulumi reports them. */
export const securityRules: readonly ResourceValidationPolicy[] = [
    readableDocuments,
    noWildcardResourceOnDataActions,
    noWildcardDataActions,
    queuePolicySourceArn,
    queuePolicyDeniesPlainHttp,
    encryptedAtRest,
    tablePointInTimeRecovery,
    logGroupRetention,
    noPublicPrincipalWithoutCondition,
];
