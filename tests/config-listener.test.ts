import { createHash } from "node:crypto";
import { createPrismaClient, type Database } from "@hookrelay/db";
import { ProjectLookups } from "@hookrelay/ingest";
import { createLogger } from "@hookrelay/shared";
import { createTestDatabase, type TestDatabase } from "./support/database.js";
import { insertProjectWithWebhook } from "./support/rows.js";
import { startTcpProxy, type TcpProxy } from "./support/tcp-proxy.js";

// The api's lookups (key → project, project → webhooks) are cached while a LISTEN connection receives
// change notifications. A connection can die without a word (NAT idle timeout, failover without RST);
// then notifications stop and a cache that still trusted them would keep a revoked key working forever
// (issue 11, item 4). The heartbeat bounds that staleness.
describe("config change listener", () => {
  let database: TestDatabase;
  let db: Database;
  let proxy: TcpProxy;
  let lookups: ProjectLookups;

  beforeAll(async () => {
    database = await createTestDatabase();
    db = createPrismaClient(database.url);
    proxy = await startTcpProxy(Number(new URL(database.url).port || 5432));
  });

  afterAll(async () => {
    await lookups?.close();
    await proxy?.close();
    await db?.$disconnect();
    await database?.drop();
  });

  it("stops trusting its cache within heartbeat + timeout once the LISTEN connection is silently black-holed", async () => {
    const { projectId } = await insertProjectWithWebhook(db);
    const keyHash = createHash("sha256").update(`key-${projectId}`).digest("hex");
    const keyId = `key_${projectId.slice(5)}`;
    await db.apiKey.create({ data: { id: keyId, projectId, prefix: "hr_test", keyHash } });

    // Lookups query PostgreSQL directly; only the LISTEN connection goes through the proxy.
    lookups = new ProjectLookups(db);
    const listenUrl = new URL(database.url);
    listenUrl.port = String(proxy.port);
    lookups.listen(listenUrl.toString(), createLogger("test", "silent"), {
      heartbeatMs: 300,
      timeoutMs: 700,
    });

    // Cached: once listening, the second lookup is answered from memory even after a revoke that only
    // a notification would report — so wait until listening, then prove the cache with a silent change.
    const deadline = Date.now() + 10_000;
    for (;;) {
      expect(await lookups.projectForKeyHash(keyHash)).toBe(projectId);
      await db.$executeRaw`ALTER TABLE api_keys DISABLE TRIGGER api_keys_config_change`;
      await db.apiKey.update({ where: { id: keyId }, data: { revokedAt: new Date() } });
      await db.$executeRaw`ALTER TABLE api_keys ENABLE TRIGGER api_keys_config_change`;
      const cached = await lookups.projectForKeyHash(keyHash);
      await db.apiKey.update({ where: { id: keyId }, data: { revokedAt: null } });
      if (cached === projectId) break;
      if (Date.now() > deadline) throw new Error("the lookups never started caching");
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect(await lookups.projectForKeyHash(keyHash)).toBe(projectId);

    // The listener's network goes quiet: no RST, no FIN. The revoke's notification is lost with it.
    proxy.mode("blackhole");
    const cutAt = Date.now();
    await db.apiKey.update({ where: { id: keyId }, data: { revokedAt: new Date() } });
    let refusedAfterMs: number | undefined;
    while (Date.now() - cutAt < 10_000) {
      if ((await lookups.projectForKeyHash(keyHash)) === null) {
        refusedAfterMs = Date.now() - cutAt;
        break;
      }
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    // Without a heartbeat: never (undefined). With one, within heartbeat 300 ms + timeout 700 ms, with room
    // for a slow machine. No lower bound: on a loaded machine a heartbeat can miss its 700 ms before the
    // cut, and the cache rightly stops being trusted earlier (CI once saw 4 ms).
    expect(refusedAfterMs).toEqual(expect.any(Number));
    expect(refusedAfterMs).toBeLessThan(5_000);

    // Stopping must not wait for a goodbye the black hole never returns (CI once hung here).
    const closing = Date.now();
    await lookups.close();
    expect(Date.now() - closing).toBeLessThan(3_000);
  });
});
