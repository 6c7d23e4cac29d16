import { randomBytes } from "node:crypto";
import { ConfigError } from "@hookrelay/shared";
import { loadApiConfig } from "./config.js";

describe("api config", () => {
  it("defaults to the SPEC's values", () => {
    expect(loadApiConfig({})).toMatchObject({
      port: 3000,
      maxWebhooksPerProject: 25,
      maxPayloadBytes: 262_144,
      deliveryTimeoutMs: 20_000,
      nodeEnv: "development",
      allowPrivateTargets: true,
      usingDevelopmentSecretsKey: true,
      adminApiKey: undefined,
      databaseUrl: "postgresql://postgres@127.0.0.1:5432/hookrelay",
    });
  });

  it("treats empty variables as unset", () => {
    expect(loadApiConfig({ PORT: "", LOG_LEVEL: "" })).toMatchObject({ port: 3000, logLevel: "info" });
  });

  it("blocks private targets in production unless allowed, and takes a real SECRETS_KEY", () => {
    const key = randomBytes(32);
    const production = loadApiConfig({ NODE_ENV: "production", SECRETS_KEY: key.toString("base64") });
    expect(production).toMatchObject({ allowPrivateTargets: false, usingDevelopmentSecretsKey: false });
    expect(production.secretsKey.equals(key)).toBe(true);
    const allowed = loadApiConfig({
      NODE_ENV: "production",
      SECRETS_KEY: key.toString("base64"),
      ALLOW_PRIVATE_TARGETS: "true",
    });
    expect(allowed.allowPrivateTargets).toBe(true);
  });

  it.each([
    ["PORT", { PORT: "http" }],
    ["MAX_PAYLOAD_BYTES", { MAX_PAYLOAD_BYTES: "-1" }],
    ["MAX_WEBHOOKS_PER_PROJECT", { MAX_WEBHOOKS_PER_PROJECT: "many" }],
    ["ADMIN_API_KEY", { ADMIN_API_KEY: "short" }],
    ["DATABASE_URL", { DATABASE_URL: "mysql://localhost/db" }],
    ["LOG_LEVEL", { LOG_LEVEL: "loud" }],
    ["SECRETS_KEY", { SECRETS_KEY: randomBytes(16).toString("base64") }],
    ["SECRETS_KEY", { NODE_ENV: "production" }],
  ])("names %s when it is wrong", (name, env) => {
    expect(() => loadApiConfig(env)).toThrow(ConfigError);
    expect(() => loadApiConfig(env)).toThrow(new RegExp(`^${name}: `));
  });
});
