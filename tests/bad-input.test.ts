import http from "node:http";
import { v1Routes } from "@hookrelay/api";
import fc from "fast-check";
import { createProject, type TestProject } from "./support/fixtures.js";
import { eventually, TestReceiver } from "./support/receiver.js";
import { ADMIN_KEY, type Stack, startStack } from "./support/stack.js";

// Bad input on every write route: a hostile table and property-based fuzzing (fast-check). The rules: no
// 5xx and no crash for anything a client sends; every 4xx of /v1 in the SPEC's error shape; and an event's
// `data` reaches the receiver exactly as it was posted (byte for byte, and equal under a lossless parse:
// numbers as exact decimals, every key in order) — or the producer gets a 4xx. Never a silent change.
//
// fast-check runs from a fixed seed; a failure prints it with the failing path. BAD_INPUT_SEED replays
// another one.
const SEED = Number(process.env.BAD_INPUT_SEED ?? 20_261_111);
const fuzz = (numRuns: number) => ({ seed: SEED, numRuns });

// Large enough for 100,000 keys in one event.
const MAX_BYTES = 1024 * 1024;

// ---------------------------------------------------------------------------------------------------------
// HTTP without a client's opinions: raw bytes, repeated headers, paths as given.

interface Answer {
  status: number;
  contentType: string;
  text: string;
}

// Connections are reused; a request Node's parser refuses (431) goes on a connection of its own.
const keepAlive = new http.Agent({ keepAlive: true, maxSockets: 2 });

function send(
  base: string,
  method: string,
  path: string,
  {
    headers = {},
    body,
    ownConnection = false,
  }: { headers?: Record<string, string | string[]>; body?: string | Buffer; ownConnection?: boolean } = {},
): Promise<Answer> {
  const url = new URL(base);
  return new Promise((resolve, reject) => {
    // An explicit length: Node frames no body of a DELETE by itself.
    const length = body === undefined ? {} : { "content-length": String(Buffer.byteLength(body)) };
    const request = http.request(
      {
        host: url.hostname,
        port: url.port,
        method,
        path,
        headers: { ...length, ...headers },
        agent: ownConnection ? false : keepAlive,
      },
      (response) => {
        const chunks: Buffer[] = [];
        response.on("data", (chunk: Buffer) => chunks.push(chunk));
        response.on("end", () =>
          resolve({
            status: response.statusCode ?? 0,
            contentType: String(response.headers["content-type"] ?? ""),
            text: Buffer.concat(chunks).toString("utf8"),
          }),
        );
      },
    );
    request.on("error", reject);
    request.end(body);
  });
}

const SPEC_CODES: Record<number, string[]> = {
  400: ["validation_error"],
  401: ["unauthorized"],
  403: ["forbidden"],
  404: ["not_found"],
  409: ["conflict", "limit_exceeded"],
  413: ["payload_too_large"],
  422: ["validation_error"],
};

/** What is wrong with a /v1 answer to bad input (a 5xx, or a 4xx not in the SPEC's shape), or undefined. */
function specProblem(answer: Answer): string | undefined {
  if (answer.status >= 500) return `answered ${answer.status}: ${answer.text.slice(0, 300)}`;
  if (answer.status < 400) return undefined;
  if (!answer.contentType.startsWith("application/json")) return `${answer.status} as ${answer.contentType}`;
  let body: unknown;
  try {
    body = JSON.parse(answer.text);
  } catch {
    return `${answer.status} with a body that is not JSON: ${answer.text.slice(0, 200)}`;
  }
  const error = (body as { error?: Record<string, unknown> })?.error;
  const shapeOk =
    Object.keys(body as object).length === 1 &&
    typeof error === "object" &&
    error !== null &&
    Object.keys(error).every((key) => ["code", "message", "details"].includes(key)) &&
    SPEC_CODES[answer.status]?.includes(error.code as string) &&
    typeof error.message === "string" &&
    (error.details === undefined || Array.isArray(error.details));
  if (!shapeOk) return `${answer.status} not in the SPEC's error shape: ${answer.text.slice(0, 300)}`;
  if (/\bat .*\.(ts|js):\d+/.test(answer.text)) return `a stack trace in ${answer.text.slice(0, 300)}`;
  return undefined;
}

function expectSpecAnswer(answer: Answer, request: string): void {
  expect({ request, problem: specProblem(answer) }).toEqual({ request, problem: undefined });
}

/** The answer's status is one of `statuses` (the request named in a failure). */
function expectOneOf(answer: Answer, request: string, statuses: number[]): void {
  expect({
    request,
    status: answer.status,
    expected: statuses.includes(answer.status) ? "yes" : statuses,
  }).toEqual({
    request,
    status: answer.status,
    expected: "yes",
  });
}

function expectStatus(answer: Answer, request: string, statuses: number[]): void {
  expectSpecAnswer(answer, request);
  expectOneOf(answer, request, statuses);
}

// ---------------------------------------------------------------------------------------------------------
// A lossless JSON reading for the comparison: numbers as exact decimals (-0 apart from 0), objects as their
// members in order, duplicates included. Independent of the server's own scanner.

type Exact = string | boolean | null | { number: string } | Exact[] | { members: Array<[string, Exact]> };

function exactDecimal(token: string): string {
  const match = /^(-?)(\d+)(?:\.(\d+))?(?:[eE]([+-]?\d+))?$/.exec(token);
  if (!match) throw new Error(`not a JSON number: ${token}`);
  const [, sign = "", whole = "", fraction = "", exponent = "0"] = match;
  let digits = `${whole}${fraction}`.replace(/^0+/, "");
  let power = BigInt(exponent) - BigInt(fraction.length);
  if (digits === "") return `${sign}0`;
  while (digits.endsWith("0")) {
    digits = digits.slice(0, -1);
    power += 1n;
  }
  return `${sign}${digits}e${power}`;
}

