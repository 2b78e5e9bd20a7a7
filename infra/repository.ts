// Where things are in the repository, for the stack, the local pipeline, the benchmarks and the tests alike.
import * as fs from "node:fs";
import * as path from "node:path";

/** The repository root (this file lives in infra/). */
export const repositoryRoot = path.resolve(__dirname, "..");

/** The function's project folder. */
export const functionDirectory = path.join(repositoryRoot, "functions", "OrderProcessor");

/**
 * The folder of an installed npm package, found as Node finds the package (the node_modules folders from here up),
 * for files its `exports` do not name: fauxqs' stores, uPlot's browser bundle.
 */
export function packageDirectory(name: string): string {
    for (const folder of require.resolve.paths(name) ?? []) {
        if (fs.existsSync(path.join(folder, name, "package.json"))) return path.join(folder, name);
    }
    throw new Error(`the npm package ${name} is not installed: run npm ci`);
}
