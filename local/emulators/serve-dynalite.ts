// Runs dynalite on 127.0.0.1 for a process that is not Node (the .NET integration tests):
//   node --import tsx local/emulators/serve-dynalite.ts [--port N]
// prints one line, {"endpoint":"http://127.0.0.1:PORT"}, once it listens, and stops when its standard
// input closes or it gets SIGTERM/SIGINT, so it never outlives the process that started it.
import { parseArgs } from "node:util";
import { startDynalite } from "./servers";
import { runCommand } from "../../infra/command-line";

async function main(): Promise<void> {
    const { values } = parseArgs({ options: { port: { type: "string", default: "0" } } });
    const server = await startDynalite(Number(values.port));
    process.stdout.write(`${JSON.stringify({ endpoint: server.endpoint })}\n`);

    await new Promise<void>((stop) => {
        process.stdin.on("end", stop).on("error", stop).resume();
        process.once("SIGTERM", stop).once("SIGINT", stop);
    });
    await server.close();
}

runCommand("serve-dynalite", main);
