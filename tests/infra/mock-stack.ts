// Runs the real Pulumi program (infra/index.ts) under Pulumi's mocks, for one stack's config file, and
// records every resource it registers. An unexpected provider call fails the run.
import * as pulumi from "@pulumi/pulumi";
import { PROJECT } from "../../infra/config";
import { readStackFile } from "../../local/stack-file";

export const ACCOUNT = "123456789012";
export const REGION = "us-east-1";

export interface RecordedResource {
    readonly type: string;
    readonly name: string;
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    readonly inputs: Record<string, any>;
}

export interface StackRun {
    readonly resources: readonly RecordedResource[];
    readonly outputs: Record<string, unknown>;
    /** The one resource of this type (and logical name suffix, when given); throws when there is not exactly one. */
    one(type: string, nameSuffix?: string): RecordedResource;
    all(type: string): RecordedResource[];
}

/** What AWS would report for a new resource: ARNs and URLs built from its physical name. */
function fakeState(type: string, name: string, inputs: Record<string, unknown>): Record<string, unknown> {
    const physical = (inputs.name as string | undefined) ?? name;
    switch (type) {
        case "aws:sqs/queue:Queue":
            return { arn: `arn:aws:sqs:${REGION}:${ACCOUNT}:${physical}`, url: `https://sqs.${REGION}.amazonaws.com/${ACCOUNT}/${physical}`, name: physical };
        case "aws:sns/topic:Topic":
            return { arn: `arn:aws:sns:${REGION}:${ACCOUNT}:${physical}`, name: physical };
        case "aws:dynamodb/table:Table":
            return { arn: `arn:aws:dynamodb:${REGION}:${ACCOUNT}:table/${physical}`, name: physical };
        case "aws:lambda/function:Function":
            return { arn: `arn:aws:lambda:${REGION}:${ACCOUNT}:function:${physical}`, name: physical };
        case "aws:cloudwatch/logGroup:LogGroup":
            return { arn: `arn:aws:logs:${REGION}:${ACCOUNT}:log-group:${physical}`, name: physical };
        case "aws:iam/role:Role":
            return { arn: `arn:aws:iam::${ACCOUNT}:role/${physical}`, name: physical };
        default:
            return {};
    }
}

/** Resolves an output the way a test must before asserting on it. */
export function resolve<T>(output: pulumi.Output<T>): Promise<T> {
    return new Promise((done) => output.apply((value) => { done(value); return value; }));
}

/** Loads infra/index.ts for `stack` (its Pulumi.<stack>.yaml plus `overrides`) and waits for every resource. */
export async function runStack(stack: string, overrides: Readonly<Record<string, string>> = {}): Promise<StackRun> {
    const resources: RecordedResource[] = [];
    await pulumi.runtime.setMocks(
        {
            newResource: (args) => {
                resources.push({ type: args.type, name: args.name, inputs: args.inputs });
                return { id: `${args.name}-id`, state: { ...args.inputs, ...fakeState(args.type, args.name, args.inputs) } };
            },
            call: (args) => {
                throw new Error(`unexpected provider call ${args.token}: the stack must not look anything up`);
            },
        },
        PROJECT,
        stack,
        false,
    );
    pulumi.runtime.setAllConfig({ ...readStackFile(stack), ...overrides });

    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const program = require("../../infra/index") as Record<string, unknown>;
    const outputs: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(program)) {
        outputs[key] = pulumi.Output.isInstance(value) ? await resolve(value) : value;
    }
    // Resources whose inputs depend on other outputs register a little later: wait until none is added.
    for (let count = -1, stable = 0; stable < 5; await new Promise((r) => setTimeout(r, 20))) {
        stable = resources.length === count ? stable + 1 : 0;
        count = resources.length;
    }

    const all = (type: string) => resources.filter((r) => r.type === type);
    return {
        resources,
        outputs,
        all,
        one: (type, nameSuffix) => {
            const found = all(type).filter((r) => nameSuffix === undefined || r.name.endsWith(nameSuffix));
            if (found.length !== 1) throw new Error(`expected one ${type}${nameSuffix ? ` named *${nameSuffix}` : ""}, found ${found.length}`);
            return found[0]!;
        },
    };
}
