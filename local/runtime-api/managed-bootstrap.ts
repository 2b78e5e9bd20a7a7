// Builds local/runtime-api/ManagedBootstrap, the local stand-in for Lambda's dotnet10 runtime: an execution environment
// that loads the managed bundle by its handler string and speaks the Lambda Runtime API. Skipped when nothing
// it reads has changed (packaging's buildOnce).
import * as path from "node:path";
import { repositoryRoot } from "../../infra/repository";
import { buildOnce, hostArchitecture, publishDotnet } from "../../infra/packaging";

const PROJECT = path.join(repositoryRoot, "local", "runtime-api", "ManagedBootstrap");

/** Publishes the managed bootstrap for this machine into `outputDirectory` (ReadyToRun, like Lambda's precompiled runtime) and returns its dll. */
export async function buildManagedBootstrap(outputDirectory: string): Promise<string> {
    const dll = path.join(outputDirectory, "ManagedBootstrap.dll");
    await buildOnce(
        {
            what: `managed-bootstrap-${hostArchitecture()}`,
            // It compiles the function's Runtime API client from its source folder.
            directories: [PROJECT, path.join(repositoryRoot, "functions", "OrderProcessor", "Runtime")],
            stamp: `${outputDirectory}.inputs`,
            outputs: [dll],
        },
        () => publishDotnet(PROJECT, outputDirectory, hostArchitecture(), true),
    );
    return dll;
}