const NUMBER_TOKEN = /-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?/y;

function exactParse(text: string): Exact {
  let pos = 0;
  const space = () => {
    while (" \t\n\r".includes(text[pos] ?? "x")) pos++;
  };
  const string = (): string => {
    const start = pos;
    pos++;
    while (text[pos] !== '"') pos += text[pos] === "\\" ? 2 : 1;
    pos++;
    return JSON.parse(text.slice(start, pos)) as string;
  };
  const value = (): Exact => {
    space();
    const char = text[pos];
    if (char === "{") {
      pos++;
      const members: Array<[string, Exact]> = [];
      space();
      if (text[pos] === "}") pos++;
      else
        for (;;) {
          space();
          const key = string();
          space();
          pos++; // :
          members.push([key, value()]);
          space();
          if (text[pos++] === "}") break;
        }
      return { members };
    }
    if (char === "[") {
      pos++;
      const items: Exact[] = [];
      space();
      if (text[pos] === "]") pos++;
      else
        for (;;) {
          items.push(value());
          space();
          if (text[pos++] === "]") break;
        }
      return items;
    }
    if (char === '"') return string();
    for (const literal of ["true", "false", "null"] as const) {
      if (!text.startsWith(literal, pos)) continue;
      pos += literal.length;
      return literal === "null" ? null : literal === "true";
    }
    NUMBER_TOKEN.lastIndex = pos;
    const token = NUMBER_TOKEN.exec(text)?.[0];
    if (!token) throw new Error(`cannot read JSON at ${pos}`);
    pos += token.length;
    return { number: exactDecimal(token) };
  };
  const result = value();
  space();
  if (pos !== text.length) throw new Error(`trailing text at ${pos}`);
  return result;
}

/** The `data` member of a delivered envelope, read losslessly. */
function deliveredData(body: string): Exact {
  const envelope = exactParse(body) as { members: Array<[string, Exact]> };
  const data = envelope.members.filter(([key]) => key === "data");
  if (data.length !== 1) throw new Error("the envelope does not have exactly one data member");
  return data[0]?.[1] ?? null;
}

// ---------------------------------------------------------------------------------------------------------
// Generators of JSON text with a known verdict: `refused` when it holds something that cannot be kept
// exactly (duplicate keys, \u0000, a lone surrogate, a number no double approaches), else it must arrive as is.

interface Piece {
  text: string;
  refused: boolean;
}

const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

/** A JSON string for `value`, with the characters `mask` picks written as \u escapes (pairs kept whole). */
function jsonString(value: string, mask: number): string {
  let out = '"';
  let index = 0;
  for (const point of value) {
    const unit = point.charCodeAt(0);
    const spelledOut = (mask >>> (index++ % 30)) & 1;
    if (point === '"' || point === "\\") out += `\\${point}`;
    else if (unit < 0x20 || LONE_SURROGATE.test(point) || spelledOut) {
      for (let i = 0; i < point.length; i++) out += `\\u${point.charCodeAt(i).toString(16).padStart(4, "0")}`;
    } else out += point;
  }
  return `${out}"`;
}

const stringRefused = (value: string) => value.includes("\u0000") || LONE_SURROGATE.test(value);

const textValue = fc.oneof(
  { weight: 12, arbitrary: fc.string({ unit: "binary", maxLength: 12 }) },
  {
    weight: 1,
    arbitrary: fc.constantFrom(
      "\u0000",
      "a\u0000b",
      "\ud800",
      "\udfff",
      "x\udc00y",
      "\ud83d\ude00",
      "é",
      "\u2028",
    ),
  },
);

const stringPiece = fc
  .tuple(textValue, fc.integer())
  .map(([value, mask]): Piece => ({ text: jsonString(value, mask), refused: stringRefused(value) }));

/** Refused by the rule: beyond a double's range (overflow, or a non-zero value that underflows to 0). */
function numberRefused(token: string): boolean {
  const value = Number(token);
  const mantissa = token.split(/[eE]/)[0] ?? "";
  return !Number.isFinite(value) || (value === 0 && /[1-9]/.test(mantissa));
}

const numberToken = fc.oneof(
  fc.integer().map(String),
  fc.double({ noNaN: true, noDefaultInfinity: true }).map((n) => (Object.is(n, -0) ? "-0" : String(n))),
  fc.bigInt({ min: -(10n ** 30n), max: 10n ** 30n }).map(String),
  fc.stringMatching(/^-?(0|[1-9]\d{0,24})(\.\d{1,24})?([eE][+-]?\d{1,3})?$/),
  fc.constantFrom(
    "12345678901234567890",
    "9007199254740993",
    "1.0000000000000001",
    "-0",
    "-0.0e-3",
    "1.0",
    "1E+2",
    "0.1",
    "5e-324",
    "2e-324",
    "1.7976931348623157e308",
    "1.7976931348623159e308",
    "1e400",
    "-1e400",
    "1e-400",
  ),
);

const numberPiece = numberToken.map((token): Piece => ({ text: token, refused: numberRefused(token) }));

const space = fc.constantFrom("", "", "", " ", "\n", "\t", "\r\n  ");

const keyText = fc.oneof(
  { weight: 4, arbitrary: textValue },
  { weight: 1, arbitrary: fc.constantFrom("__proto__", "constructor", "prototype", "toString", "", "a") },
);

