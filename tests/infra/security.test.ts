// The policy pack (policy/) over every resource the dev and prod stacks create: no violation, and proof that the rules
// really reach those resources. Then the one rule the pack cannot hold: no secret in a stack's config file.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { securityRules, stackRules } from "../../policy/rules";
import { listStacks, readStackFile } from "../../infra/stack-file";
import { placeholderBundle, buildStack } from "./mock-stack";
import { packViolations } from "./security-rules";

/** The resources of a stack the pack's rules judge, by type token: each must be in the run, or the rules check nothing. */
const JUDGED = [
    "aws:dynamodb/table:Table",
    "aws:sqs/queue:Queue",
    "aws:sqs/queuePolicy:QueuePolicy",
    "aws:iam/role:Role",
    "aws:iam/rolePolicy:RolePolicy",
    "aws:cloudwatch/logGroup:LogGroup",
];

describe("security rules of the policy pack on the stacks", () => {
    for (const stack of ["dev", "prod"]) {
        it(`${stack}: every resource keeps every rule of the pack`, async () => {
            // The function's code plays no part in these rules: a stand-in bundle spares packaging it.
            const run = await buildStack(stack, {}, { bundle: placeholderBundle() });
            for (const type of JUDGED) assert.ok(run.all(type).length > 0, `the ${stack} stack has no ${type}`);
            assert.deepEqual(packViolations(run.resources), []);
        });
    }

    it("dev, its order queue policy without the TLS Deny: the pack names the policy, the queue and the rules", async () => {
        const run = await buildStack("dev", {}, { bundle: placeholderBundle() });
        const resources = run.resources.map((r) => {
            if (r.type !== "aws:sqs/queuePolicy:QueuePolicy" || !r.name.endsWith("-queue-policy")) return r;
            const document = JSON.parse(r.inputs.policy) as { Statement: Array<{ Sid: string }> };
            return { ...r, inputs: { ...r.inputs, policy: JSON.stringify({ ...document, Statement: document.Statement.filter((s) => s.Sid !== "DenyWithoutTls") }) } };
        });
        assert.deepEqual(packViolations(resources), [
            'queue-policy-denies-plain-http: aws:sqs/queuePolicy:QueuePolicy orders-queue-policy: no statement denies requests without TLS: add Deny, Principal "*", Action "sqs:*", Condition {"Bool": {"aws:SecureTransport": "false"}}',
            `queues-tls-only: orders-queue: the queue accepts requests without TLS: attach an aws.sqs.QueuePolicy (queueUrl: the queue's url) with Deny, Principal "*", Action "sqs:*", Condition {"Bool": {"aws:SecureTransport": "false"}}`,
        ]);
    });

    it("the pack keeps its ten rules: dropping one is a decision made here, not an accident", () => {
        assert.deepEqual(
            [...securityRules, ...stackRules].map((rule) => rule.name),
            [
                "iam-documents-readable",
                "no-wildcard-resource-on-data-actions",
                "no-wildcard-data-actions",
                "queue-policy-source-arn",
                "queue-policy-denies-plain-http",
                "encrypted-at-rest",
                "table-point-in-time-recovery",
                "log-group-retention",
                "no-public-principal-without-condition",
                "queues-tls-only",
            ],
        );
    });
});

// A policy pack sees resources, not the stack's config file (@pulumi/policy 1.21 hands it only the stack's tags), so this
// rule stays here: a value that should be `pulumi config set --secret` is caught before it is committed.

/** Plain (not `secure:`) config values that look like secrets, in a stack file's parsed config. */
function secretsInConfig(config: Readonly<Record<string, string>>): string[] {
    const problems: string[] = [];
    for (const [key, value] of Object.entries(config)) {
        if (/(secret|password|passwd|token|credential|private|apikey|api_key|accesskey)/i.test(key)) problems.push(`${key} holds a plain value; use pulumi config set --secret`);
        if (/AKIA[0-9A-Z]{16}|ASIA[0-9A-Z]{16}|-----BEGIN [A-Z ]*PRIVATE KEY-----|xox[bp]-|ghp_[0-9A-Za-z]{20,}/.test(value)) problems.push(`${key} looks like a credential`);
    }
    return problems;
}

describe("stack config files", () => {
    it("a secret in a config file is caught; no stack file holds one", () => {
        assert.deepEqual(secretsInConfig({ "order-pipeline:dbPassword": "hunter2", "aws:accessKey": "AKIAABCDEFGHIJKLMNOP" }), [
            "order-pipeline:dbPassword holds a plain value; use pulumi config set --secret",
            "aws:accessKey holds a plain value; use pulumi config set --secret",
            "aws:accessKey looks like a credential",
        ]);
        for (const stack of listStacks()) assert.deepEqual(secretsInConfig(readStackFile(stack)), [], `Pulumi.${stack}.yaml`);
    });
});
