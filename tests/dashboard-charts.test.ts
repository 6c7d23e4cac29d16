import { insertDeliveryHistory } from "./support/delivery-history.js";
import { createProject, type TestProject } from "./support/fixtures.js";
import { ADMIN_KEY, type Stack, startStack } from "./support/stack.js";

// The dashboard's charts over real PostgreSQL and Redis: attempts written at known minutes and hours show
// in those buckets, the queues show what BullMQ holds, and failing webhooks are listed.

// Never called: no dispatcher runs.
const TARGET = "http://127.0.0.1:9";
const MINUTE = 60_000;
const HOUR = 60 * MINUTE;

const hhmm = (at: number) => new Date(at).toISOString().slice(11, 16);
/** A bucket's name on the page, e.g. `10:42–10:43 UTC`. */
const bucketName = (start: number, size: number) => `${hhmm(start)}–${hhmm(start + size)} UTC`;
const floorTo = (at: number, size: number) => Math.floor(at / size) * size;

interface Bucket {
  index: number;
  total: number;
  title: string;
  /** Stacked rects: series → [value, height]. */
  rects: Record<string, { value: number; height: number }>;
}

/** The bucket groups of the chart `id` in a page. */
function chartBuckets(page: string, id: string): Bucket[] {
  const svg = new RegExp(`<svg [^>]*id="${id}"[\\s\\S]*?</svg>`).exec(page)?.[0];
  if (!svg) throw new Error(`no chart ${id}`);
  return [
    ...svg.matchAll(
      /<g class="bucket" data-bucket="(\d+)" data-total="(\d+)"><title>([^<]*)<\/title>(.*?)<\/g>/g,
    ),
  ].map((match) => ({
    index: Number(match[1]),
    total: Number(match[2]),
    title: match[3] ?? "",
    rects: Object.fromEntries(
      [...(match[4] ?? "").matchAll(/height="([\d.]+)"[^>]*data-series="(\w+)" data-value="(\d+)"/g)].map(
        (rect) => [rect[2], { value: Number(rect[3]), height: Number(rect[1]) }],
      ),
    ),
  }));
}

function bucketNamed(buckets: Bucket[], name: string): Bucket {
  const bucket = buckets.find((candidate) => candidate.title.startsWith(`${name}:`));
  if (!bucket) throw new Error(`no bucket ${name}`);
  return bucket;
}

