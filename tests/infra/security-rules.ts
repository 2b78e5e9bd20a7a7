// The security rules every stack must keep, as pure checks over the resources a mock run recorded.
// Each returns the problems it finds; tests assert an empty list for the real stacks and a non-empty one
// for deliberately bad fixtures, so the rules themselves are proven able to fail.
import type { PolicyDocument, PolicyStatement } from "../../infra/policies";
import type { RecordedResource } from "./mock-stack";

const list = (value: string | readonly string[] | undefined): readonly string[] => (value === undefined ? [] : typeof value === "string" ? [value] : value);

function policies(resources: readonly RecordedResource[]): Array<{ owner: string; document: PolicyDocument }> {
    return resources
        .filter((r) => typeof r.inputs.policy === "string")
        .map((r) => ({ owner: `${r.type} ${r.name}`, document: JSON.parse(r.inputs.policy) as PolicyDocument }));
}

/** No Allow of a DynamoDB or SQS action (or of every action) on the resource "*". */
export function wildcardGrants(resources: readonly RecordedResource[]): string[] {
    const problems: string[] = [];
    for (const { owner, document } of policies(resources)) {
        for (const s of document.Statement.filter((st) => st.Effect === "Allow")) {
            const risky = list(s.Action).filter((a) => a === "*" || /^(dynamodb|sqs):/i.test(a));
            if (risky.length > 0 && list(s.Resource).includes("*")) problems.push(`${owner}: ${s.Sid} allows ${risky.join(", ")} on *`);
        }
    }
    return problems;
}

/** The order queue's policy admits only sns.amazonaws.com from the order topic, and denies requests without TLS. */
export function queuePolicyProblems(resources: readonly RecordedResource[], queueArn: string, topicArn: string): string[] {
    const problems: string[] = [];
    const queuePolicies = resources.filter((r) => r.type === "aws:sqs/queuePolicy:QueuePolicy");
    if (queuePolicies.length === 0) problems.push("no queue policy");
    for (const r of queuePolicies) {
        const statements = (JSON.parse(r.inputs.policy) as PolicyDocument).Statement;
        for (const s of statements.filter((st) => st.Effect === "Allow")) {
            const principal = s.Principal;
            const fromTopic = s.Condition?.ArnEquals?.["aws:SourceArn"] ?? s.Condition?.ArnLike?.["aws:SourceArn"];
            if (typeof principal !== "object" || principal.Service !== "sns.amazonaws.com") problems.push(`${s.Sid}: principal is ${JSON.stringify(principal)}`);
            if (fromTopic !== topicArn) problems.push(`${s.Sid}: not limited to the order topic (aws:SourceArn ${JSON.stringify(fromTopic)})`);
            if (list(s.Action).some((a) => a !== "sqs:SendMessage")) problems.push(`${s.Sid}: allows ${list(s.Action).join(", ")}`);
            if (list(s.Resource).some((res) => res !== queueArn)) problems.push(`${s.Sid}: on ${list(s.Resource).join(", ")}`);
        }
        const denyPlainHttp = statements.some(
            (s: PolicyStatement) =>
                s.Effect === "Deny" && s.Principal === "*" && list(s.Action).includes("sqs:*") && s.Condition?.Bool?.["aws:SecureTransport"] === "false",
        );
        if (!denyPlainHttp) problems.push("requests without TLS are not denied");
    }
    return problems;
}

/** Every table and queue is encrypted at rest. */
export function unencrypted(resources: readonly RecordedResource[]): string[] {
    const problems: string[] = [];
    for (const r of resources) {
        if (r.type === "aws:dynamodb/table:Table" && r.inputs.serverSideEncryption?.enabled !== true) problems.push(`table ${r.name} is not encrypted`);
        if (r.type === "aws:sqs/queue:Queue" && r.inputs.sqsManagedSseEnabled !== true && !r.inputs.kmsMasterKeyId) problems.push(`queue ${r.name} is not encrypted`);
    }
    return problems;
}

/** Plain (not `secure:`) config values that look like secrets, in a stack file's parsed config. */
export function secretsInConfig(config: Readonly<Record<string, string>>): string[] {
    const problems: string[] = [];
    for (const [key, value] of Object.entries(config)) {
        if (/(secret|password|passwd|token|credential|private|apikey|api_key|accesskey)/i.test(key)) problems.push(`${key} holds a plain value; use pulumi config set --secret`);
        if (/AKIA[0-9A-Z]{16}|ASIA[0-9A-Z]{16}|-----BEGIN [A-Z ]*PRIVATE KEY-----|xox[bp]-|ghp_[0-9A-Za-z]{20,}/.test(value)) problems.push(`${key} looks like a credential`);
    }
    return problems;
}
