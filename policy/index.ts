// The policy pack that `pulumi preview --policy-pack policy` and `pulumi up --policy-pack policy` run: the stack's
// security rules (policy/rules.ts), every one mandatory, so a change that breaks one fails the preview.
import { PolicyPack } from "@pulumi/policy";
import { securityRules, stackRules } from "./rules";

new PolicyPack("order-pipeline-security", {
    description: "The order pipeline's security rules: exact resources and actions in IAM policies, queues open only to their source, every queue over TLS only, encryption at rest, point-in-time recovery, log retention.",
    enforcementLevel: "mandatory",
    policies: [...securityRules, ...stackRules],
});
