// Defaults that more than one process (and prisma.config.ts) must agree on. Nothing here reads process.env.
export const DEFAULT_DATABASE_URL = "postgresql://postgres@127.0.0.1:5432/hookrelay";
export const DEFAULT_REDIS_URL = "redis://127.0.0.1:6379";
export const DEFAULT_QUEUE_PREFIX = "hookrelay";
export const DEFAULT_RETRY_SCHEDULE = "5s,5m,30m,2h,5h,10h";
