import express, { type RequestHandler } from "express";
import { ApiError } from "../errors.js";

// The dashboard's forms (application/x-www-form-urlencoded), read strictly. body-parser's urlencoded parser
// turns bytes that are not UTF-8 into U+FFFD and a repeated field into an array (which the form code reads
// as an empty field): a field would change without a word. Either is refused with 400 instead; what our own
// pages post never does either.

const FORM_TYPE = "application/x-www-form-urlencoded";

const badForm = (message: string) => new ApiError(400, "validation_error", message);

function fieldsOf(text: string): Record<string, string> {
  const fields = new Map<string, string>();
  for (const pair of text.split("&")) {
    if (pair === "") continue;
    const equals = pair.indexOf("=");
    let name: string;
    let value: string;
    try {
      const decode = (part: string) => decodeURIComponent(part.replaceAll("+", " "));
      name = decode(equals < 0 ? pair : pair.slice(0, equals));
      value = equals < 0 ? "" : decode(pair.slice(equals + 1));
    } catch {
      throw badForm("the form is not valid percent-encoded UTF-8");
    }
    if (fields.has(name)) throw badForm(`the form field ${name} is given more than once`);
    fields.set(name, value);
  }
  // fromEntries defines each field as an own property: a field named __proto__ stays a field.
  return Object.fromEntries(fields);
}

/** Reads a form body (up to `limit` bytes) into `req.body` as field → text; `{}` when there is none. */
export function formBody(limit: number): RequestHandler[] {
  const parse: RequestHandler = (req, _res, next) => {
    const bytes: unknown = req.body;
    // Only forms are read; pages (GET) take none.
    if (req.method !== "POST" || !Buffer.isBuffer(bytes) || bytes.length === 0) {
      req.body = {};
      return next();
    }
    const [mediaType = "", ...parameters] = (req.headers["content-type"] ?? "").split(";");
    const charset = parameters
      .map((parameter) => parameter.trim().toLowerCase())
      .find((parameter) => parameter.startsWith("charset="));
    if (mediaType.trim().toLowerCase() !== FORM_TYPE) {
      return next(badForm(`a form must be sent as ${FORM_TYPE}`));
    }
    if (charset !== undefined && charset !== "charset=utf-8") {
      return next(badForm("a form must be UTF-8"));
    }
    // Percent-encoding is ASCII; anything else in the body is not a form a browser sends.
    if (
      bytes.some((byte) => byte > 0x7e || (byte < 0x20 && byte !== 0x09 && byte !== 0x0a && byte !== 0x0d))
    ) {
      return next(badForm("the form is not valid percent-encoded UTF-8"));
    }
    try {
      req.body = fieldsOf(bytes.toString("latin1"));
      next();
    } catch (error) {
      next(error);
    }
  };
  return [express.raw({ type: () => true, limit }), parse];
}
