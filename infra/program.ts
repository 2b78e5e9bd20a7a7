// The stack a program deploys, apart from where its config and its bundle come from: infra/index.ts gives it
// Pulumi's config and the packaged function; the tests give it a stack file's settings and a stand-in bundle, and
// build the same component under Pulumi's mocks.
import * as pulumi from "@pulumi/pulumi";
import { dashboardConsoleUrl } from "./dashboard";
import { OrderPipeline } from "./order-pipeline";
import type { FunctionBundle } from "./packaging";
import { publishCommand } from "./sample-order";
import { type PipelineSettings, PROJECT } from "./settings";

/** The stack's one component: every resource, named after the stack. */
export function createStack(stack: string, settings: PipelineSettings, bundle: pulumi.Input<FunctionBundle>, region: string | undefined): OrderPipeline {
    return new OrderPipeline("orders", {
        settings,
        nameSuffix: stack,
        bundle,
        tags: { project: PROJECT, stack },
        region,
    });
}

/** What `pulumi stack output` shows: every name a user or a script needs, and a command that publishes the sample order. */
export function stackOutputs(pipeline: OrderPipeline) {
    return {
        topicArn: pipeline.topic.arn,
        queueUrl: pipeline.queue.url,
        deadLetterQueueUrl: pipeline.deadLetterQueue.url,
        tableName: pipeline.table.name,
        functionName: pipeline.function.name,
        /** The version the event source mapping invokes (through the alias `live`). */
        liveVersion: pipeline.liveAlias.functionVersion,
        alertsTopicArn: pipeline.alertsTopic.arn,
        dashboardName: pipeline.dashboard.dashboardName,
        dashboardUrl: dashboardConsoleUrl(pipeline.dashboard.dashboardName),
        publishSampleOrder: pipeline.topic.arn.apply((arn) => publishCommand(arn)),
    };
}
