// The policy pack's rules (policy/rules.ts) applied to resources the way Pulumi applies them at preview: each resource
// rule's validateResource on each resource's inputs, each stack rule's validateStack on all resources with their
// outputs, wrapped in @pulumi/policy's unknown-checking proxy. The rules are defined in the pack only; this file runs
// them for the tests.
import type { PolicyResource, ResourceValidationArgs, ResourceValidationPolicy, StackValidationPolicy } from "@pulumi/policy";
import { securityRules, stackRules } from "../../policy/rules";
import type { RecordedResource } from "./mock-stack";

// @pulumi/policy's server wraps a resource's inputs in this proxy before any rule reads them (server.js, analyze).
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { unknownCheckingProxy } = require("@pulumi/policy/proxy") as { unknownCheckingProxy<T extends object>(props: T): T };

const urnOf = (resource: RecordedResource) => `urn:pulumi:test::order-pipeline::${resource.type}::${resource.name}`;

/** The arguments @pulumi/policy hands a rule's validateResource for `resource`: type token, name, inputs (see its server.js). */
export function validationArgs(resource: RecordedResource): ResourceValidationArgs {
    const unused = (what: string) => () => {
        throw new Error(`the pack's rules match type tokens and take no config; ${what} is not part of them`);
    };
    return {
        type: resource.type,
        name: resource.name,
        urn: urnOf(resource),
        props: unknownCheckingProxy({ ...resource.inputs }),
        opts: { protect: false, ignoreChanges: [], aliases: [], customTimeouts: { createSeconds: 0, updateSeconds: 0, deleteSeconds: 0 }, additionalSecretOutputs: [] },
        stackTags: new Map(),
        isType: unused("isType"),
        asType: unused("asType"),
        getConfig: unused("getConfig"),
        notApplicable: unused("notApplicable"),
    };
}

/** The messages `rule` reports for `resource`. Every rule of the pack is synchronous; a promise here is a mistake. */
export function ruleViolations(rule: ResourceValidationPolicy, resource: RecordedResource): string[] {
    const messages: string[] = [];
    const validations = rule.validateResource === undefined ? [] : Array.isArray(rule.validateResource) ? rule.validateResource : [rule.validateResource];
    for (const validate of validations) {
        const result: unknown = validate(validationArgs(resource), (message) => messages.push(message));
        if (result instanceof Promise) throw new Error(`${rule.name} is asynchronous; this runner and the pack's rules are not`);
    }
    return messages;
}

/**
 * The stack's resources as @pulumi/policy hands them to a stack rule: props are the outputs (the mock's state, with
 * the inputs as the test set them), and a property's dependencies are the resources whose output it took. The mocks
 * do not report dependencies, so a property holding another resource's URL or ARN is taken to depend on it: what the
 * engine records for `queueUrl: queue.url`.
 */
export function policyResources(resources: readonly RecordedResource[]): PolicyResource[] {
    const unused = (what: string) => () => {
        throw new Error(`the pack's rules match type tokens and take no config; ${what} is not part of them`);
    };
    const converted = resources.map((resource) => ({
        resource,
        policy: {
            type: resource.type,
            name: resource.name,
            urn: urnOf(resource),
            props: unknownCheckingProxy({ ...resource.state, ...resource.inputs }),
            opts: { protect: false, ignoreChanges: [], aliases: [], customTimeouts: { createSeconds: 0, updateSeconds: 0, deleteSeconds: 0 }, additionalSecretOutputs: [] },
            dependencies: [],
            propertyDependencies: {},
            isType: unused("isType"),
            asType: unused("asType"),
        } as PolicyResource,
    }));
    const byReference = new Map<unknown, PolicyResource>();
    for (const { resource, policy } of converted) {
        for (const key of ["url", "arn"]) if (typeof resource.state[key] === "string") byReference.set(resource.state[key], policy);
    }
    for (const { resource, policy } of converted) {
        for (const [key, value] of Object.entries(resource.inputs)) {
            const from = byReference.get(value);
            if (from !== undefined && from !== policy) {
                policy.propertyDependencies[key] = [from];
                policy.dependencies.push(from);
            }
        }
    }
    return converted.map((c) => c.policy);
}

/** The messages `rule` reports for the stack made of `resources`, as "<resource name>: <message>". */
export function stackRuleViolations(rule: StackValidationPolicy, resources: readonly RecordedResource[]): string[] {
    const messages: string[] = [];
    const all = policyResources(resources);
    const nameOf = new Map(all.map((r) => [r.urn, r.name]));
    const result: unknown = rule.validateStack?.(
        { resources: all, stackTags: new Map(), getConfig: () => { throw new Error("the pack's rules take no config"); }, notApplicable: () => { throw new Error("not applicable"); } },
        (message, urn) => messages.push(`${urn === undefined ? "the stack" : nameOf.get(urn)}: ${message}`),
    );
    if (result instanceof Promise) throw new Error(`${rule.name} is asynchronous; this runner and the pack's rules are not`);
    return messages;
}

/**
 * Every violation of the whole pack among `resources`: resource rules as "<rule>: <type> <name>: <message>", stack
 * rules as "<rule>: <name>: <message>".
 */
export function packViolations(resources: readonly RecordedResource[]): string[] {
    return [
        ...resources.flatMap((resource) => securityRules.flatMap((rule) => ruleViolations(rule, resource).map((message) => `${rule.name}: ${resource.type} ${resource.name}: ${message}`))),
        ...stackRules.flatMap((rule) => stackRuleViolations(rule, resources).map((message) => `${rule.name}: ${message}`)),
    ];
}
