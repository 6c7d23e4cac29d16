import type { Request } from "express";
import { ApiError } from "../errors.js";

// The /v1 request body: read by express.raw (MAX_PAYLOAD_BYTES, 413), judged here, then parsed by
// JSON.parse. The rule is that a value is kept exactly or refused, never changed silently:
//
// - Kept exactly: an event's `data` reaches receivers as the very text the producer sent (the route
//   declares it as its `rawMember`; ingest splices that text into the envelope, as it already does for a
//   captured row's JSON from PostgreSQL). Re-serializing the parsed value instead would silently turn
//   12345678901234567890 into 12345678901234567000, 1.0000000000000001 into 1 and -0 into 0, and any
//   refusal of such numbers would refuse int64 ids that Go, Java or Python producers send every day.
// - Refused (422 naming the path), because neither the parsed value nor PostgreSQL can hold them:
//   duplicate keys (JSON.parse keeps the last one and drops the other silently; jsonb does the same),
//   `\u0000` (text and jsonb cannot store it), a lone surrogate (no UTF-8 encodes it: receivers would
//   read U+FFFD), a number beyond a double's range (1e400: Infinity for any double reader; jsonb would
//   expand it into 400 digits) or with more decimals than jsonb keeps, nesting deeper than MAX_JSON_DEPTH.
// - Refused outside the raw member, where the parsed value is what gets used: a number a double does not
//   hold exactly (the stored value would differ from the one sent) and a `__proto__` key (zod's objects
//   and records skip it without a word, to stay clear of prototype pollution).
// - 400 for what is not JSON: a body that is not UTF-8 (a lenient decoder would put U+FFFD in its place),
//   a syntax error, or a Content-Type other than JSON (application/json or +json, UTF-8).
//
// This is a scanner that checks these rules and records the top-level members' spans, not a parser:
// JSON.parse still builds the value, after the scan has proved the text is JSON.

/** Deepest nesting accepted: below serde_json's default limit of 128, so Rust receivers can read it too. */
export const MAX_JSON_DEPTH = 100;

/** PostgreSQL's numeric (and so jsonb) keeps at most this many digits after the decimal point. */
const MAX_NUMERIC_SCALE = 16_383;

export interface JsonBody {
  value: unknown;
  /** The exact text of each member of a top-level object, by name. */
  members: Map<string, string>;
}

export interface JsonBodyOptions {
  /** A top-level member whose text is used as sent: numbers a double cannot hold exactly and `__proto__` keys are allowed inside it. */
  rawMember?: string;
}

/** The request's JSON body (undefined when there is none), or the SPEC's 400/422. */
export function readJsonBody(req: Request, options: JsonBodyOptions = {}): JsonBody | undefined {
  const bytes: unknown = req.body;
  if (!Buffer.isBuffer(bytes) || bytes.length === 0) return undefined;
  requireJsonContentType(req.headers["content-type"]);
  return parseJsonBody(decodeUtf8(bytes), options);
}

function notJson(message: string): ApiError {
  return new ApiError(400, "validation_error", message);
}

function refused(path: Array<string | number>, message: string): ApiError {
  const where = path.join(".");
  return new ApiError(422, "validation_error", `${where || "body"}: ${message}`, [{ path: where, message }]);
}

function requireJsonContentType(header: string | undefined): void {
  const [mediaType = "", ...parameters] = (header ?? "").split(";");
  const type = mediaType.trim().toLowerCase();
  if (type !== "application/json" && !/^application\/[^/]+\+json$/.test(type)) {
    throw notJson(
      `the request body must be JSON, sent with Content-Type: application/json (not ${header ? `"${header}"` : "none"})`,
    );
  }
  for (const parameter of parameters) {
    const [name = "", value = ""] = parameter.split("=", 2).map((part) => part.trim().toLowerCase());
    const charset = value.replace(/^"(.*)"$/, "$1");
    if (name === "charset" && charset !== "utf-8" && charset !== "utf8") {
      throw notJson(`JSON is UTF-8: charset=${charset} is not accepted`);
    }
  }
}

const utf8 = new TextDecoder("utf-8", { fatal: true });

function decodeUtf8(bytes: Buffer): string {
  try {
    return utf8.decode(bytes);
  } catch {
    throw notJson("the request body is not valid UTF-8");
  }
}

