// Zero-setup start: the PostgreSQL and Redis that `npm start` and `npm test` use. DATABASE_URL / REDIS_URL
// when set; else the default local server when something answers on its port; else an embedded
// PostgreSQL and a redis-server from PATH, with their data under the data folder.
import path from "node:path";
import { DEFAULT_DATA_DIR, DEFAULT_DATABASE_URL, DEFAULT_REDIS_URL } from "@hookrelay/shared";
import { startEmbeddedPostgres } from "./embedded-postgres.js";
import { isListening } from "./network.js";
import { findRedisServer, HOW_TO_GET_REDIS, startRedisServer } from "./redis-server.js";
import { LocalServiceError } from "./service-process.js";

export { LocalServiceError };

/**
 * Where to look for the default servers. CI points these at unused ports to exercise the embedded path
 * while the machine's own PostgreSQL and Redis keep running.
 */
export const DEFAULT_PORT_VARIABLES = { postgres: "DEFAULT_POSTGRES_PORT", redis: "DEFAULT_REDIS_PORT" };

/**
 * @typedef {object} LocalServices
 * @property {string} databaseUrl
 * @property {string} redisUrl
 * @property {{ postgres: boolean, redis: boolean }} embedded what this call started
 * @property {() => Promise<void>} stop stops what this call started (nothing else)
 */

/**
 * @param {object} options
 * @param {NodeJS.ProcessEnv} [options.env]
 * @param {string} [options.dataDir] embedded servers keep their data in <dataDir>/postgres and
 *   <dataDir>/redis; by default the apps' data folder (DATA_DIR, else ./.data)
 * @param {boolean} [options.persistent] false: a throwaway cluster (tests), tuned for speed over safety
 * @param {boolean} [options.detached] see startServiceProcess
 * @param {(line: string) => void} [options.log] one line per server started
 * @returns {Promise<LocalServices>}
 */
export async function startLocalServices({
  env = process.env,
  dataDir = path.resolve(env.DATA_DIR || DEFAULT_DATA_DIR),
  persistent = true,
  detached = false,
  log = () => undefined,
}) {
  const postgresPort = defaultPort(env, DEFAULT_PORT_VARIABLES.postgres, DEFAULT_DATABASE_URL);
  const redisPort = defaultPort(env, DEFAULT_PORT_VARIABLES.redis, DEFAULT_REDIS_URL);
  const needPostgres = !env.DATABASE_URL && !(await isListening(postgresPort));
  const needRedis = !env.REDIS_URL && !(await isListening(redisPort));

  // Checked before anything starts, so a missing Redis leaves nothing behind.
  const redisBinary = needRedis ? findRedisServer(env.PATH) : undefined;
  if (needRedis && !redisBinary) {
    throw new LocalServiceError(
      `no Redis on 127.0.0.1:${redisPort} and no redis-server on PATH: ${HOW_TO_GET_REDIS}`,
    );
  }

  /** @type {Array<() => Promise<void>>} */
  const stops = [];
  const stop = async () => {
    await Promise.all(stops.splice(0).map((stopOne) => stopOne()));
  };
  try {
    let databaseUrl = env.DATABASE_URL || withPort(DEFAULT_DATABASE_URL, postgresPort);
    if (needPostgres) {
      const dir = path.join(dataDir, "postgres");
      const postgres = await startEmbeddedPostgres({ dir, persistent, detached });
      stops.push(postgres.stop);
      databaseUrl = postgres.url;
      log(
        `no PostgreSQL on 127.0.0.1:${postgresPort} and no DATABASE_URL: started an embedded PostgreSQL ` +
          `${postgres.version} on 127.0.0.1:${postgres.port} (data in ${shown(dir)})`,
      );
    }
    let redisUrl = env.REDIS_URL || withPort(DEFAULT_REDIS_URL, redisPort);
    if (redisBinary) {
      const dir = path.join(dataDir, "redis");
      const redis = await startRedisServer({ binary: redisBinary, dir, persistent, detached });
      stops.push(redis.stop);
      redisUrl = redis.url;
      log(
        `no Redis on 127.0.0.1:${redisPort} and no REDIS_URL: started ${redisBinary} ` +
          `on 127.0.0.1:${redis.port} (data in ${shown(dir)})`,
      );
    }
    return { databaseUrl, redisUrl, embedded: { postgres: needPostgres, redis: needRedis }, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}

function defaultPort(env, variable, defaultUrl) {
  const text = env[variable];
  if (!text) return Number(new URL(defaultUrl).port);
  const port = Number(text);
  if (!Number.isInteger(port) || port < 1 || port > 65_535) {
    throw new LocalServiceError(`${variable}: "${text}" is not a TCP port`);
  }
  return port;
}

function withPort(url, port) {
  const parsed = new URL(url);
  parsed.port = String(port);
  return parsed.toString();
}

/** A data path as the operator would type it: relative to the working directory when inside it. */
function shown(dir) {
  const relative = path.relative(process.cwd(), dir);
  return relative && !relative.startsWith("..") && !path.isAbsolute(relative) ? `./${relative}` : dir;
}