const { data: dataPiece } = fc.letrec<{ value: Piece; array: Piece; data: Piece }>((tie) => ({
  value: fc.oneof(
    { depthSize: "small" },
    stringPiece,
    numberPiece,
    fc.constantFrom<Piece>(
      { text: "true", refused: false },
      { text: "false", refused: false },
      { text: "null", refused: false },
    ),
    tie("array"),
    tie("data"),
  ),
  array: fc.array(fc.tuple(space, tie("value"), space), { maxLength: 4 }).map(
    (items): Piece => ({
      text: `[${items.map(([before, item, after]) => `${before}${item.text}${after}`).join(",")}]`,
      refused: items.some(([, item]) => item.refused),
    }),
  ),
  // An object; sometimes with its first key repeated in another spelling (a duplicate JSON.parse would drop).
  data: fc
    .tuple(
      fc.array(fc.tuple(keyText, fc.integer(), tie("value"), space, space), { maxLength: 4 }),
      fc.boolean(),
      fc.integer(),
    )
    .map(([members, repeat, mask]): Piece => {
      const [first] = members;
      const all = repeat && first ? [...members, [first[0], mask, first[2], "", ""] as const] : members;
      const keys = all.map(([key]) => key);
      const text = all
        .map(
          ([key, keyMask, value, before, after]) =>
            `${before}${jsonString(key, keyMask)}${after}:${value.text}`,
        )
        .join(",");
      return {
        text: `{${text}}`,
        refused:
          new Set(keys).size !== keys.length ||
          keys.some(stringRefused) ||
          all.some(([, , value]) => value.refused),
      };
    }),
}));

/** Path segments where an id belongs. */
const hostileSegments = [
  "%00",
  "..%2f..%2f",
  "..",
  "%2e%2e",
  "%ff",
  "%c3%28",
  "%zz",
  "a".repeat(5_000),
  encodeURIComponent("ünïcödé"),
  encodeURIComponent("wh_0000000000000000000000000😀"),
  "wh_uuuuuuuuuuuuuuuuuuuuuuuuuu",
  "__proto__",
  "constructor",
  "%20",
];

// ---------------------------------------------------------------------------------------------------------

