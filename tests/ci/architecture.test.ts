// The project's arrows, checked on every run: infra/, policy/ and functions/ import nothing from local/ or bench/;
// local/ nothing from bench/; and no two modules import each other, directly or around a loop. Imports are read from
// the sources as text (static `import … from`, `export … from`, `import("…")` and `require("…")`), type-only ones included.
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { describe, it } from "node:test";
import { repositoryRoot } from "../../infra/repository";

const ROOTS = ["infra", "policy", "local", "bench"];

function sources(directory: string): string[] {
    return fs.readdirSync(path.join(repositoryRoot, directory), { withFileTypes: true }).flatMap((entry) => {
        const relative = path.join(directory, entry.name);
        if (entry.isDirectory()) return ["node_modules", "bin", "obj"].includes(entry.name) ? [] : sources(relative);
        return entry.name.endsWith(".ts") ? [relative] : [];
    });
}

/** The project files a module imports, as repository-relative paths. */
function importsOf(file: string): string[] {
    const text = fs.readFileSync(path.join(repositoryRoot, file), "utf8");
    const specifiers = [...text.matchAll(/(?:^|\n)\s*(?:import|export)\b[^;]*?\bfrom\s+"([^"]+)"|\b(?:import|require)\(\s*"([^"]+)"\s*\)/g)].map((m) => m[1] ?? m[2]!);
    return specifiers
        .filter((specifier) => specifier.startsWith("."))
        .map((specifier) => {
            const base = path.normalize(path.join(path.dirname(file), specifier));
            const candidate = [`${base}.ts`, path.join(base, "index.ts")].find((f) => fs.existsSync(path.join(repositoryRoot, f)));
            return candidate ?? base;
        });
}

const graph = new Map(ROOTS.flatMap(sources).map((file) => [file, importsOf(file)] as const));

/** Every loop of imports: Tarjan's strongly connected components of more than one module, each sorted. */
function loopsOf(modules: ReadonlyMap<string, readonly string[]>): string[][] {
    const index = new Map<string, number>();
    const low = new Map<string, number>();
    const stack: string[] = [];
    const onStack = new Set<string>();
    const loops: string[][] = [];
    let next = 0;
    const visit = (node: string) => {
        index.set(node, next);
        low.set(node, next++);
        stack.push(node);
        onStack.add(node);
        for (const target of modules.get(node) ?? []) {
            if (!modules.has(target)) continue;
            if (!index.has(target)) {
                visit(target);
                low.set(node, Math.min(low.get(node)!, low.get(target)!));
            } else if (onStack.has(target)) {
                low.set(node, Math.min(low.get(node)!, index.get(target)!));
            }
        }
        if (low.get(node) === index.get(node)) {
            const component: string[] = [];
            let member: string;
            do {
                member = stack.pop()!;
                onStack.delete(member);
                component.push(member);
            } while (member !== node);
            if (component.length > 1) loops.push(component.sort());
        }
    };
    for (const node of modules.keys()) if (!index.has(node)) visit(node);
    return loops;
}

describe("the project's arrows", () => {
    it("reads the modules it judges", () => {
        assert.ok(graph.size > 40, `${graph.size} modules`);
        assert.ok(graph.get(path.join("infra", "program.ts"))!.includes(path.join("infra", "order-pipeline.ts")), "infra/program.ts imports infra/order-pipeline.ts");
    });

    it("infra/ and policy/ import nothing from local/ or bench/; local/ nothing from bench/", () => {
        const wrong = [...graph].flatMap(([file, imports]) =>
            imports
                .filter((target) => (/^(infra|policy)\//.test(file) && /^(local|bench)\//.test(target)) || (/^local\//.test(file) && /^bench\//.test(target)))
                .map((target) => `${file} → ${target}`),
        );
        assert.deepEqual(wrong, []);
    });

    it("no two modules import each other, directly or around a loop", () => {
        assert.deepEqual(loopsOf(graph), []);
    });

    it("the loop finder finds a loop when there is one", () => {
        const a = path.join("infra", "program.ts");
        const b = path.join("infra", "order-pipeline.ts");
        const looped = new Map(graph);
        looped.set(b, [...graph.get(b)!, a]);
        assert.deepEqual(loopsOf(looped), [[a, b].sort()]);
        assert.deepEqual(loopsOf(new Map([["x", ["y"]], ["y", ["z"]], ["z", ["x"]], ["w", ["x"]]])), [["x", "y", "z"]]);
    });
});