interface Frame {
  object: boolean;
  /** Object: the decoded keys seen so far (made at the first key). */
  keys: Set<string> | undefined;
  /** Object: the current member's key; array: the current element's index. */
  at: string | number;
  /** Where the current member's or element's value starts. */
  valueStart: number;
}

// Character codes (the scanner reads with charCodeAt: this runs on every event ingested).
const TAB = 0x09;
const LF = 0x0a;
const CR = 0x0d;
const SPACE = 0x20;
const QUOTE = 0x22;
const PLUS = 0x2b;
const COMMA = 0x2c;
const MINUS = 0x2d;
const DOT = 0x2e;
const DIGIT_0 = 0x30;
const DIGIT_1 = 0x31;
const DIGIT_9 = 0x39;
const COLON = 0x3a;
const UPPER_E = 0x45;
const LEFT_BRACKET = 0x5b;
const BACKSLASH = 0x5c;
const RIGHT_BRACKET = 0x5d;
const LOWER_E = 0x65;
const LOWER_U = 0x75;
const LEFT_BRACE = 0x7b;
const RIGHT_BRACE = 0x7d;
/** The characters after a backslash that stand for one character: " \ / b f n r t. */
const SIMPLE_ESCAPES = new Set([0x22, 0x5c, 0x2f, 0x62, 0x66, 0x6e, 0x72, 0x74]);
/** Decimal digits a double always holds exactly (DBL_DIG). */
const EXACT_DIGITS = 15;

