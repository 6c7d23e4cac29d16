import { ApiError } from "../errors.js";
import { MAX_JSON_DEPTH, numberProblem, parseJsonBody } from "./json-body.js";

/** The status and first detail path of the refusal, or "ok". */
function verdict(text: string, rawMember?: string): string {
  try {
    parseJsonBody(text, { rawMember });
    return "ok";
  } catch (error) {
    if (!(error instanceof ApiError)) throw error;
    const [detail] = (error.details ?? []) as Array<{ path: string }>;
    return detail ? `${error.status} ${detail.path}` : String(error.status);
  }
}

describe("numberProblem", () => {
  it("accepts what a double holds exactly", () => {
    for (const token of [
      "0",
      "1",
      "-1",
      "0.1",
      "1.5",
      "1.0",
      "1E+2",
      "1e21",
      "0e999",
      "5e-324",
      "1.7976931348623157e308",
    ]) {
      expect({ token, problem: numberProblem(token) }).toEqual({ token, problem: null });
    }
  });

  it("calls inexact what a double would change", () => {
    for (const token of [
      "12345678901234567890",
      "9007199254740993",
      "1.0000000000000001",
      "-0",
      "-0.0e5",
      "3e-324",
    ]) {
      expect({ token, problem: numberProblem(token) }).toEqual({ token, problem: "inexact" });
    }
  });

  it("calls out of range what no double approaches or jsonb cannot keep", () => {
    for (const token of [
      "1e400",
      "-1e400",
      "1e-400",
      "2e-324",
      `1.${"0".repeat(16_383)}1`,
      "1e99999999999999999999",
    ]) {
      expect({ token: token.slice(0, 30), problem: numberProblem(token) }).toEqual({
        token: token.slice(0, 30),
        problem: "range",
      });
    }
  });
});

describe("parseJsonBody", () => {
  it("keeps each top-level member's text exactly as sent", () => {
    const body = parseJsonBody(
      `{ "event_type" : "a",\n "data":  { "n": 12345678901234567890 , "z": -0 }  }`,
      {
        rawMember: "data",
      },
    );
    expect(body.members.get("data")).toBe(`{ "n": 12345678901234567890 , "z": -0 }`);
    expect(body.members.get("event_type")).toBe(`"a"`);
  });

  it("refuses duplicate keys, however they are spelled", () => {
    expect(verdict(`{"a":1,"a":2}`)).toBe("422 a");
    expect(verdict(`{"x":{"a":1,"\\u0061":2}}`)).toBe("422 x.a");
    expect(verdict(`{"a":[{},{"b":1,"b":1}]}`)).toBe("422 a.1.b");
    expect(verdict(`{"a":1,"a":2`)).toBe("400");
  });

  it("refuses \\u0000 and lone surrogates, and takes surrogate pairs", () => {
    expect(verdict(`{"a":"\\u0000"}`)).toBe("422 a");
    expect(verdict(`{"a\\u0000":1}`)).toBe("422 (key)");
    expect(verdict(`{"a":"\\ud800"}`)).toBe("422 a");
    expect(verdict(`{"a":"\\udfff"}`)).toBe("422 a");
    expect(verdict(`{"a":"\\ud800\\ud800"}`)).toBe("422 a");
    expect(verdict(`{"a":"\\ud83d\\ude00😀"}`)).toBe("ok");
  });

  it("keeps numbers a double cannot hold and __proto__ keys only inside the raw member", () => {
    expect(verdict(`{"data":{"n":12345678901234567890,"__proto__":{}}}`, "data")).toBe("ok");
    expect(verdict(`{"data":-0}`, "data")).toBe("ok");
    expect(verdict(`{"other":{"n":12345678901234567890}}`, "data")).toBe("422 other.n");
    expect(verdict(`{"other":{"__proto__":{}}}`, "data")).toBe("422 other.__proto__");
    expect(verdict(`{"__proto__":{}}`, "__proto__")).toBe("422 __proto__");
    expect(verdict(`{"data":{"n":1e400}}`, "data")).toBe("422 data.n");
  });

  it(`refuses nesting deeper than ${MAX_JSON_DEPTH} levels, and takes it at the limit`, () => {
    const nested = (levels: number) => `${"[".repeat(levels)}${"]".repeat(levels)}`;
    expect(verdict(`{"a":${nested(MAX_JSON_DEPTH - 1)}}`)).toBe("ok");
    expect(verdict(`{"a":${nested(MAX_JSON_DEPTH)}}`)).toBe("422 a");
    expect(verdict(nested(10_000))).toBe("422 0");
    expect(verdict(`{"a":${nested(10_000).slice(0, -1)}}`)).toBe("400");
  });

  it("agrees with JSON.parse on what is JSON", () => {
    // A seeded generator over JSON's own characters: every text JSON.parse refuses is a 400 here, and every
    // text it takes is either taken or refused with 422 (never 400).
    const alphabet = [
      '"',
      "\\",
      "{",
      "}",
      "[",
      "]",
      ",",
      ":",
      " ",
      "\n",
      "0",
      "1",
      "-",
      ".",
      "e",
      "+",
      "a",
      "u",
      "t",
      "r",
      "n",
      "l",
      "f",
      "s",
    ];
    let seed = 11;
    const next = () => {
      seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31;
      return seed;
    };
    let disagreements = 0;
    let valid = 0;
    for (let run = 0; run < 20_000; run++) {
      const length = 1 + (next() % 12);
      const text = Array.from({ length }, () => alphabet[next() % alphabet.length]).join("");
      let parses = true;
      try {
        JSON.parse(text);
      } catch {
        parses = false;
      }
      const answer = verdict(text);
      if (parses) valid++;
      if (parses ? answer.startsWith("400") : answer !== "400") disagreements++;
    }
    expect(valid).toBeGreaterThan(100);
    expect(disagreements).toBe(0);
  });
});
