// dynalite ships no types; this is the part of its API the project uses.
declare module "dynalite" {
    import type { Server } from "node:http";

    interface DynaliteOptions {
        /** Milliseconds a table stays CREATING (default 500). */
        createTableMs?: number;
        deleteTableMs?: number;
        updateTableMs?: number;
        /** LevelDB folder; in memory when absent. */
        path?: string;
        maxItemSizeKb?: number;
    }

    function dynalite(options?: DynaliteOptions): Server;
    export = dynalite;
}