describe("bad input", () => {
  let stack: Stack;
  let receiver: TestReceiver;
  /** Its webhook takes `fuzz.*`: the events whose delivery is checked byte for byte. */
  let project: TestProject;
  /** Every write route is fuzzed here, away from the webhook above. */
  let target: TestProject;
  let victimWebhookId: string;
  let victimDeliveryId: string;

  beforeAll(async () => {
    stack = await startStack({ MAX_PAYLOAD_BYTES: String(MAX_BYTES) }, { capture: false });
    receiver = await TestReceiver.start();
    project = await createProject(stack, "bad input");
    await project.webhook({ url: receiver.url, event_types: ["fuzz.*"] });
    target = await createProject(stack, "fuzz target");
    victimWebhookId = (await target.webhook({ url: receiver.url, event_types: ["victim.*"] })).id;
    const posted = await target.event("victim.made");
    const event = await stack.call("GET", target.path(`/events/${posted.event_id}`), { key: target.key });
    victimDeliveryId = event.body.deliveries[0].id;
  });

  afterAll(async () => {
    keepAlive.destroy();
    await stack?.stop();
    await receiver?.close();
  }, 60_000);

  const api = (method: string, path: string, options?: Parameters<typeof send>[3]) =>
    send(stack.apiUrl, method, path, options);

  const eventsPath = () => project.path("/events");
  const jsonHeaders = (key: string, extra: Record<string, string | string[]> = {}) => ({
    authorization: `Bearer ${key}`,
    "content-type": "application/json",
    ...extra,
  });

  /** Posts an event of `fuzz.data` with `dataText` as its data, spelled exactly so. */
  const postData = (dataText: string, headers: Record<string, string | string[]> = {}) =>
    api("POST", eventsPath(), {
      headers: jsonHeaders(project.key, headers),
      body: `{"event_type":"fuzz.data","data":${dataText}}`,
    });

  /** The bytes the receiver got for the event. */
  async function deliveredBytes(eventId: string): Promise<Buffer> {
    const request = await eventually(
      async () => receiver.requests.find((one) => one.headers["webhook-id"] === eventId),
      10_000,
    );
    return request.body;
  }

  /** Accepted, and delivered with `data` exactly as posted: the same bytes, the same under a lossless parse. */
  async function expectDeliveredExactly(answer: Answer, dataText: string, request: string) {
    expect({ request, status: answer.status, text: answer.text.slice(0, 300) }).toEqual({
      request,
      status: 202,
      text: expect.any(String),
    });
    const bytes = await deliveredBytes(JSON.parse(answer.text).event_id);
    const tail = Buffer.from(`,"data":${dataText}}`);
    expect({ request, tail: bytes.subarray(bytes.length - tail.length).equals(tail) }).toEqual({
      request,
      tail: true,
    });
    const [got, sent] = [deliveredData(bytes.toString("utf8")), exactParse(dataText)];
    // Compared as text first: jest's deep equality takes seconds over 100,000 members.
    if (JSON.stringify(got) !== JSON.stringify(sent)) expect(got).toEqual(sent);
  }

  function expectRefusedAt(answer: Answer, request: string, status: number, path?: string) {
    expectStatus(answer, request, [status]);
    if (path !== undefined) {
      const details = JSON.parse(answer.text).error.details ?? [];
      expect({ request, path: details[0]?.path }).toEqual({ request, path });
    }
  }

  // -------------------------------------------------------------------------------------------------------
  describe("an event's data: kept exactly or refused", () => {
    const nested = (levels: number) => `${"[".repeat(levels)}${"]".repeat(levels)}`;
    const exact: Array<[string, string]> = [
      ["a key __proto__ (an object under it)", `{"__proto__":{"polluted":true},"a":1}`],
      ["keys constructor and prototype", `{"constructor":{"prototype":1},"prototype":"x","toString":2}`],
      ["a __proto__ key nested", `{"a":[{"__proto__":null}]}`],
      ["12345678901234567890", `{"n":12345678901234567890}`],
      ["9007199254740993 (2^53 + 1)", `{"n":9007199254740993}`],
      ["-0", `{"n":-0,"m":-0.0}`],
      ["1.0000000000000001", `{"n":1.0000000000000001}`],
      ["1.0 and 1E+2 as spelled", `{"a":1.0,"b":1E+2,"c":0.10}`],
      ["the largest and smallest doubles", `{"max":1.7976931348623157e308,"min":5e-324}`],
      ["whitespace and escapes as sent", `{ "a" :\t[ 1 ,\n2 ] , "\\u0062":"\\u00e9\\/\\n" }`],
      ["a surrogate pair, escaped and raw", `{"e":"\\ud83d\\ude00","r":"😀"}`],
      ["U+2028 and U+FEFF raw", `{"s":"\u2028\ufeff"}`],
      ["an empty key", `{"":""}`],
      ["nesting at the limit (100 levels with the body)", `{"x":${nested(98)}}`],
    ];
    for (const [name, dataText] of exact) {
      it(`delivers ${name} exactly`, async () => {
        await expectDeliveredExactly(await postData(dataText), dataText, name);
      });
    }

    it("leaves Object.prototype alone after __proto__ keys", () => {
      expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    });

    it("sends custom headers named constructor, prototype and toString, and refuses one named __proto__", async () => {
      const headers = { constructor: "c", prototype: "p", toString: "t", hasOwnProperty: "h" };
      await project.webhook({ url: receiver.url, event_types: ["protoheaders.*"], headers });
      const answer = await api("POST", eventsPath(), {
        headers: jsonHeaders(project.key),
        body: `{"event_type":"protoheaders.sent","data":{}}`,
      });
      expect(answer.status).toBe(202);
      const request = await eventually(
        async () =>
          receiver.requests.find((one) => one.headers["webhook-id"] === JSON.parse(answer.text).event_id),
        10_000,
      );
      expect(request.headers).toEqual(
        expect.objectContaining({ constructor: "c", prototype: "p", tostring: "t", hasownproperty: "h" }),
      );
      const refused = await api("POST", project.path("/webhooks"), {
        headers: jsonHeaders(project.key),
        body: JSON.stringify({ url: receiver.url, event_types: ["x.*"] }).replace(
          "}",
          `,"headers":{"__proto__":"x"}}`,
        ),
      });
      expectRefusedAt(refused, "__proto__ header", 422, "headers.__proto__");
    });

    const refused: Array<[string, string, number, string | undefined]> = [
      ["nesting 10,000 deep", `{"x":${nested(10_000)}}`, 422, "data"],
      ["nesting one level over the limit", `{"x":${nested(99)}}`, 422, "data"],
      ["an escaped lone high surrogate", `{"s":"\\ud800"}`, 422, "data.s"],
      ["an escaped lone low surrogate", `{"s":"a\\udc00"}`, 422, "data.s"],
      ["a high surrogate before a non-surrogate", `{"s":"\\ud800\\u0041"}`, 422, "data.s"],
      ["duplicate keys", `{"a":1,"a":2}`, 422, "data.a"],
      ["duplicate keys spelled apart", `{"a":1,"\\u0061":2}`, 422, "data.a"],
      ["duplicate __proto__ keys", `{"__proto__":1,"__proto__":2}`, 422, "data.__proto__"],
      ["duplicate keys nested", `{"x":[{"k":1,"k":1}]}`, 422, "data.x.0.k"],
      ["1e400", `{"n":1e400}`, 422, "data.n"],
      ["-1e400", `{"n":-1e400}`, 422, "data.n"],
      ["1e-400 (underflows to 0)", `{"n":1e-400}`, 422, "data.n"],
      ["more decimals than PostgreSQL keeps", `{"n":1.${"0".repeat(20_000)}1}`, 422, "data.n"],
      ["\\u0000 in a string", `{"s":"a\\u0000"}`, 422, "data.s"],
      ["\\u0000 in a key", `{"a\\u0000b":1}`, 422, undefined],
      ["a raw NUL in a string (not JSON)", `{"s":"a\u0000"}`, 400, undefined],
      ["data null", "null", 422, "data"],
      ["data an array", "[1]", 422, "data"],
      ["data a string", '"x"', 422, "data"],
    ];
    for (const [name, dataText, status, path] of refused) {
      it(`refuses ${name} with ${status}`, async () => {
        expectRefusedAt(await postData(dataText), name, status, path);
      });
    }

    it("refuses bytes that are not UTF-8 with 400", async () => {
      for (const bytes of [
        [0xff],
        [0xc3, 0x28],
        [0xc0, 0xaf],
        [0xed, 0xa0, 0x80],
        [0xf4, 0x90, 0x80, 0x80],
      ]) {
        const body = Buffer.concat([
          Buffer.from(`{"event_type":"fuzz.data","data":{"s":"`),
          Buffer.from(bytes),
          Buffer.from(`"}}`),
        ]);
        const answer = await api("POST", eventsPath(), { headers: jsonHeaders(project.key), body });
        expectRefusedAt(answer, `bytes ${bytes}`, 400);
      }
    });

    it("refuses a duplicate top-level member and numbers it cannot hold outside data", async () => {
      const twice = await api("POST", eventsPath(), {
        headers: jsonHeaders(project.key),
        body: `{"event_type":"fuzz.data","data":{},"data":{"a":1}}`,
      });
      expectRefusedAt(twice, "data twice", 422, "data");
      const protoKey = await api("POST", eventsPath(), {
        headers: jsonHeaders(project.key),
        body: `{"event_type":"fuzz.data","__proto__":{},"data":{}}`,
      });
      expectRefusedAt(protoKey, "__proto__ beside data", 422, "__proto__");
    });

    it("delivers 100,000 keys exactly", async () => {
      const keys = Array.from({ length: 100_000 }, (_, index) => `"${index.toString(36)}":${index % 10}`);
      const dataText = `{${keys.join(",")}}`;
      await expectDeliveredExactly(await postData(dataText), dataText, "100k keys");
    });

    it("delivers a key and a string of half a megabyte exactly", async () => {
      const dataText = `{"${"k".repeat(300_000)}":"${"é".repeat(100_000)}"}`;
      await expectDeliveredExactly(await postData(dataText), dataText, "huge key and string");
    });

    it("takes a body of exactly MAX_PAYLOAD_BYTES and answers 413 for one byte more", async () => {
      const frame = Buffer.byteLength(`{"event_type":"fuzz.data","data":{"s":""}}`);
      const fill = (length: number) => `{"s":"${"x".repeat(length - frame)}"}`;
      const atLimit = fill(MAX_BYTES);
      await expectDeliveredExactly(await postData(atLimit), atLimit, "MAX_PAYLOAD_BYTES");
      expectRefusedAt(await postData(fill(MAX_BYTES + 1)), "MAX_PAYLOAD_BYTES + 1", 413);
      expectRefusedAt(await postData(fill(MAX_BYTES * 4)), "4 x MAX_PAYLOAD_BYTES", 413);
    });

    it("property: arbitrary data is delivered exactly, or refused with 422 at data", async () => {
      await fc.assert(
        fc.asyncProperty(dataPiece, async (piece) => {
          const answer = await postData(piece.text);
          if (piece.refused) expectRefusedAt(answer, piece.text, 422);
          else await expectDeliveredExactly(answer, piece.text, piece.text);
        }),
        fuzz(60),
      );
    });
  });

  // -------------------------------------------------------------------------------------------------------
  describe("content types, bodies and headers of POST …/events", () => {
    const body = `{"event_type":"fuzz.data","data":{"k":1}}`;
    const withType = (contentType: string | undefined, payload: string | Buffer = body) =>
      api("POST", eventsPath(), {
        headers: {
          authorization: `Bearer ${project.key}`,
          ...(contentType && { "content-type": contentType }),
        },
        body: payload,
      });

    it("refuses a body that is not declared as UTF-8 JSON with 400", async () => {
      for (const contentType of [
        undefined,
        "text/plain",
        "application/x-www-form-urlencoded",
        "application/json; charset=latin1",
        "application/json; charset=utf-16",
        "multipart/form-data; boundary=x",
        "application/jsonx",
      ]) {
        expectRefusedAt(await withType(contentType), `Content-Type ${contentType}`, 400);
      }
    });

    it("accepts JSON under its other spellings", async () => {
      for (const contentType of [
        "application/json; charset=utf-8",
        'Application/JSON; Charset="UTF-8"',
        "application/cloudevents+json",
      ]) {
        const answer = await withType(contentType);
        await expectDeliveredExactly(answer, `{"k":1}`, contentType);
      }
    });

    it("refuses a body that is not JSON with 400 and one that is not an event with 422", async () => {
      for (const text of ["{", '{"a":1,}', "{'a':1}", "NaN", '{"a":1}{}', "/**/{}", "\u0000"]) {
        expectRefusedAt(await withType("application/json", text), JSON.stringify(text), 400);
      }
      for (const text of ["", "null", "[]", '"event"', "0", "{}"]) {
        expectRefusedAt(await withType("application/json", text), JSON.stringify(text), 422);
      }
    });

    it("refuses a Content-Encoding it cannot read with 400", async () => {
      for (const encoding of ["gzip", "br", "x-unknown"]) {
        const answer = await api("POST", eventsPath(), {
          headers: jsonHeaders(project.key, { "content-encoding": encoding }),
          body,
        });
        expectRefusedAt(answer, `Content-Encoding ${encoding}`, 400);
      }
    });

    it("refuses repeated Authorization, Content-Type and Idempotency-Key headers with 400", async () => {
      const good = `Bearer ${project.key}`;
      const repeated: Array<Record<string, string | string[]>> = [
        { authorization: [good, "Bearer hr_other"], "content-type": "application/json" },
        { authorization: ["Bearer hr_other", good], "content-type": "application/json" },
        { authorization: good, "content-type": ["application/json", "text/plain"] },
        { authorization: good, "content-type": "application/json", "idempotency-key": ["one", "two"] },
      ];
      for (const headers of repeated) {
        expectRefusedAt(await api("POST", eventsPath(), { headers, body }), JSON.stringify(headers), 400);
      }
    });

    it("refuses Idempotency-Keys that are too long or not ASCII with 422; a 64 KB header gets 431 in the SPEC's shape", async () => {
      expectRefusedAt(
        await api("POST", eventsPath(), {
          headers: jsonHeaders(project.key, { "idempotency-key": "k".repeat(12_000) }),
          body,
        }),
        "12 KB key",
        422,
      );
      expectRefusedAt(
        await api("POST", eventsPath(), {
          headers: jsonHeaders(project.key, { "idempotency-key": Buffer.from("ключ").toString("latin1") }),
          body,
        }),
        "UTF-8 key",
        422,
      );
      // Node's HTTP parser refuses this before Express runs; the api still answers in the SPEC's shape.
      const huge = await api("POST", eventsPath(), {
        headers: jsonHeaders(project.key, { "x-padding": "p".repeat(64 * 1024) }),
        body,
        ownConnection: true,
      });
      expect(huge.status).toBe(431);
      expect(JSON.parse(huge.text).error.code).toBe("validation_error");
    });
  });

  // -------------------------------------------------------------------------------------------------------
  describe("every write route", () => {
    const writeRoutes = v1Routes.filter((route) => route.method !== "get");
    const FAKE: Record<string, string> = {
      projectId: "proj_00000000000000000000000000",
      keyId: "key_00000000000000000000000000",
      webhookId: "wh_00000000000000000000000000",
      deliveryId: "dlv_00000000000000000000000000",
      sourceId: "src_00000000000000000000000000",
    };
    const keyFor = (route: (typeof writeRoutes)[number]) => (route.auth === "admin" ? ADMIN_KEY : target.key);
    /** The route's path with real ids (fake ones for DELETE, which an empty body would carry out). */
    const pathOf = (route: (typeof writeRoutes)[number], override: Record<string, string> = {}) =>
      `/v1${route.path.replace(/:(\w+)/g, (_, name: string) => {
        if (override[name] !== undefined) return override[name];
        if (name === "projectId") return target.id;
        if (route.method === "delete") return FAKE[name] ?? "x";
        if (name === "webhookId") return victimWebhookId;
        if (name === "deliveryId") return victimDeliveryId;
        return FAKE[name] ?? "x";
      })}`;
    const label = (route: (typeof writeRoutes)[number]) => `${route.method.toUpperCase()} ${route.path}`;

    it("covers every write route of the router", () => {
      expect(writeRoutes.length).toBeGreaterThanOrEqual(14);
      expect(writeRoutes.map((route) => route.method)).toEqual(
        expect.arrayContaining(["post", "patch", "delete"]),
      );
    });

    // Many keys: 100,000 where they meet a schema; 10,000 where the route takes no body (all its keys are
    // refused by the same empty schema, and 100,000 of them cost a second a route on a busy machine).
    const manyKeys = (count: number) =>
      `{${Array.from({ length: count }, (_, i) => `"${i.toString(36)}":0`).join(",")}}`;
    const [hundredThousandKeys, tenThousandKeys] = [manyKeys(100_000), manyKeys(10_000)];

    type WriteRoute = (typeof writeRoutes)[number];
    const hostile: Array<{
      name: string;
      body: string | Buffer | ((route: WriteRoute) => string);
      type?: string;
      statuses: number[];
    }> = [
      {
        name: "nesting 10,000 deep",
        body: `{"a":${"[".repeat(10_000)}${"]".repeat(10_000)}}`,
        statuses: [422],
      },
      { name: "an escaped lone surrogate", body: `{"name":"\\ud800"}`, statuses: [422] },
      {
        name: "raw bytes that are not UTF-8",
        body: Buffer.from([0x7b, 0x22, 0xff, 0x22, 0x3a, 0x31, 0x7d]),
        statuses: [400],
      },
      { name: "a __proto__ key", body: `{"__proto__":{"admin":true}}`, statuses: [422] },
      { name: "a constructor key", body: `{"constructor":{"prototype":{}}}`, statuses: [422] },
      { name: "duplicate keys", body: `{"name":"a","name":"b"}`, statuses: [422] },
      { name: "12345678901234567890", body: `{"n":12345678901234567890}`, statuses: [422] },
      { name: "1e400", body: `{"n":1e400}`, statuses: [422] },
      { name: "-0", body: `{"n":-0}`, statuses: [422] },
      { name: "1.0000000000000001", body: `{"n":1.0000000000000001}`, statuses: [422] },
      { name: "\\u0000", body: `{"name":"\\u0000"}`, statuses: [422] },
      {
        name: "many keys",
        body: (route) => (route.body ? hundredThousandKeys : tenThousandKeys),
        statuses: [422],
      },
      { name: "a body over MAX_PAYLOAD_BYTES", body: `{"name":"${"x".repeat(MAX_BYTES)}"}`, statuses: [413] },
      { name: "null", body: "null", statuses: [422] },
      { name: "an array", body: "[]", statuses: [422] },
      { name: "not JSON", body: "{", statuses: [400] },
      { name: "no Content-Type", body: "{}", type: "", statuses: [400] },
      { name: "text/plain", body: "{}", type: "text/plain", statuses: [400] },
      { name: "a form", body: "name=x", type: "application/x-www-form-urlencoded", statuses: [400] },
      { name: "charset=latin1", body: "{}", type: "application/json; charset=latin1", statuses: [400] },
      { name: "multipart", body: "--x--", type: "multipart/form-data; boundary=x", statuses: [400] },
    ];

    it("answers the hostile table with the SPEC's 4xx on every write route", async () => {
      for (const route of writeRoutes) {
        for (const { name, body, type = "application/json", statuses } of hostile) {
          const answer = await api(route.method.toUpperCase(), pathOf(route), {
            headers: { authorization: `Bearer ${keyFor(route)}`, ...(type && { "content-type": type }) },
            body: typeof body === "function" ? body(route) : body,
          });
          expectStatus(answer, `${label(route)} with ${name}`, statuses);
        }
      }
    });

    it("answers strange path segments with the SPEC's 4xx on every write route", async () => {
      for (const route of writeRoutes) {
        for (const name of route.path.match(/:(\w+)/g) ?? []) {
          for (const segment of hostileSegments) {
            const path = pathOf(route, { [name.slice(1)]: segment });
            const answer = await api(route.method.toUpperCase(), path, {
              headers: jsonHeaders(keyFor(route)),
              body: "{}",
            });
            expectStatus(answer, `${route.method.toUpperCase()} ${path.slice(0, 120)}`, [400, 403, 404]);
          }
        }
      }
    });

    // Field names the write routes know, so generated bodies get past "unrecognized key" now and then.
    const FIELDS = [
      "name",
      "url",
      "event_types",
      "enabled",
      "description",
      "headers",
      "rate_limit_per_second",
      "secret",
      "signature_header",
      "signature_format",
      "since",
      "until",
      "event_type",
      "data",
      "event_id",
      "database_url",
      "tables",
    ];
    const fieldValue = fc.oneof(
      fc.jsonValue({ maxDepth: 3 }),
      fc.constantFrom(
        "http://127.0.0.1:9/hook",
        "http://[::1]:1/",
        "postgresql://127.0.0.1:9/none",
        ["victim.*"],
        ["*"],
        "victim.fuzzed",
        "2026-01-01T00:00:00Z",
        "0000-01-01T00:00:00Z",
        "whsec_AAAA",
        { "X-A": "b" },
        [{ table: "t" }],
        10_001,
        -1,
      ),
    );
    const bodyFor = fc.oneof(
      fc
        .dictionary(fc.constantFrom(...FIELDS), fieldValue, { maxKeys: 5 })
        .map((body) => JSON.stringify(body)),
      fc.jsonValue().map((value) => JSON.stringify(value) ?? "null"),
      fc.string({ unit: "binary", maxLength: 40 }),
      fc.uint8Array({ maxLength: 40 }).map((bytes) => Buffer.from(bytes)),
      dataPiece.map((piece) => `{"event_type":"victim.fuzzed","data":${piece.text}}`),
      numberToken.map((token) => `{"rate_limit_per_second":${token}}`),
    );
    const contentType = fc.constantFrom(
      "application/json",
      "application/json",
      "application/json",
      undefined,
      "text/plain",
      "application/json; charset=latin1",
      "application/x-www-form-urlencoded",
    );

    it("property: any body with any content type on any write route gets no 5xx, and 4xx in the SPEC's shape", async () => {
      await fc.assert(
        fc.asyncProperty(fc.constantFrom(...writeRoutes), bodyFor, contentType, async (route, body, type) => {
          const answer = await api(route.method.toUpperCase(), pathOf(route), {
            headers: { authorization: `Bearer ${keyFor(route)}`, ...(type && { "content-type": type }) },
            body,
          });
          expectSpecAnswer(answer, `${label(route)} ${String(body).slice(0, 200)}`);
        }),
        fuzz(300),
      );
    });

    const segment = fc.oneof(
      fc.constantFrom(...hostileSegments),
      fc
        .string({ unit: "binary", maxLength: 30 })
        .map((text) =>
          [...Buffer.from(text, "utf8")].map((byte) => `%${byte.toString(16).padStart(2, "0")}`).join(""),
        ),
      fc.stringMatching(/^[%a-z0-9_.~-]{1,40}$/),
    );

    it("property: any path segment on any write route gets no 5xx, and 4xx in the SPEC's shape", async () => {
      await fc.assert(
        fc.asyncProperty(fc.constantFrom(...writeRoutes), segment, fc.nat(), async (route, text, which) => {
          const names = (route.path.match(/:(\w+)/g) ?? []).map((name) => name.slice(1));
          const name = names[which % Math.max(1, names.length)] ?? "none";
          const path = pathOf(route, { [name]: text });
          const answer = await api(route.method.toUpperCase(), path, {
            headers: jsonHeaders(keyFor(route)),
            body: "{}",
          });
          expectSpecAnswer(answer, `${route.method.toUpperCase()} ${path.slice(0, 200)}`);
        }),
        fuzz(150),
      );
    });

    it("property: a number outside data is kept exactly or refused (rate_limit_per_second)", async () => {
      const spelled = fc
        .tuple(
          fc.integer({ min: -3, max: 10_003 }),
          fc.constantFrom("plain", ".0", "e0", "scaled", "perturbed"),
        )
        .map(([n, form]) => {
          if (form === ".0") return `${n}.0`;
          if (form === "e0") return `${n}e0`;
          if (form === "scaled") return `${n * 10}e-1`;
          if (form === "perturbed") return `${n}.0000000000000001`;
          return String(n);
        });
      await fc.assert(
        fc.asyncProperty(fc.oneof(spelled, numberToken), async (token) => {
          const answer = await api("PATCH", target.path(`/webhooks/${victimWebhookId}`), {
            headers: jsonHeaders(target.key),
            body: `{"rate_limit_per_second":${token}}`,
          });
          // The exact value of the token: accepted only when it is a whole number from 1 to 10,000.
          const exact = exactDecimal(token);
          const [digits = "", power = "0"] = exact.split("e");
          const whole =
            !exact.startsWith("-") && digits !== "0" && BigInt(power) >= 0n && BigInt(power) < 6n
              ? BigInt(digits) * 10n ** BigInt(power)
              : undefined;
          if (whole !== undefined && whole >= 1n && whole <= 10_000n) {
            expect({ token, status: answer.status }).toEqual({ token, status: 200 });
            expect(JSON.parse(answer.text).rate_limit_per_second).toBe(Number(whole));
          } else expectRefusedAt(answer, token, 422, "rate_limit_per_second");
        }),
        fuzz(80),
      );
    });
  });

  // -------------------------------------------------------------------------------------------------------
  describe("the dashboard's forms", () => {
    let token: string;
    let dashboardWebhookId: string;

    beforeAll(async () => {
      dashboardWebhookId = (await target.webhook({ url: receiver.url, event_types: ["dash.*"] })).id;
      const page = await api("GET", `/dashboard/projects/${target.id}`, {
        headers: { authorization: `Bearer ${ADMIN_KEY}` },
      });
      token = /name="csrf" value="([^"]+)"/.exec(page.text)?.[1] ?? "";
      expect(token).not.toBe("");
    });

    const FORM = "application/x-www-form-urlencoded";
    const post = (path: string, body: string | Buffer, type: string | null = FORM) =>
      api("POST", path, {
        headers: {
          authorization: `Bearer ${ADMIN_KEY}`,
          "sec-fetch-site": "same-origin",
          ...(type !== null && { "content-type": type }),
        },
        body,
      });
    const formRoutes = () => {
      const webhook = `/dashboard/projects/${target.id}/webhooks/${dashboardWebhookId}`;
      return [
        `/dashboard/projects/${target.id}/webhooks`,
        `${webhook}/edit`,
        `${webhook}/delete`,
        `${webhook}/enabled`,
        `${webhook}/test`,
        `${webhook}/deliveries/${victimDeliveryId}/replay`,
      ];
    };

    /** Never a 5xx; a refusal is an HTML page without a stack trace. */
    function expectPage(answer: Answer, request: string, statuses: number[]) {
      expectOneOf(answer, request, statuses);
      if (answer.status >= 400) {
        expect(answer.contentType).toMatch(/^text\/html/);
        expect(answer.text).not.toMatch(/\bat .*\.(ts|js):\d+/);
      }
    }

    it("answers hostile forms with 4xx on every form route", async () => {
      const csrf = () => `csrf=${encodeURIComponent(token)}`;
      const cases: Array<{ name: string; body: string | Buffer; type?: string; statuses: number[] }> = [
        { name: "%ff", body: `${csrf()}&name=%ff`, statuses: [400] },
        { name: "%c3%28", body: `${csrf()}&name=%c3%28`, statuses: [400] },
        { name: "an encoded surrogate", body: `${csrf()}&name=%ed%a0%80`, statuses: [400] },
        { name: "a broken escape", body: `${csrf()}&name=%e`, statuses: [400] },
        {
          name: "raw bytes",
          body: Buffer.concat([Buffer.from(`${csrf()}&name=`), Buffer.from([0xff])]),
          statuses: [400],
        },
        { name: "a repeated field", body: `${csrf()}&from=webhook&from=project`, statuses: [400] },
        { name: "a repeated csrf", body: `${csrf()}&${csrf()}`, statuses: [400] },
        { name: "text/plain", body: csrf(), type: "text/plain", statuses: [400] },
        { name: "JSON", body: JSON.stringify({ csrf: token }), type: "application/json", statuses: [400] },
        { name: "multipart", body: "--x--", type: "multipart/form-data; boundary=x", statuses: [400] },
        { name: "charset=latin1", body: csrf(), type: `${FORM}; charset=latin1`, statuses: [400] },
        { name: "no Content-Type", body: csrf(), type: "", statuses: [400] },
        { name: "200 KB", body: `${csrf()}&name=${"x".repeat(200_000)}`, statuses: [413] },
        { name: "no csrf", body: "name=x", statuses: [403] },
      ];
      for (const path of formRoutes()) {
        for (const { name, body, type, statuses } of cases) {
          expectPage(
            await post(path, body, type === "" ? null : (type ?? FORM)),
            `${path} with ${name}`,
            statuses,
          );
        }
      }
    });

    it("refuses NUL in a webhook's fields with 422 and takes a __proto__ field as a field", async () => {
      const csrf = `csrf=${encodeURIComponent(token)}`;
      const create = `/dashboard/projects/${target.id}/webhooks`;
      const edit = `/dashboard/projects/${target.id}/webhooks/${dashboardWebhookId}/edit`;
      const valid = `url=${encodeURIComponent(receiver.url)}&event_types=dash.x`;
      for (const path of [create, edit]) {
        expectPage(await post(path, `${csrf}&${valid}&name=a%00b`), `${path} NUL name`, [422]);
        expectPage(await post(path, `${csrf}&${valid}&description=%00`), `${path} NUL description`, [422]);
        expectPage(
          await post(path, `${csrf}&url=${encodeURIComponent(`${receiver.url}/\u0000`)}&event_types=dash.x`),
          `${path} NUL url`,
          [422],
        );
      }
      const toggle = `/dashboard/projects/${target.id}/webhooks/${dashboardWebhookId}/enabled`;
      expectPage(
        await post(toggle, `${csrf}&enabled=false&from=webhook&__proto__=x`),
        "__proto__ field",
        [303],
      );
      const webhook = await stack.call("GET", target.path(`/webhooks/${dashboardWebhookId}`), {
        key: target.key,
      });
      expect(webhook.body.enabled).toBe(false);
    });

    it("answers strange path segments with 4xx", async () => {
      const csrf = `csrf=${encodeURIComponent(token)}`;
      for (const segment of hostileSegments) {
        for (const path of [
          `/dashboard/projects/${segment}/webhooks`,
          `/dashboard/projects/${target.id}/webhooks/${segment}/enabled`,
          `/dashboard/projects/${target.id}/webhooks/${dashboardWebhookId}/deliveries/${segment}/replay`,
        ]) {
          expectPage(await post(path, `${csrf}&enabled=true&from=webhook`), path.slice(0, 120), [400, 404]);
        }
      }
    });

    it("property: any form on any form route gets no 5xx", async () => {
      const field = fc.tuple(
        fc.constantFrom(
          "csrf",
          "url",
          "name",
          "description",
          "event_types",
          "headers",
          "enabled",
          "from",
          "x",
        ),
        fc.string({ unit: "binary", maxLength: 30 }),
        fc.constantFrom("encoded", "raw", "mangled"),
      );
      await fc.assert(
        fc.asyncProperty(
          fc.nat(),
          fc.array(field, { maxLength: 6 }),
          fc.boolean(),
          async (which, fields, withToken) => {
            const routes = formRoutes();
            const path = routes[which % routes.length] ?? "";
            const parts = fields.map(([name, value, how]) => {
              const encoded = [...Buffer.from(value, "utf8")]
                .map((byte) => `%${byte.toString(16).padStart(2, "0")}`)
                .join("");
              const text = how === "encoded" ? encoded : how === "mangled" ? encoded.slice(0, -1) : value;
              return `${name}=${text}`;
            });
            if (withToken) parts.unshift(`csrf=${encodeURIComponent(token)}`);
            const answer = await post(path, Buffer.from(parts.join("&"), "utf8"));
            expectPage(answer, path, [200, 303, 400, 403, 404, 409, 413, 422]);
          },
        ),
        fuzz(60),
      );
    });
  });

  it("is still serving after all of it", async () => {
    const health = await api("GET", "/healthz");
    expect(health.status).toBe(200);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});
