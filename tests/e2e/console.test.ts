// The console of npm run local, driven in headless Chromium (Debian's chromium, through playwright-core) against a
// real local pipeline: publish through the form and follow the order to the table; a bad order refused until the
// explicit second step, then in the DLQ with its reason, redriven and deleted; orders published from outside move
// the counts; the table refusing makes failed writes back off while the DLQ stays empty; hostile text stays text;
// another site's page cannot publish. Screenshots of each view go to .build/console/.
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as http from "node:http";
import * as path from "node:path";
import { after, before, describe, it } from "node:test";
import { type Browser, chromium, type Page } from "playwright-core";
import { findChromium } from "../../infra/command-line";
import { physicalNames } from "../../infra/naming";
import { repositoryRoot } from "../../infra/repository";
import { ConsoleModel } from "../../local/console/model";
import { type ConsoleServer, startConsole } from "../../local/console/server";
import { LOOPBACK } from "../../local/emulators/servers";
import { order, startTestPipeline, type TestPipeline, waitUntil } from "./harness";

const SCREENSHOTS = path.join(repositoryRoot, ".build", "console");

/** The browser the prerequisites install (Debian's chromium package), or CHROMIUM_PATH. */
function chromiumPath(): string {
    const found = findChromium();
    if (!found) throw new Error("the console's tests drive Chromium: install Debian's chromium package (bash .ci/prerequisites.sh does), or set CHROMIUM_PATH");
    return found;
}

