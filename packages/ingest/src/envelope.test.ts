import { serializeEnvelope } from "./envelope.js";

describe("serializeEnvelope", () => {
  it("gives the same bytes as JSON.stringify of the whole envelope", () => {
    const data = { order: { id: 7, note: 'quote " and \u2028 line' }, list: [1, null, true] };
    const at = new Date("2026-12-01T10:00:00.123Z");
    expect(serializeEnvelope("evt_1", "order.paid", at, "proj_1", JSON.stringify(data))).toBe(
      JSON.stringify({
        event_id: "evt_1",
        event_type: "order.paid",
        created_at: at.toISOString(),
        project_id: "proj_1",
        data,
      }),
    );
  });

  it("keeps the data's own text, digits of big integers included", () => {
    const text = serializeEnvelope("evt_1", "t", new Date(0), "proj_1", '{"id": 9007199254740993}');
    expect(text.endsWith(',"data":{"id": 9007199254740993}}')).toBe(true);
    expect(() => JSON.parse(text)).not.toThrow();
  });
});
