export const HOOKRELAY_VERSION = "0.1.0";
export const USER_AGENT = `hookrelay/${HOOKRELAY_VERSION}`;
