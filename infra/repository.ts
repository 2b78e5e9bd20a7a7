// Where things are in the repository, for the stack, the local pipeline, the benchmarks and the tests alike.
import * as path from "node:path";

/** The repository root (this file lives in infra/). */
export const repositoryRoot = path.resolve(__dirname, "..");

/** The function's project folder. */
export const functionDirectory = path.join(repositoryRoot, "functions", "OrderProcessor");