/** A run of characters that stand for themselves in a string (the regex engine skips them fastest). */
// biome-ignore lint/suspicious/noControlCharactersInRegex: JSON strings may not hold raw control characters; this finds them.
const PLAIN_CHARACTERS = /[^"\\\u0000-\u001f]*/y;

const isDigit = (char: number) => char >= DIGIT_0 && char <= DIGIT_9;

/** Checks `text` against the rules above and parses it. Exported for unit tests. */
export function parseJsonBody(text: string, { rawMember }: JsonBodyOptions = {}): JsonBody {
  const scanner = new Scanner(text, rawMember);
  try {
    scanner.scan();
  } catch (error) {
    // A refusal (422) can come before a syntax error further on: text that is not JSON is a 400 first.
    if (error instanceof ApiError && error.status === 422) requireJsonSyntax(text);
    throw error;
  }
  return { value: JSON.parse(text), members: scanner.members };
}

function requireJsonSyntax(text: string): void {
  try {
    JSON.parse(text);
  } catch {
    throw notJson("the request body is not valid JSON");
  }
}

class Scanner {
  pos = 0;
  readonly members = new Map<string, string>();
  private readonly stack: Frame[] = [];

  constructor(
    private readonly text: string,
    private readonly rawMember: string | undefined,
  ) {}

  scan(): void {
    const { text, stack } = this;
    this.skipWhitespace();
    for (;;) {
      // A value starts at pos.
      const char = text.charCodeAt(this.pos);
      if (char === LEFT_BRACE || char === LEFT_BRACKET) {
        if (stack.length >= MAX_JSON_DEPTH) {
          throw refused(this.path().slice(0, 1), `nesting deeper than ${MAX_JSON_DEPTH} levels`);
        }
        const object = char === LEFT_BRACE;
        this.pos++;
        this.skipWhitespace();
        if (text.charCodeAt(this.pos) === (object ? RIGHT_BRACE : RIGHT_BRACKET)) this.pos++;
        else {
          const frame: Frame = { object, keys: undefined, at: 0, valueStart: this.pos };
          stack.push(frame);
          if (object) this.readKey(frame);
          continue;
        }
      } else if (char === QUOTE) this.scanString();
      else if (char === MINUS || isDigit(char)) this.scanNumber();
      else this.scanLiteral();

      // The value ended: close every container that ends here, then go on to the next member or element.
      let frame = stack[stack.length - 1];
      while (frame) {
        if (frame.object && stack.length === 1) {
          this.members.set(String(frame.at), text.slice(frame.valueStart, this.pos));
        }
        this.skipWhitespace();
        const next = text.charCodeAt(this.pos);
        if (next === COMMA) {
          this.pos++;
          this.skipWhitespace();
          if (frame.object) this.readKey(frame);
          else {
            frame.at = (frame.at as number) + 1;
            frame.valueStart = this.pos;
          }
          break;
        }
        if (next !== (frame.object ? RIGHT_BRACE : RIGHT_BRACKET)) {
          throw this.syntaxError(`expected ',' or '${frame.object ? "}" : "]"}'`);
        }
        this.pos++;
        stack.pop();
        frame = stack[stack.length - 1];
      }
      if (!frame) break;
    }
    this.skipWhitespace();
    if (this.pos !== text.length) throw this.syntaxError();
  }

  private path(): Array<string | number> {
    return this.stack.map((frame) => frame.at);
  }

  private syntaxError(what = "unexpected character"): ApiError {
    return notJson(
      this.pos >= this.text.length
        ? "the request body is not valid JSON: it ends too early"
        : `the request body is not valid JSON: ${what} at character ${this.pos}`,
    );
  }

  /** Inside the raw member (at any depth below the top-level object), or reading its value. */
  private inRawMember(): boolean {
    const top = this.stack[0];
    return this.rawMember !== undefined && top?.object === true && top.at === this.rawMember;
  }

  private skipWhitespace(): void {
    const { text } = this;
    let char = text.charCodeAt(this.pos);
    while (char === SPACE || char === LF || char === CR || char === TAB) char = text.charCodeAt(++this.pos);
  }

  /** Reads `"key":` of an object member into the frame. */
  private readKey(frame: Frame): void {
    const { text } = this;
    if (text.charCodeAt(this.pos) !== QUOTE) throw this.syntaxError("expected a key");
    frame.at = "(key)"; // where a refusal inside the key itself is reported
    const start = this.pos;
    const escaped = this.scanString();
    const key = escaped
      ? (JSON.parse(text.slice(start, this.pos)) as string)
      : text.slice(start + 1, this.pos - 1);
    frame.at = key;
    frame.keys ??= new Set();
    if (frame.keys.has(key)) throw refused(this.path(), "this key appears more than once in its object");
    if (key === "__proto__" && !(this.stack.length > 1 && this.inRawMember())) {
      throw refused(this.path(), "__proto__ is not accepted as a key here");
    }
    frame.keys.add(key);
    this.skipWhitespace();
    if (text.charCodeAt(this.pos) !== COLON) throw this.syntaxError("expected ':'");
    this.pos++;
    this.skipWhitespace();
    frame.valueStart = this.pos;
  }

  /** Scans the string at pos (its opening quote); answers whether it holds escapes. */
  private scanString(): boolean {
    const { text } = this;
    let pos = this.pos + 1;
    let escaped = false;
    for (;;) {
      PLAIN_CHARACTERS.lastIndex = pos;
      PLAIN_CHARACTERS.test(text);
      pos = PLAIN_CHARACTERS.lastIndex;
      const char = text.charCodeAt(pos);
      if (char === QUOTE) break;
      if (char === BACKSLASH) {
        escaped = true;
        const kind = text.charCodeAt(pos + 1);
        if (SIMPLE_ESCAPES.has(kind)) {
          pos += 2;
          continue;
        }
        this.pos = pos;
        if (kind !== LOWER_U) throw this.syntaxError("invalid escape");
        const unit = hexAt(text, pos + 2);
        if (unit < 0) throw this.syntaxError("invalid \\u escape");
        if (unit === 0) throw refused(this.path(), "the NUL character (\\u0000) cannot be stored");
        const lone = refused(this.path(), `a lone surrogate (\\u${hex(unit)}) is not Unicode text`);
        if (unit >= 0xdc00 && unit <= 0xdfff) throw lone;
        if (unit >= 0xd800 && unit <= 0xdbff) {
          const pair = text.charCodeAt(pos + 6) === BACKSLASH && text.charCodeAt(pos + 7) === LOWER_U;
          const low = pair ? hexAt(text, pos + 8) : -1;
          if (low < 0xdc00 || low > 0xdfff) throw lone;
          pos += 12;
        } else pos += 6;
      } else if (char >= SPACE) pos++;
      else {
        this.pos = pos;
        throw this.syntaxError("control character in a string");
      }
    }
    this.pos = pos + 1;
    return escaped;
  }

  private scanNumber(): void {
    const { text } = this;
    const start = this.pos;
    let pos = start;
    const negative = text.charCodeAt(pos) === MINUS;
    if (negative) pos++;
    const first = text.charCodeAt(pos);
    if (first === DIGIT_0) pos++;
    else if (first >= DIGIT_1 && first <= DIGIT_9) while (isDigit(text.charCodeAt(++pos)));
    else {
      this.pos = pos;
      throw this.syntaxError();
    }
    let fraction = false;
    if (text.charCodeAt(pos) === DOT) {
      fraction = true;
      if (!isDigit(text.charCodeAt(++pos))) {
        this.pos = pos;
        throw this.syntaxError();
      }
      while (isDigit(text.charCodeAt(++pos)));
    }
    let exponent = false;
    const e = text.charCodeAt(pos);
    if (e === LOWER_E || e === UPPER_E) {
      exponent = true;
      const sign = text.charCodeAt(++pos);
      if (sign === PLUS || sign === MINUS) pos++;
      if (!isDigit(text.charCodeAt(pos))) {
        this.pos = pos;
        throw this.syntaxError();
      }
      while (isDigit(text.charCodeAt(++pos)));
    }
    this.pos = pos;
    // The common case needs no arithmetic: up to 15 digits and no exponent is a double exactly (15 significant
    // digits always survive the trip, and without an exponent such a number is far inside a double's range);
    // only -0 and -0.x need the full check below for their sign.
    const digits = pos - start - (negative ? 1 : 0) - (fraction ? 1 : 0);
    if (!exponent && digits <= EXACT_DIGITS && !(negative && first === DIGIT_0)) return;
    const token = text.slice(start, pos);
    const problem = numberProblem(token);
    if (problem === "range") {
      this.pos = start;
      throw refused(
        this.path(),
        `the number ${clip(token)} is beyond what can be stored (a double's range, ${MAX_NUMERIC_SCALE} decimals)`,
      );
    }
    if (problem === "inexact" && !this.inRawMember()) {
      this.pos = start;
      throw refused(
        this.path(),
        `the number ${clip(token)} cannot be held exactly (a double would make it ${String(Number(token))}); send it as a string`,
      );
    }
  }

  private scanLiteral(): void {
    const literal = LITERALS.find((word) => this.text.startsWith(word, this.pos));
    if (!literal) throw this.syntaxError();
    this.pos += literal.length;
  }
}

const LITERALS = ["true", "false", "null"] as const;

/** The four hex digits at `at` as a number, or -1. */
function hexAt(text: string, at: number): number {
  let unit = 0;
  for (let index = at; index < at + 4; index++) {
    const digit = Number.parseInt(text[index] ?? "", 16);
    if (Number.isNaN(digit)) return -1;
    unit = unit * 16 + digit;
  }
  return unit;
}

const hex = (unit: number) => unit.toString(16).padStart(4, "0");
const clip = (token: string) => (token.length > 40 ? `${token.slice(0, 37)}...` : token);

/** A JSON number's exact value: digits × 10^exponent, digits without leading or trailing zeros ("" for 0). */
function decimalOf(token: string): { negative: boolean; digits: string; exponent: number } {
  const match = /^(-?)(\d+)(?:\.(\d+))?(?:[eE]([+-]?\d+))?$/.exec(token);
  if (!match) throw new Error(`not a number: ${token}`);
  const [, sign, whole = "", fraction = "", exponent = "0"] = match;
  const significant = `${whole}${fraction}`.replace(/^0+/, "");
  const digits = significant.replace(/0+$/, "");
  return {
    negative: sign === "-",
    digits,
    exponent: Number(exponent) - fraction.length + (significant.length - digits.length),
  };
}

/**
 * "range": no double approaches it (it overflows or underflows) or jsonb cannot store it;
 * "inexact": a double holds a different value (12345678901234567890, 1.0000000000000001, -0); null: exact.
 */
export function numberProblem(token: string): "range" | "inexact" | null {
  const value = Number(token);
  // The common case, and a fast one: the token is how JavaScript itself writes that double.
  if (value !== 0 && String(value) === token) return null;
  const exact = decimalOf(token);
  if (exact.digits === "") return exact.negative ? "inexact" : null;
  if (!Number.isFinite(value) || value === 0 || -exact.exponent > MAX_NUMERIC_SCALE) return "range";
  const held = decimalOf(String(value));
  return held.digits === exact.digits && held.exponent === exact.exponent ? null : "inexact";
}
