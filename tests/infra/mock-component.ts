// The stack's pipeline component built under Pulumi's mocks, with some resource types failing to create as a provider
// error would fail them; run as a program (`node --import tsx tests/infra/mock-component.ts FAILING_TYPE…`) it prints
// what was registered and what failed as one JSON line, and exits as a failed `pulumi up` does. A separate process:
// a failed deployment leaves rejected outputs behind, which the test runner would count against the test itself.
import * as pulumi from "@pulumi/pulumi";
import { loadSettings } from "../../infra/config";
import { createStack } from "../../infra/program";
import { readStackFile } from "../../infra/stack-file";
import { placeholderBundle, type RecordedResource, recordResources } from "./mock-stack";

/** Builds dev's component under mocks; resources of the `failing` types fail to create. */
export async function buildComponent(failing: ReadonlySet<string>): Promise<{ registered: RecordedResource[]; errors: string[] }> {
    const config = readStackFile("dev");
    const registered = await recordResources("dev", config, failing);
    const pipeline = createStack("dev", loadSettings(config), placeholderBundle(), config["aws:region"]);
    // Every output settles: it resolves, or rejects when what it depends on failed.
    const settled = await Promise.allSettled(
        [pipeline.liveAlias.arn, pipeline.eventSourceMapping.functionName, pipeline.smokeCheck.stdout, pipeline.dashboard.dashboardName].map(
            (output) => (output as unknown as { promise(): Promise<unknown> }).promise(),
        ),
    );
    if (failing.size === 0) await pulumi.runtime.disconnect();
    return { registered, errors: settled.flatMap((s) => (s.status === "rejected" ? [String(s.reason)] : [])) };
}

if (require.main === module) {
    void buildComponent(new Set(process.argv.slice(2))).then(({ registered, errors }) => {
        process.stdout.write(`${JSON.stringify({ types: registered.map((r) => r.type), errors })}\n`);
        process.exitCode = errors.length > 0 ? 1 : 0;
    });
}
