// Which addresses a process listens on, read from Linux's /proc: for the loopback-only rule.
import * as fs from "node:fs";

export interface Listener {
    readonly address: string;
    readonly port: number;
}

/** The TCP sockets in LISTEN state that process `pid` holds, with their local address. */
export function listeningSockets(pid: number): Listener[] {
    const inodes = new Set<string>();
    for (const fd of fs.readdirSync(`/proc/${pid}/fd`)) {
        try {
            const match = /^socket:\[(\d+)\]$/.exec(fs.readlinkSync(`/proc/${pid}/fd/${fd}`));
            if (match) inodes.add(match[1]!);
        } catch {
            // closed while reading
        }
    }
    const listeners: Listener[] = [];
    for (const table of ["tcp", "tcp6"]) {
        const lines = fs.readFileSync(`/proc/${pid}/net/${table}`, "utf8").trim().split("\n").slice(1);
        for (const line of lines) {
            const fields = line.trim().split(/\s+/);
            // sl, local_address, rem_address, st, tx:rx, tr:when, retrnsmt, uid, timeout, inode
            const [, local, , state, , , , , , inode] = fields;
            if (state !== "0A" || !inodes.has(inode!)) continue;
            const [hex, port] = local!.split(":");
            listeners.push({ address: decodeAddress(hex!), port: parseInt(port!, 16) });
        }
    }
    return listeners;
}

function decodeAddress(hex: string): string {
    if (hex.length === 8) {
        return [3, 2, 1, 0].map((i) => parseInt(hex.slice(i * 2, i * 2 + 2), 16)).join(".");
    }
    // IPv6: four 32-bit words, each in little-endian byte order.
    const network = [0, 1, 2, 3].map((w) => hex.slice(w * 8, w * 8 + 8).match(/../g)!.reverse().join("")).join("").toLowerCase();
    if (network === "0".repeat(32)) return "::";
    if (network === `${"0".repeat(31)}1`) return "::1";
    if (network.startsWith(`${"0".repeat(20)}ffff`)) return decodeAddress(network.slice(24).match(/../g)!.reverse().join(""));
    return network.match(/..../g)!.join(":");
}