describe("the console, in a real browser", () => {
    let pipeline: TestPipeline;
    let model: ConsoleModel;
    let console_: ConsoleServer;
    let browser: Browser;
    let page: Page;
    const pageErrors: string[] = [];
    const dialogs: string[] = [];

    before(async () => {
        model = new ConsoleModel(physicalNames("dev"));
        pipeline = await startTestPipeline({}, undefined, { console: model, tableFault: "pass" });
        console_ = await startConsole({ pipeline, model, port: 0 });
        // As root (CI), Chromium runs only without its sandbox; the page it loads is this test's own.
        browser = await chromium.launch({ executablePath: chromiumPath(), args: process.getuid?.() === 0 ? ["--no-sandbox"] : [] });
        page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
        page.on("pageerror", (error) => pageErrors.push(String(error)));
        page.on("console", (message) => {
            if (message.type() === "error") pageErrors.push(message.text());
        });
        page.on("dialog", (dialog) => {
            dialogs.push(dialog.message());
            void dialog.accept();
        });
        await page.goto(console_.url);
        await page.getByText("live", { exact: true }).waitFor();
        fs.mkdirSync(SCREENSHOTS, { recursive: true });
    });

    after(async () => {
        await browser?.close();
        await console_?.close();
        await pipeline?.stop();
    });

    const shoot = (name: string) => page.screenshot({ path: path.join(SCREENSHOTS, `${name}.png`), fullPage: true });
    const count = async (name: string) => Number(await page.locator(`[data-count="${name}"]`).textContent());
    /** The topic's publishes as the runner counts them, once the page shows the same. */
    const published = async () => {
        const truth = model.counts().published;
        await waitUntil(`the page shows ${truth} published`, async () => (await count("published")) === truth, 10_000);
        return truth;
    };
    const section = (name: string) => page.getByRole("region", { name });

    it("every control has its accessible name", async () => {
        for (const [role, name] of [
            ["textbox", "Order"],
            ["button", "Publish"],
            ["button", "Redrive all"],
            ["textbox", "Order id"],
            ["button", "Follow"],
            ["spinbutton", "Variants"],
            ["button", "Publish variants"],
            ["combobox", "Ready bad order"],
            ["radio", "refusing"],
        ] as const) {
            assert.equal(await page.getByRole(role, { name, exact: true }).count(), 1, `${role} "${name}"`);
        }
        assert.equal(await page.locator("figure.widget").count(), 9, "the dashboard's nine metric widgets");
    });

    it("publishes the form's order through the topic and follows it to the table", async () => {
        await page.getByRole("textbox", { name: "Order", exact: true }).fill(order("CONSOLE-1", { itemName: "Console" }));
        await page.getByText("The contract (docs/asyncapi.yaml) accepts this order.").waitFor();
        await page.getByRole("button", { name: "Publish", exact: true }).click();
        await section("Publish").getByText(/^Published on the topic: message /).waitFor();
        // Publishing follows the order: its story ends stored, and the item is shown.
        const follow = section("Follow an order");
        await follow.locator("#story").getByText("stored", { exact: true }).waitFor({ timeout: 60_000 });
        await follow.locator("#story").getByText(/^deleted from the queue/).waitFor({ timeout: 30_000 });
        await waitUntil("the item is shown", async () => (await follow.locator("#item").textContent())?.includes('"itemName": "Console"') === true, 30_000);
        const story = await follow.locator("#story").textContent();
        for (const step of ["published on the topic", "delivered to the queue", "received (receive 1)", "deleted from the queue"]) assert.ok(story?.includes(step), `${step} in: ${story}`);
        // And the table lists it.
        await section("Table").getByRole("button", { name: "Follow CONSOLE-1" }).waitFor({ timeout: 30_000 });
        await shoot("publish-and-follow");
    });

    it("refuses a bad order until the second step, then shows it in the DLQ with its reason; redrive and delete", async () => {
        const dlq = section("Dead-letter queue");
        const before = await published();
        await page.getByRole("combobox", { name: "Ready bad order" }).selectOption({ label: "not JSON" });
        await page.getByRole("button", { name: "Load", exact: true }).click();
        await page.getByText(/^Not JSON: the function will reject it/).waitFor();
        await page.getByRole("button", { name: "Publish", exact: true }).click();
        const anyway = page.getByRole("button", { name: "Publish anyway" });
        await anyway.waitFor();
        assert.equal(await page.evaluate(() => document.activeElement?.textContent), "Publish anyway", "the second step has the focus");
        await new Promise((resolve) => setTimeout(resolve, 1500));
        assert.equal(await published(), before, "nothing was sent before the second step");
        await anyway.click();
        const message = dlq.getByRole("article");
        await message.first().waitFor({ timeout: 90_000 });
        assert.equal(await message.count(), 1);
        await waitUntil("the DLQ message shows the function's reason", async () => /order is not valid JSON/.test((await message.textContent()) ?? ""), 30_000);
        assert.match((await message.textContent()) ?? "", /received\d+ times/);
        await page.getByText(/ALARM OrderProcessor-dev-dlq-not-empty/).first().waitFor({ timeout: 10_000 });
        await shoot("dead-letter-queue");
        // The README's picture (docs/console.png is a copy): the top of the page as a window of 1400 × 1000 shows it,
        // the order of the test before followed to the table, this one in the DLQ.
        await page.evaluate(() => window.scrollTo(0, 0));
        await page.screenshot({ path: path.join(SCREENSHOTS, "readme.png") });

        // Redrive: back to the order queue; invalid again, it returns to the DLQ.
        const firstId = (await message.getAttribute("aria-label"))!;
        await message.getByRole("button", { name: "Redrive", exact: true }).click();
        await dlq.getByText("Moved 1 message(s) back to the order queue.").waitFor();
        await waitUntil("the redriven message is back in the DLQ", async () => {
            const labels = await dlq.getByRole("article").evaluateAll((nodes) => nodes.map((n) => n.getAttribute("aria-label")));
            return labels.length === 1 && labels[0] !== firstId;
        }, 90_000);
        // The redriven copy continues the story of the message it was moved from.
        await dlq.getByRole("article").getByRole("button", { name: /^Follow / }).click();
        await section("Follow an order").locator("#story").getByText(/^redriven from the dead-letter queue/).waitFor({ timeout: 10_000 });
        assert.equal(await count("sentToQueue"), 0, "a redrive is not a message sent straight to the queue");
        // Delete it, after the confirmation the page asks for.
        await dlq.getByRole("article").getByRole("button", { name: "Delete", exact: true }).click();
        await dlq.getByText(/^Deleted /).waitFor();
        assert.equal(dialogs.length, 1, "delete asks first");
        await dlq.getByText("Empty.").waitFor({ timeout: 10_000 });
        assert.equal(await pipeline.depth(pipeline.resources.deadLetterQueueUrl), 0);
    });

    it("counts what is published from outside (the AWS SDK)", async () => {
        const before = await published();
        for (let i = 0; i < 5; i++) await pipeline.publish(order(`OUTSIDE-${i}`));
        await waitUntil("the page counts the five", async () => (await count("published")) === before + 5, 10_000);
        assert.equal(await published(), before + 5);
        await waitUntil("the five are stored", async () => Number(await page.locator("#outcomes .outcome-stored").textContent()) >= 6, 60_000);
    });

    it("with the table refusing, failed writes back off and the DLQ stays empty; healthy again, the order is stored", async () => {
        await page.getByRole("radio", { name: "refusing" }).check();
        await page.getByText(/^The table is refusing: connections are refused/).waitFor();
        await pipeline.publish(order("DURING-OUTAGE"));
        await waitUntil("a failed write is counted", async () => /Failed writes since: [1-9]/.test((await page.locator("#fault-state").textContent()) ?? ""), 60_000);
        await shoot("table-refusing");
        assert.equal(await count("deadLetters"), 0);
        await page.getByRole("radio", { name: "healthy" }).check();
        await page.getByText(/^The table is healthy/).waitFor();
        const items = async () => (await pipeline.scanItems()).filter((it) => it.orderId?.S === "DURING-OUTAGE").length;
        await waitUntil("the order is stored once the table is back", async () => (await items()) === 1, 90_000);
        assert.equal(await pipeline.depth(pipeline.resources.deadLetterQueueUrl), 0, "the DLQ stayed empty");
    });

    it("shows an order id with markup, bidi marks and 1 KB of text as text", async () => {
        const hostile = `<img src=x onerror="document.title='pwned'">\u202Eevil${"x".repeat(1024)}`;
        await pipeline.publish(order(hostile));
        await page.getByRole("textbox", { name: "Order id" }).fill(hostile);
        await page.getByRole("button", { name: "Follow", exact: true }).click();
        const follow = section("Follow an order");
        await follow.locator("#story").getByText("invalid", { exact: true }).first().waitFor({ timeout: 60_000 });
        assert.equal(await page.locator("main img").count(), 0, "no element was made of the text");
        assert.notEqual(await page.title(), "pwned");
        const title = (await follow.locator("#story-title").textContent()) ?? "";
        assert.ok(title.includes("<img src=x"), title);
        assert.ok(title.includes("U+202E"), `the override is shown as a mark: ${title}`);
        assert.ok(!title.includes("\u202E"), "and not applied");
        assert.ok(/more characters/.test(title), "a long text is cut, saying how much");
        await page.getByRole("textbox", { name: "Order or message id" }).fill("onerror");
        await page.locator("#log-lines .log-line").first().waitFor();
        assert.equal(await page.locator("#log-lines img").count(), 0);
        await shoot("hostile-text");
        await page.getByRole("textbox", { name: "Order or message id" }).fill("");
    });

    it("another site's page cannot publish, redrive or switch faults", async () => {
        const before = await published();
        const consoleUrl = console_.url.replace(/\/$/, "");
        // A page of another origin (another port is another origin) that tries what a hostile site would.
        const hostile = http.createServer((_, response) => {
            response.writeHead(200, { "Content-Type": "text/html" });
            response.end(`<!doctype html><form id=f method=post action="${consoleUrl}/api/publish" enctype="text/plain"><input name='{"text":"x","force":true,"a":"' value='"}'></form>
<script>
fetch("${consoleUrl}/api/publish", { method: "POST", mode: "no-cors", headers: { "Content-Type": "text/plain" }, body: JSON.stringify({ text: "{}", force: true }) }).catch(() => {});
fetch("${consoleUrl}/api/fault", { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify({ mode: "refuse" }) }).then(() => document.title = "read", () => document.title = "blocked");
</script>`);
        });
        await new Promise<void>((resolve) => hostile.listen(0, LOOPBACK, resolve));
        try {
            const other = await browser.newPage();
            await other.goto(`http://${LOOPBACK}:${(hostile.address() as { port: number }).port}/`);
            await waitUntil("the hostile page's fetch settles", async () => (await other.title()) !== "", 10_000);
            assert.equal(await other.title(), "blocked", "a cross-origin JSON POST is not even sent (its preflight is not granted)");
            await other.evaluate(() => (document.getElementById("f") as HTMLFormElement).submit());
            await other.waitForLoadState();
            assert.match((await other.textContent("body")) ?? "", /^refused: /);
            await other.close();
        } finally {
            await new Promise<void>((resolve) => hostile.close(() => resolve()));
        }
        await new Promise((resolve) => setTimeout(resolve, 1500));
        assert.equal(await published(), before, "nothing was published");
        assert.equal(pipeline.tableProxy?.mode, "pass", "the table was not switched");
    });

    it("answers a bad API request with 400 and what it takes, and refuses what it does not serve", async () => {
        const get = async (pathAndQuery: string, method = "GET") => {
            const answer = await fetch(`${console_.url.replace(/\/$/, "")}${pathAndQuery}`, { method });
            return { status: answer.status, text: await answer.text() };
        };
        assert.deepEqual(await get("/api/orders/%E0"), { status: 400, text: JSON.stringify({ error: "the order id in the path is not percent-encoded UTF-8 (encodeURIComponent)" }) });
        assert.equal((await get("/api/log?since=abc")).status, 400);
        assert.match((await get("/api/table?after=")).text, /after: the orderId the previous page ended with/);
        assert.equal((await get("/api/state", "HEAD")).status, 403);
        assert.equal((await get("/api/nothing")).status, 404);
        const fault = await fetch(`${console_.url}api/fault`, { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify({ mode: "explode" }) });
        assert.equal(fault.status, 400);
        assert.match(await fault.text(), /mode is \\"explode\\"; allowed: pass, hang, refuse, throttle/);
    });

    it("draws the metrics and reports no error in the page", async () => {
        await page.locator("#metrics").scrollIntoViewIfNeeded();
        await shoot("console");
        assert.ok((await page.locator("figure.widget canvas").count()) >= 9);
        assert.deepEqual(pageErrors, []);
    });
});
