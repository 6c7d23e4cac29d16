// `npm start`'s banner: where everything is, printed once per start, as soon as both apps listen (the
// database was prepared and Redis found before they started). The apps tell the supervisor over their IPC
// channel (apps/api/src/main.ts, apps/dispatcher/src/main.ts), from their `listening` callback: before
// they can answer a request, so whoever polls their /readyz sees the banner first.
//   { hookrelay: "listening", app, port, paths?, dataDir?, adminKeyFile? }  each time a run listens (the
//     api adds the paths of the dashboard and Bull Board, its data folder, and the admin key's file unless
//     ADMIN_API_KEY is set);
//   { hookrelay: "admin-key", key, file }  the api has just generated the admin key; answered with
//     { hookrelay: "admin-key-taken" }, after which the banner is the one place that shows it.
import path from "node:path";

const APPS = ["api", "dispatcher"];

/** A path as the operator would type it: relative to the working directory when inside it. */
function shown(dir) {
  const relative = path.relative(process.cwd(), dir);
  return relative && !relative.startsWith("..") && !path.isAbsolute(relative) ? `./${relative}` : dir;
}

/** host:port/database of a connection URL, without its credentials. */
function address(url) {
  const parsed = new URL(url);
  return `${parsed.host}${parsed.pathname === "/" ? "" : parsed.pathname}`;
}

function keyLines({ key, file }) {
  return [`generated ADMIN_API_KEY=${key}`, `shown this once only; kept in ${shown(file)}`];
}

/**
 * @param {object} options
 * @param {(text: string) => void} options.write
 * @param {{ databaseUrl: string, redisUrl: string, embedded: { postgres: boolean, redis: boolean } }} options.services
 */
export function startBanner({ write, services }) {
  /** @type {Set<string>} the apps that have listened */
  const listening = new Set();
  /** @type {{ port: number, paths: { dashboard: string, bullBoard: string }, dataDir: string, adminKeyFile?: string } | undefined} */
  let api;
  /** @type {{ key: string, file: string } | undefined} a generated key not shown yet */
  let generatedKey;
  let printed = false;

  function render() {
    // The embedded servers' data is in the same folder (scripts/local-services/index.js).
    const dataDir = String(api?.dataDir);
    const base = `http://localhost:${api?.port}`;
    const rows = [
      ["API", `${base}/v1`],
      ["Dashboard", `${base}${api?.paths.dashboard}  (any user name, the admin key as password)`],
      ["Bull Board", `${base}${api?.paths.bullBoard}`],
    ];
    if (generatedKey) rows.push(["Admin key", ...keyLines(generatedKey)]);
    else if (api?.adminKeyFile) rows.push(["Admin key", `kept in ${shown(api.adminKeyFile)}`]);
    else rows.push(["Admin key", "ADMIN_API_KEY, from the environment"]);
    rows.push(["Data", shown(dataDir)]);
    rows.push([
      "PostgreSQL",
      services.embedded.postgres
        ? `embedded, data in ${shown(path.join(dataDir, "postgres"))}`
        : address(services.databaseUrl),
    ]);
    rows.push([
      "Redis",
      services.embedded.redis
        ? `started by hookrelay, data in ${shown(path.join(dataDir, "redis"))}`
        : address(services.redisUrl),
    ]);
    rows.push(["Stop", "Ctrl-C (the apps finish their work in flight first)"]);
    const lines = rows.flatMap(([label, first, ...more]) => [
      `  ${label.padEnd(12)}${first}`,
      ...more.map((line) => `  ${"".padEnd(12)}${line}`),
    ]);
    return `\nhookrelay is ready\n${lines.join("\n")}\n\n`;
  }

  function printWhenAllListen() {
    if (printed || !api || !APPS.every((app) => listening.has(app))) return;
    printed = true;
    write(render());
    generatedKey = undefined;
  }

  return {
    /**
     * @param {string} app
     * @param {any} message
     * @param {(reply: object) => void} reply
     */
    onMessage(app, message, reply) {
      if (message?.hookrelay === "admin-key" && typeof message.key === "string") {
        reply({ hookrelay: "admin-key-taken" });
        const generated = { key: message.key, file: String(message.file) };
        // Generated again after the banner (its file was deleted meanwhile): shown on its own.
        if (printed) write(`\nhookrelay: ${keyLines(generated).join("\n  ")}\n\n`);
        else generatedKey = generated;
      } else if (message?.hookrelay === "listening" && APPS.includes(app) && Number.isInteger(message.port)) {
        if (app === "api") api = message;
        listening.add(app);
        printWhenAllListen();
      }
    },
    /** At stop: a generated key the banner did not show yet is shown now rather than never. */
    close() {
      if (generatedKey) write(`hookrelay: ${keyLines(generatedKey).join("\n  ")}\n`);
      generatedKey = undefined;
    },
  };
}
