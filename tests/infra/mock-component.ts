// The OrderPipeline component built under Pulumi's mocks, with some resource types failing to create as a provider
// error would fail them; run as a program (`node --import tsx tests/infra/mock-component.ts FAILING_TYPE…`) it prints
// what was registered and what failed as one JSON line, and exits as a failed `pulumi up` does. A separate process:
// a failed deployment leaves rejected outputs behind, which the test runner would count against the test itself.
import * as pulumi from "@pulumi/pulumi";
import { DEFAULTS, PROJECT } from "../../infra/config";
import { OrderPipeline } from "../../infra/order-pipeline";
import { fakeState, placeholderBundle } from "./mock-stack";

export interface Registered {
    readonly type: string;
    readonly name: string;
    readonly inputs: Record<string, unknown>;
}

/** Builds the component under mocks; resources of the `failing` types fail to create. */
export async function buildComponent(failing: ReadonlySet<string>): Promise<{ registered: Registered[]; errors: string[] }> {
    const registered: Registered[] = [];
    await pulumi.runtime.setMocks(
        {
            newResource: (args) => {
                registered.push({ type: args.type, name: args.name, inputs: args.inputs });
                if (failing.has(args.type)) throw new Error(`${args.name}: OrderProcessor-dev version 7 failed its smoke invocation`);
                return { id: `${args.name}-id`, state: { ...args.inputs, ...fakeState(args.type, args.name, args.inputs) } };
            },
            call: (args) => {
                throw new Error(`unexpected provider call ${args.token}`);
            },
        },
        PROJECT,
        "dev",
        false,
    );
    pulumi.runtime.setAllConfig({ "aws:region": "us-east-1" });
    const pipeline = new OrderPipeline("orders", { settings: DEFAULTS, nameSuffix: "dev", bundle: placeholderBundle(), region: "us-east-1" });
    // Every output settles: it resolves, or rejects when what it depends on failed.
    const settled = await Promise.allSettled(
        [pipeline.liveAlias.arn, pipeline.eventSourceMapping.functionName, pipeline.smokeCheck.stdout, pipeline.dashboard.dashboardName].map(
            (output) => (output as unknown as { promise(): Promise<unknown> }).promise(),
        ),
    );
    return { registered, errors: settled.flatMap((s) => (s.status === "rejected" ? [String(s.reason)] : [])) };
}

if (require.main === module) {
    buildComponent(new Set(process.argv.slice(2))).then(({ registered, errors }) => {
        process.stdout.write(`${JSON.stringify({ types: registered.map((r) => r.type), errors })}\n`);
        process.exitCode = errors.length > 0 ? 1 : 0;
    });
}
