// npm run check:history -- [--seed S] [--orders N] [--versions V] [--faults F] [--poison P] [--shrink-runs R]
// Generates a seeded history, runs it through a local pipeline (real fauxqs, dynalite, execution environments) with
// its faults, and checks the outcome against the model (tests/history/history.ts). The seed is printed first; the
// same arguments reproduce the history. On a failure, the history is cut down to the smallest that still fails
// (at most R more runs, 12 by default) and printed; the exit status is 1.
import { parseArgs } from "node:util";
import { runCommand } from "../../infra/command-line";
import { describeHistory, generateHistory, runHistory, shrink } from "./history";

function whole(value: string | undefined, name: string, fallback: number, min: number, max: number): number {
    if (value === undefined) return fallback;
    if (!/^\d+$/.test(value) || Number(value) < min || Number(value) > max) throw new Error(`${name} is "${value}"; allowed: a whole number from ${min} to ${max}`);
    return Number(value);
}

async function main(): Promise<number> {
    const { values } = parseArgs({
        options: {
            seed: { type: "string" },
            orders: { type: "string" },
            versions: { type: "string" },
            faults: { type: "string" },
            poison: { type: "string" },
            "shrink-runs": { type: "string" },
        },
    });
    const seed = whole(values.seed, "--seed", Math.floor(Math.random() * 2 ** 32), 0, 2 ** 32 - 1);
    const options = {
        orders: whole(values.orders, "--orders", 200, 1, 100_000),
        versions: whole(values.versions, "--versions", 3, 1, 100),
        faults: whole(values.faults, "--faults", 5, 0, 1000),
        poisonPercent: whole(values.poison, "--poison", 5, 0, 100),
    };
    const shrinkRuns = whole(values["shrink-runs"], "--shrink-runs", 12, 0, 1000);
    console.log(`seed ${seed} (npm run check:history -- --seed ${seed} --orders ${options.orders} --versions ${options.versions} --faults ${options.faults} --poison ${options.poisonPercent})`);
    const history = generateHistory(seed, options);
    const report = await runHistory(history, undefined, (line) => console.log(line));
    console.log(`${report.messages} messages (${history.publications.filter((p) => p.poison).length} poison) for ${options.orders} orders, faults: ${report.faults.join("; ") || "none"}; ${(report.seconds / 60).toFixed(1)} min`);
    if (report.problems.length === 0) {
        console.log("the history agrees with the model: every order's item is its winner, every message has its outcome, the DLQ holds exactly the poison");
        return 0;
    }
    console.log(`the history departs from the model in ${report.problems.length} ways:\n${report.problems.slice(0, 20).map((p) => `  ${p}`).join("\n")}`);
    if (shrinkRuns > 0) {
        console.log(`cutting it down (at most ${shrinkRuns} runs)…`);
        const smallest = await shrink(history, async (candidate) => (await runHistory(candidate)).problems.length > 0, shrinkRuns);
        console.log(`the smallest failing history found in ${smallest.runs} runs:\n${describeHistory(smallest.history)}`);
    }
    return 1;
}

runCommand("npm run check:history", main);
