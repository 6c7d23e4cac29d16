// Durations as operators write them in the environment: `500ms`, `5s`, `5m`, `2h`, `14d`.
const UNIT_MS = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 } as const;
const DURATION = /^(\d+(?:\.\d+)?)(ms|s|m|h|d)$/;

export function parseDuration(text: string): number {
  const match = DURATION.exec(text.trim());
  if (!match?.[1] || !match[2]) {
    throw new Error(`"${text}" is not a duration (use e.g. 500ms, 5s, 5m, 2h, 14d)`);
  }
  return Math.round(Number(match[1]) * UNIT_MS[match[2] as keyof typeof UNIT_MS]);
}

export function parseDurationList(text: string): number[] {
  const delays = text.split(",").map(parseDuration);
  if (delays.length === 0 || delays.some((ms) => ms <= 0)) {
    throw new Error(`"${text}" must be a comma list of positive durations`);
  }
  return delays;
}
