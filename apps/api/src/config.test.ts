import { randomBytes } from "node:crypto";
import { ConfigError } from "@hookrelay/shared";
import { requestCost } from "./admission.js";
import { loadApiConfig } from "./config.js";

// Every test passes its own env object: the loader must never read process.env.
const productionKey = randomBytes(32).toString("base64");

function configError(env: Record<string, string | undefined>): ConfigError {
  try {
    loadApiConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error(`expected ${JSON.stringify(env)} to be refused`);
}

describe("loadApiConfig", () => {
  it("defaults to the SPEC's values", () => {
    expect(loadApiConfig({})).toMatchObject({
      port: 3000,
      maxWebhooksPerProject: 25,
      maxPayloadBytes: 262_144,
      deliveryTimeoutMs: 20_000,
      logLevel: "info",
      nodeEnv: "development",
      allowPrivateTargets: true,
      usingDevelopmentSecretsKey: true,
      adminApiKey: undefined,
      databaseUrl: "postgresql://postgres@127.0.0.1:5432/hookrelay",
      redisUrl: "redis://127.0.0.1:6379",
    });
  });

  it("falls back to a 32-byte development key when SECRETS_KEY is unset outside production", () => {
    const config = loadApiConfig({});
    expect(config.secretsKey).toHaveLength(32);
    expect(config.usingDevelopmentSecretsKey).toBe(true);
  });

  it("reads every variable it is given", () => {
    expect(
      loadApiConfig({
        PORT: "8080",
        MAX_WEBHOOKS_PER_PROJECT: "3",
        MAX_PAYLOAD_BYTES: "1024",
        DELIVERY_TIMEOUT_MS: "5000",
        LOG_LEVEL: "warn",
        ADMIN_API_KEY: "a-long-enough-admin-key",
        DATABASE_URL: "postgres://db.internal:5432/hooks",
      }),
    ).toMatchObject({
      port: 8080,
      maxWebhooksPerProject: 3,
      maxPayloadBytes: 1_024,
      deliveryTimeoutMs: 5_000,
      logLevel: "warn",
      adminApiKey: "a-long-enough-admin-key",
      databaseUrl: "postgres://db.internal:5432/hooks",
    });
  });

  it("budgets 40% of the heap limit for requests in flight unless API_MAX_INFLIGHT_BYTES says otherwise", () => {
    // 240 MiB: V8's heap limit under --max-old-space-size=192, as the apps run.
    expect(loadApiConfig({}, { heapLimitBytes: 240 * 2 ** 20 }).maxInflightBytes).toBe(96 * 2 ** 20);
    expect(
      loadApiConfig({ API_MAX_INFLIGHT_BYTES: "50000000" }, { heapLimitBytes: 240 * 2 ** 20 })
        .maxInflightBytes,
    ).toBe(50_000_000);
    // A heap too small for the share to hold one request of the largest body still takes one at a time.
    expect(loadApiConfig({}, { heapLimitBytes: 1_000_000 }).maxInflightBytes).toBe(requestCost(262_144));
    expect(loadApiConfig({ MAX_PAYLOAD_BYTES: "1024" }, { heapLimitBytes: 1_000_000 }).maxInflightBytes).toBe(
      400_000,
    );
  });

  it("refuses an API_MAX_INFLIGHT_BYTES that one request of MAX_PAYLOAD_BYTES would not fit in", () => {
    const error = configError({ API_MAX_INFLIGHT_BYTES: String(requestCost(262_144) - 1) });
    expect(error.message).toMatch(/^API_MAX_INFLIGHT_BYTES: must be at least \d+/);
    expect(loadApiConfig({ API_MAX_INFLIGHT_BYTES: String(requestCost(262_144)) }).maxInflightBytes).toBe(
      requestCost(262_144),
    );
    expect(
      loadApiConfig({ MAX_PAYLOAD_BYTES: "1024", API_MAX_INFLIGHT_BYTES: String(requestCost(1_024)) })
        .maxInflightBytes,
    ).toBe(requestCost(1_024));
  });

  it("treats empty variables as unset", () => {
    expect(loadApiConfig({ PORT: "", LOG_LEVEL: "", ADMIN_API_KEY: "" })).toMatchObject({
      port: 3000,
      logLevel: "info",
      adminApiKey: undefined,
    });
  });

  it("allows private targets outside production and blocks them in production unless told", () => {
    expect(loadApiConfig({ NODE_ENV: "test" }).allowPrivateTargets).toBe(true);
    expect(loadApiConfig({ NODE_ENV: "production", SECRETS_KEY: productionKey }).allowPrivateTargets).toBe(
      false,
    );
    expect(
      loadApiConfig({ NODE_ENV: "production", SECRETS_KEY: productionKey, ALLOW_PRIVATE_TARGETS: "true" })
        .allowPrivateTargets,
    ).toBe(true);
    expect(loadApiConfig({ ALLOW_PRIVATE_TARGETS: "0" }).allowPrivateTargets).toBe(false);
  });

  it("takes a SECRETS_KEY that is base64 of 32 bytes", () => {
    const key = randomBytes(32);
    const config = loadApiConfig({ NODE_ENV: "production", SECRETS_KEY: key.toString("base64") });
    expect(config.secretsKey.equals(key)).toBe(true);
    expect(config.usingDevelopmentSecretsKey).toBe(false);
  });

  it("requires SECRETS_KEY in production", () => {
    const error = configError({ NODE_ENV: "production" });
    expect(error.message).toMatch(/^SECRETS_KEY: /);
    expect(error.message).toContain("NODE_ENV=production");
  });

  it.each([
    ["PORT", { PORT: "http" }],
    ["PORT", { PORT: "65536" }],
    ["PORT", { PORT: "-1" }],
    ["MAX_PAYLOAD_BYTES", { MAX_PAYLOAD_BYTES: "-1" }],
    ["MAX_PAYLOAD_BYTES", { MAX_PAYLOAD_BYTES: "0" }],
    ["MAX_WEBHOOKS_PER_PROJECT", { MAX_WEBHOOKS_PER_PROJECT: "many" }],
    ["API_MAX_INFLIGHT_BYTES", { API_MAX_INFLIGHT_BYTES: "lots" }],
    ["API_MAX_INFLIGHT_BYTES", { API_MAX_INFLIGHT_BYTES: "-1" }],
    ["API_MAX_INFLIGHT_BYTES", { API_MAX_INFLIGHT_BYTES: "1.5" }],
    ["DELIVERY_TIMEOUT_MS", { DELIVERY_TIMEOUT_MS: "soon" }],
    ["ADMIN_API_KEY", { ADMIN_API_KEY: "short" }],
    ["DATABASE_URL", { DATABASE_URL: "mysql://localhost/db" }],
    ["REDIS_URL", { REDIS_URL: "http://localhost:6379" }],
    ["LOG_LEVEL", { LOG_LEVEL: "loud" }],
    ["NODE_ENV", { NODE_ENV: "prod" }],
    ["ALLOW_PRIVATE_TARGETS", { ALLOW_PRIVATE_TARGETS: "yes" }],
    ["SECRETS_KEY", { SECRETS_KEY: randomBytes(16).toString("base64") }],
    ["SECRETS_KEY", { SECRETS_KEY: randomBytes(31).toString("base64") }],
    ["SECRETS_KEY", { SECRETS_KEY: randomBytes(32).toString("hex") }],
    ["SECRETS_KEY", { NODE_ENV: "production" }],
  ])("throws a ConfigError naming %s for %j", (name, env) => {
    const error = configError(env);
    expect(error).toBeInstanceOf(ConfigError);
    expect(error.message.startsWith(`${name}: `)).toBe(true);
  });
});