describe("dashboard charts (HTTP)", () => {
  let stack: Stack;
  let project: TestProject;
  const basic = `Basic ${Buffer.from(`admin:${ADMIN_KEY}`).toString("base64")}`;

  beforeAll(async () => {
    // No dispatcher: the jobs the api enqueues stay waiting, and seeded rows stay as written.
    stack = await startStack({ QUEUE_SHARDS: "2" }, { dispatcher: false });
    project = await createProject(stack, "Charts <shop>");
  });

  afterAll(async () => {
    await stack?.stop();
  }, 60_000);

  async function page(path: string) {
    const response = await fetch(stack.apiUrl + path, { headers: { authorization: basic } });
    return { status: response.status, headers: response.headers, text: await response.text() };
  }

  it("shows the last hour's attempts per minute by outcome, the queues' jobs and the failing webhooks", async () => {
    const orders = await project.webhook({
      url: `${TARGET}/orders`,
      name: "orders",
      event_types: ["order.*"],
    });
    const failing = await project.webhook({
      url: `${TARGET}/failing`,
      name: "failing <b>",
      event_types: ["order.*"],
    });
    const gone = await project.webhook({ url: `${TARGET}/gone`, name: "gone", event_types: ["order.*"] });
    const paused = await project.webhook({
      url: `${TARGET}/paused`,
      name: "paused",
      event_types: ["order.*"],
    });
    const failingSince = new Date(Date.now() - 3 * HOUR);
    await stack.db.webhook.update({ where: { id: failing.id }, data: { failingSince, failCount: 7 } });
    await stack.db.webhook.update({
      where: { id: gone.id },
      data: { enabled: false, disabledReason: "gone_410", failingSince: new Date(Date.now() - HOUR) },
    });
    await stack.db.webhook.update({
      where: { id: paused.id },
      data: { enabled: false, disabledReason: "manual" },
    });

    // Two minutes well inside the hour, whichever minute the page is asked in.
    const first = floorTo(Date.now(), MINUTE) - 30 * MINUTE;
    const second = first + 20 * MINUTE;
    const at = (base: number, seconds: number) => new Date(base + seconds * 1_000);
    await insertDeliveryHistory(stack.db, {
      projectId: project.id,
      webhookId: orders.id,
      deliveries: [
        // Failed, then delivered: one retried and one succeeded attempt in the first minute.
        {
          status: "succeeded",
          attempts: [
            { at: at(first, 5), statusCode: 500, latencyMs: 100 },
            { at: at(first, 25), statusCode: 200, latencyMs: 200 },
          ],
        },
        // Retried in the first minute, gave up in the second.
        {
          status: "failed",
          attempts: [
            { at: at(first, 10), statusCode: 503, latencyMs: 300 },
            { at: at(second, 10), statusCode: null, latencyMs: 5_000 },
          ],
        },
        // Still pending after a failed try in the second minute; one delivered at once there.
        { status: "pending", attempts: [{ at: at(second, 20), statusCode: 429, latencyMs: 20 }] },
        { status: "succeeded", attempts: [{ at: at(second, 30), statusCode: 204, latencyMs: 40 }] },
        // Two hours ago: outside the window.
        {
          status: "succeeded",
          attempts: [{ at: new Date(first - 2 * HOUR), statusCode: 200, latencyMs: 9 }],
        },
      ],
    });
    // Three jobs waiting in the queues (no dispatcher takes them).
    const orderEvents = 3;
    for (let n = 0; n < orderEvents; n++) await project.event("order.paid", { n });

    const overview = await page("/dashboard/overview");
    expect(overview.status).toBe(200);
    expect(overview.headers.get("content-security-policy")).toContain("default-src 'none'");
    const html = overview.text;
    expect(html).not.toMatch(/\sstyle=/);
    expect(html).toContain('<svg xmlns="http://www.w3.org/2000/svg" class="chart" id="attempts-per-minute"');
    expect(html).toMatch(/role="img" aria-labelledby="attempts-per-minute-title attempts-per-minute-desc"/);

    const minutes = chartBuckets(html, "attempts-per-minute");
    expect(minutes).toHaveLength(60);
    const firstBucket = bucketNamed(minutes, bucketName(first, MINUTE));
    expect(firstBucket.rects).toEqual({
      succeeded: { value: 1, height: expect.any(Number) },
      retried: { value: 2, height: expect.any(Number) },
    });
    const secondBucket = bucketNamed(minutes, bucketName(second, MINUTE));
    expect(
      Object.fromEntries(Object.entries(secondBucket.rects).map(([key, rect]) => [key, rect.value])),
    ).toEqual({
      succeeded: 1,
      retried: 1,
      failed: 1,
    });
    // Every other minute is an empty bar; the two seeded ones are the same height (3 attempts each).
    expect(minutes.filter((bucket) => bucket.total > 0).map((bucket) => bucket.index)).toEqual([
      firstBucket.index,
      secondBucket.index,
    ]);
    expect(secondBucket.index - firstBucket.index).toBe(20);
    const stackHeight = (bucket: Bucket) =>
      Object.values(bucket.rects).reduce((sum, rect) => sum + rect.height, 0);
    expect(stackHeight(firstBucket)).toBeCloseTo(stackHeight(secondBucket), 0);
    expect(html).toContain(
      `<title>${bucketName(first, MINUTE)}: 1 succeeded, 2 failed (retried), 0 failed (gave up)</title>`,
    );

    // The hour's figures and each minute's latency percentiles (100, 200, 300 ms in the first minute).
    const stat = (kind: string) =>
      new RegExp(`data-stat="${kind}"><div class="stat-value">([^<]*)<`).exec(html)?.[1];
    expect([stat("succeeded"), stat("retried"), stat("failed")]).toEqual(["2", "3", "1"]);
    expect(stat("p50")).toBe("150 ms"); // of 20, 40, 100, 200, 300, 5000
    expect(html).toContain(
      `<tr><th scope="row">${bucketName(first, MINUTE)}</th><td class="num">200 ms</td><td class="num">290 ms</td></tr>`,
    );

    // Queue depth, per queue as BullMQ counts it: both delivery shards and the maintenance queue.
    const waiting = await Promise.all(stack.queues.shards.map((shard) => shard.getWaitingCount()));
    expect(waiting.reduce((sum, count) => sum + count, 0)).toBe(orderEvents * 2); // orders and failing
    const queueRow = (label: string) =>
      new RegExp(`<tr data-queue="${label}">(.*?)</tr>`)
        .exec(html)?.[1]
        ?.match(/data-state="waiting">(\d+)/)?.[1];
    expect([queueRow("deliveries-0"), queueRow("deliveries-1"), queueRow("maintenance")]).toEqual([
      String(waiting[0]),
      String(waiting[1]),
      "0",
    ]);
    expect(html).toMatch(/<g class="bar-row" data-label="deliveries-0" data-total="\d+">/);

    // Failing now: the webhook in a failure streak (longest first), the one disabled by a 410; not the
    // one paused by hand, nor the healthy one.
    const listed = [...html.matchAll(/<table class="failing-webhooks">[\s\S]*?<\/table>/g)]
      .flatMap((table) => [...table[0].matchAll(/<tr data-webhook-id="([^"]+)">/g)])
      .map((match) => match[1]);
    expect(listed).toEqual([failing.id, gone.id]);
    expect(html).toContain(
      `href="/dashboard/projects/${project.id}/webhooks/${failing.id}">failing &lt;b&gt;</a>`,
    );
    expect(html).toContain(`href="/dashboard/projects/${project.id}">Charts &lt;shop&gt;</a>`);
    expect(html).toContain("(gone_410)");

    // The header links every page to the overview.
    expect((await page("/dashboard")).text).toContain('<a href="/dashboard/overview">Overview</a>');
  });

  it("charts a webhook's last 24 hours as 24 hourly stacked bars with latency lines", async () => {
    const busy = await project.webhook({ url: `${TARGET}/busy`, name: "busy", event_types: ["order.*"] });
    const other = await project.webhook({ url: `${TARGET}/other`, name: "other", event_types: ["order.*"] });
    const hour = floorTo(Date.now(), HOUR);
    const within = (hoursAgo: number, minute: number) => new Date(hour - hoursAgo * HOUR + minute * MINUTE);
    const delivered = (at: Date, latencyMs = 50) => ({
      status: "succeeded" as const,
      attempts: [{ at, statusCode: 200, latencyMs }],
    });
    await insertDeliveryHistory(stack.db, {
      projectId: project.id,
      webhookId: busy.id,
      deliveries: [
        // 20 hours ago: 2 attempts; 10 hours ago: 6; 3 hours ago: 4.
        delivered(within(20, 5)),
        delivered(within(20, 6)),
        ...[1, 2, 3, 4].map((minute) => delivered(within(10, minute), 100 * minute)),
        {
          status: "failed",
          attempts: [
            { at: within(10, 30), statusCode: 500, latencyMs: 10 },
            { at: within(10, 40), statusCode: 500, latencyMs: 10 },
          ],
        },
        // Created 30 hours ago, retried in the window: only the retry counts.
        {
          status: "succeeded",
          attempts: [
            { at: within(30, 0), statusCode: 500, latencyMs: 10 },
            { at: within(3, 0), statusCode: 200, latencyMs: 10 },
          ],
        },
        ...[1, 2, 3].map((minute) => delivered(within(3, minute))),
      ],
    });
    // Another webhook's attempts in the same hours are not this one's.
    await insertDeliveryHistory(stack.db, {
      projectId: project.id,
      webhookId: other.id,
      deliveries: [20, 10, 3, 3, 3].map((hoursAgo) => delivered(within(hoursAgo, 9))),
    });

    const response = await page(`/dashboard/projects/${project.id}/webhooks/${busy.id}`);
    expect(response.status).toBe(200);
    expect(response.text).not.toMatch(/\sstyle=/);
    const hours = chartBuckets(response.text, "webhook-activity");
    expect(hours).toHaveLength(24);
    expect(hours.map((bucket) => bucket.index)).toEqual([...Array(24).keys()]);
    const bucketAgo = (hoursAgo: number) => bucketNamed(hours, bucketName(hour - hoursAgo * HOUR, HOUR));
    const [twenty, ten, three] = [bucketAgo(20), bucketAgo(10), bucketAgo(3)];
    expect([twenty.total, ten.total, three.total]).toEqual([2, 6, 4]);
    expect(ten.rects.succeeded?.value).toBe(4);
    expect(ten.rects.retried?.value).toBe(1);
    expect(ten.rects.failed?.value).toBe(1);
    expect(hours.reduce((sum, bucket) => sum + bucket.total, 0)).toBe(12);
    // Heights follow the counts: the 6-attempt hour is the tallest, the empty ones have no bar.
    const height = (bucket: Bucket) =>
      Object.values(bucket.rects).reduce((sum, rect) => sum + rect.height, 0);
    expect(height(ten)).toBeGreaterThan(height(three));
    expect(height(three)).toBeGreaterThan(height(twenty));
    expect(height(twenty)).toBeGreaterThan(0);
    expect(height(ten) / height(twenty)).toBeCloseTo(3, 1);
    expect(hours.filter((bucket) => bucket.total === 0).every((bucket) => height(bucket) === 0)).toBe(true);

    // The latency lines: one point per hour with attempts, p95 dashed.
    const svg = /<svg [^>]*id="webhook-activity"[\s\S]*?<\/svg>/.exec(response.text)?.[0] ?? "";
    expect(svg.match(/<circle /g)).toHaveLength(6); // 3 hours × p50 and p95
    expect(svg).toContain('stroke-dasharray="5 4"');
    expect(ten.title).toContain("p50 latency 150 ms"); // 10, 10, 100, 200, 300, 400
    expect(response.text).toContain(
      '<title id="webhook-activity-title">Attempts per hour, last 24 hours</title>',
    );
  });
});
