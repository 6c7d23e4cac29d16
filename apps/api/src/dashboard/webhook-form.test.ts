import { createWebhookSchema } from "@hookrelay/shared";
import { ApiError, validationError } from "../errors.js";
import {
  createInputFrom,
  emptyWebhookForm,
  eventTypesFromText,
  formErrorsOf,
  formValuesFromBody,
  formValuesFromWebhook,
  headersFromText,
  updateInputFrom,
} from "./webhook-form.js";

describe("webhook form", () => {
  it("splits event types on commas and newlines, dropping blanks", () => {
    expect(eventTypesFromText("order.*, invoice.paid\r\n\n db.public.orders.insert ,")).toEqual([
      "order.*",
      "invoice.paid",
      "db.public.orders.insert",
    ]);
  });

  it("reads `Name: value` lines; a value may contain colons; bad and repeated lines are reported", () => {
    expect(headersFromText("X-Tenant: acme\r\nX-Url:  https://a.example:8443/x \n\n")).toEqual({
      headers: { "X-Tenant": "acme", "X-Url": "https://a.example:8443/x" },
      problems: [],
    });
    const { problems } = headersFromText("X-A: 1\nno colon here\nx-a: 2\n: empty name");
    expect(problems.map((problem) => problem.message)).toEqual([
      'line 2: expected "Name: value"',
      "x-a is given twice",
      'line 4: expected "Name: value"',
    ]);
    expect(() => createInputFrom({ ...emptyWebhookForm(), headers: "nonsense" })).toThrow(ApiError);
  });

  it("builds the create body with only what was filled in", () => {
    const values = formValuesFromBody({
      csrf: "token",
      url: " https://example.com/hook ",
      event_types: "order.*",
      name: "",
      secret: "",
      signature_header: "",
      signature_format: "hex",
    });
    expect(createInputFrom(values)).toEqual({
      url: "https://example.com/hook",
      event_types: ["order.*"],
      signature_format: "hex",
    });
    expect(createWebhookSchema.safeParse(createInputFrom(values)).success).toBe(true);
  });

  it("edits every shown field, keeps masked header values as stored, and clears emptied fields", () => {
    const values = formValuesFromWebhook({
      url: "https://example.com/hook",
      name: "orders",
      description: null,
      event_types: ["order.*", "invoice.*"],
      headers: { Authorization: "********", "X-Note": "hi" },
      filter: { "data.amount": { $gte: 100 } },
      signature_header: "X-Webhook-Signature",
      signature_format: "sha256=hex",
      enabled: true,
    });
    expect(values.event_types).toBe("order.*\ninvoice.*");
    expect(JSON.parse(values.filter)).toEqual({ "data.amount": { $gte: 100 } });
    expect(values.headers).toBe("Authorization: ********\nX-Note: hi");
    const patch = updateInputFrom(
      { ...values, name: "", headers: `${values.headers}\nX-New: ********`, enabled: false },
      { Authorization: "Bearer real-token", "X-Note": "hi" },
    );
    expect(patch).toEqual({
      url: "https://example.com/hook",
      event_types: ["order.*", "invoice.*"],
      name: null,
      description: null,
      headers: { Authorization: "Bearer real-token", "X-Note": "hi", "X-New": "********" },
      filter: { "data.amount": { $gte: 100 } },
      signature_header: null,
      signature_format: "sha256=hex",
      ordering: "none",
      enabled: false,
    });
  });

  it("sends the filter as JSON, an emptied one as null, and refuses text that is not JSON beside the field", () => {
    const values = { ...emptyWebhookForm(), url: "https://example.com/hook", event_types: "order.*" };
    expect(createInputFrom({ ...values, filter: '{"data.vip": true}' })).toMatchObject({
      filter: { "data.vip": true },
    });
    expect(createInputFrom(values)).not.toHaveProperty("filter");
    expect(updateInputFrom({ ...values, filter: "" }, {})).toMatchObject({ filter: null });
    const refused = (() => {
      try {
        createInputFrom({ ...values, filter: "{data.vip: true" });
      } catch (error) {
        return error as ApiError;
      }
      throw new Error("accepted text that is not JSON");
    })();
    expect(refused.status).toBe(422);
    expect(formErrorsOf(refused, values).filter?.[0]).toMatch(/not valid JSON/);
    const schemaRefusal = createWebhookSchema.safeParse({
      url: "https://example.com/hook",
      event_types: ["order.*"],
      filter: { "data.amount": { $gtt: 1 } },
    });
    expect(schemaRefusal.success).toBe(false);
    const [issue] = schemaRefusal.error?.issues ?? [];
    expect(issue?.path).toEqual(["filter", "data.amount", "$gtt"]);
    const apiError = new ApiError(422, "validation_error", "x", [
      { path: issue?.path.join(".") ?? "", message: issue?.message ?? "" },
    ]);
    expect(formErrorsOf(apiError, values).filter?.[0]).toMatch(
      /^data\.amount\.\$gtt: unknown operator \$gtt/,
    );
  });

  it("puts the API's reasons beside the fields, naming the entry at fault", () => {
    const values = {
      ...emptyWebhookForm(),
      url: "ftp://x",
      event_types: "ok.one, bad type",
      headers: "X-Ok: 1",
    };
    const parsed = createWebhookSchema.safeParse(createInputFrom(values));
    if (parsed.success) throw new Error("expected a refusal");
    const errors = formErrorsOf(validationError(parsed.error), values);
    expect(errors.url).toEqual(["must use http or https"]);
    expect(errors.event_types?.[0]).toMatch(/^"bad type" must be an event type/);
    expect(errors.headers).toBeUndefined();
    expect(errors.form).toBeUndefined();

    const empty = createWebhookSchema.safeParse(createInputFrom({ ...values, event_types: " , " }));
    if (empty.success) throw new Error("expected a refusal");
    expect(formErrorsOf(validationError(empty.error), values).event_types).toBeDefined();
    expect(formErrorsOf(validationError(empty.error), { ...values, event_types: "" }).event_types).toEqual([
      "enter at least one event type",
    ]);

    try {
      createInputFrom({ ...values, headers: "X-Ok: 1\nhost: example.com\nWebhook-Id: x" });
      throw new Error("expected a refusal");
    } catch (error) {
      if (!(error instanceof ApiError)) throw error;
      expect(formErrorsOf(error, values).headers).toEqual([
        "host is set by hookrelay and cannot be a custom header",
        "Webhook-Id is set by hookrelay and cannot be a custom header",
      ]);
    }

    const limit = new ApiError(409, "limit_exceeded", "a project may have at most 25 webhooks");
    expect(formErrorsOf(limit, values)).toEqual({ form: ["a project may have at most 25 webhooks"] });
  });
});
