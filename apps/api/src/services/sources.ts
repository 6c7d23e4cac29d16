import {
  databaseRole,
  describeDatabase,
  installScript,
  type Source,
  uninstallScript,
  withSourceConnection,
} from "@hookrelay/db";
import {
  type CreateSourceInput,
  type ListQuery,
  newId,
  type SourceTable,
  type SourceView,
  sourceInstallSqlPath,
  type UpdateSourceInput,
} from "@hookrelay/shared";
import type { ApiContext } from "../context.js";
import { ApiError, notFound } from "../errors.js";
import { pageByKeyset } from "./pagination.js";
import { sourceDatabaseFailure } from "./source-database-errors.js";

export function presentSource(source: Source): SourceView {
  return {
    id: source.id,
    project_id: source.projectId,
    name: source.name,
    database: source.database,
    tables: source.tables as SourceTable[],
    enabled: source.enabled,
    status: source.status as SourceView["status"],
    last_error: source.lastError,
    pending_changes: source.pendingChanges,
    oldest_pending_at: source.oldestPendingAt?.toISOString() ?? null,
    created_at: source.createdAt.toISOString(),
    updated_at: source.updatedAt.toISOString(),
  };
}

function scriptFor(sourceId: string, databaseUrl: string, tables: SourceTable[]): string {
  return installScript({ sourceId, tables, captureRole: databaseRole(databaseUrl) });
}

/** The script was sent and the connection failed before its answer: it may or may not have committed. */
class OutcomeUnknown extends Error {}

async function runInSource(ctx: ApiContext, databaseUrl: string, script: string): Promise<void> {
  await withSourceConnection(databaseUrl, ctx.config.sourceTimeouts, async (connection) => {
    try {
      await connection.runScript(script);
    } catch (error) {
      if (sourceDatabaseFailure(error).kind !== "connection") throw error;
      throw new OutcomeUnknown(sourceDatabaseFailure(error).message);
    }
  });
}

/** Keeps the source visible (it may be installed) and answers 503: PATCH installs again, DELETE removes. */
async function outcomeUnknown(ctx: ApiContext, source: { id: string; tables?: SourceTable[] }, error: Error) {
  const message =
    `the install's outcome is unknown (${error.message}): PATCH the source's tables to install again, ` +
    "or DELETE it to remove whatever was installed";
  await ctx.db.source.update({
    where: { id: source.id },
    data: { status: "error", lastError: message, ...(source.tables && { tables: source.tables }) },
  });
  return new ApiError(503, "unavailable", message);
}

/**
 * Records the source, then installs its capture in the source database. Recorded first, so a crash in
 * between leaves a visible source (status error, not installed) rather than triggers nobody knows about.
 * A refused install removes the record again and answers 422 — except when only the privilege is missing:
 * the source stays (not installed) so a DBA can run its install.sql, and capture starts by itself after.
 */
export async function createSource(ctx: ApiContext, projectId: string, input: CreateSourceInput) {
  const project = await ctx.db.project.findUnique({ where: { id: projectId }, select: { id: true } });
  if (!project) throw notFound("project");
  const id = newId("source");
  await ctx.db.source.create({
    data: {
      id,
      projectId,
      name: input.name,
      databaseUrlCiphertext: ctx.secretBox.encrypt(input.database_url),
      database: describeDatabase(input.database_url),
      tables: input.tables,
      enabled: input.enabled ?? true,
    },
  });
  try {
    await runInSource(ctx, input.database_url, scriptFor(id, input.database_url, input.tables));
  } catch (error) {
    if (error instanceof OutcomeUnknown) throw await outcomeUnknown(ctx, { id }, error);
    const failure = sourceDatabaseFailure(error);
    if (failure.kind !== "privilege") {
      await ctx.db.source.delete({ where: { id } });
      throw new ApiError(422, "validation_error", failure.message, [
        { path: failure.kind === "connection" ? "database_url" : "tables", message: failure.message },
      ]);
    }
    const path = sourceInstallSqlPath(projectId, id);
    await ctx.db.source.update({
      where: { id },
      data: { status: "error", lastError: `not installed: ${failure.message}; a DBA can run ${path}` },
    });
    throw new ApiError(
      422,
      "validation_error",
      `the role may not install capture (${failure.message}); the source ${id} is recorded but not installed: ` +
        `have a DBA run the SQL from GET ${path}, and capture starts by itself`,
      [
        { path: "database_url", message: failure.message },
        { path: "install_sql", message: path },
      ],
    );
  }
  return presentSource(await findSource(ctx, projectId, id));
}

export function listSources(ctx: ApiContext, projectId: string, query: ListQuery) {
  return pageByKeyset(
    query,
    "desc",
    (args) => ctx.db.source.findMany({ ...args, where: { ...args.where, projectId } }),
    presentSource,
  );
}

async function findSource(ctx: ApiContext, projectId: string, sourceId: string): Promise<Source> {
  const source = await ctx.db.source.findFirst({ where: { id: sourceId, projectId } });
  if (!source) throw notFound("source");
  return source;
}

export async function getSource(ctx: ApiContext, projectId: string, sourceId: string) {
  return presentSource(await findSource(ctx, projectId, sourceId));
}

/** A new table list is installed first (one transaction in the source database), then recorded. */
export async function updateSource(
  ctx: ApiContext,
  projectId: string,
  sourceId: string,
  patch: UpdateSourceInput,
) {
  const source = await findSource(ctx, projectId, sourceId);
  if (patch.tables) {
    const databaseUrl = ctx.secretBox.decrypt(source.databaseUrlCiphertext);
    try {
      await runInSource(ctx, databaseUrl, scriptFor(source.id, databaseUrl, patch.tables));
    } catch (error) {
      if (error instanceof OutcomeUnknown) {
        throw await outcomeUnknown(ctx, { id: source.id, tables: patch.tables }, error);
      }
      const failure = sourceDatabaseFailure(error);
      if (failure.kind !== "privilege") {
        throw new ApiError(422, "validation_error", failure.message, [
          { path: failure.kind === "connection" ? "database_url" : "tables", message: failure.message },
        ]);
      }
      // Recorded, so that install.sql installs the tables asked for; capture resumes once a DBA ran it.
      const path = sourceInstallSqlPath(projectId, source.id);
      await ctx.db.source.update({
        where: { id: source.id },
        data: {
          tables: patch.tables,
          status: "error",
          lastError: `not installed: ${failure.message}; a DBA can run ${path}`,
        },
      });
      throw new ApiError(
        422,
        "validation_error",
        `the role may not install capture (${failure.message}); the new tables are recorded but not ` +
          `installed: have a DBA run the SQL from GET ${path}`,
        [
          { path: "tables", message: failure.message },
          { path: "install_sql", message: path },
        ],
      );
    }
  }
  const updated = await ctx.db.source.update({
    where: { id: source.id },
    data: {
      ...(patch.name !== undefined && { name: patch.name }),
      ...(patch.tables !== undefined && { tables: patch.tables }),
      ...(patch.enabled !== undefined && { enabled: patch.enabled }),
    },
  });
  return presentSource(updated);
}

/**
 * Uninstalls (its triggers and recorded changes; the schema with the last source), then forgets the
 * source. An unreachable database keeps the source (503) unless `force`: then nothing there is touched.
 */
export async function deleteSource(ctx: ApiContext, projectId: string, sourceId: string, force: boolean) {
  const source = await findSource(ctx, projectId, sourceId);
  if (!force) {
    try {
      await runInSource(ctx, ctx.secretBox.decrypt(source.databaseUrlCiphertext), uninstallScript(source.id));
    } catch (error) {
      const failure =
        error instanceof OutcomeUnknown
          ? { kind: "connection", message: error.message }
          : sourceDatabaseFailure(error);
      throw new ApiError(
        failure.kind === "connection" ? 503 : 422,
        failure.kind === "connection" ? "unavailable" : "validation_error",
        `could not remove the capture from ${source.database}: ${failure.message}; retry, or delete with ` +
          "?force=true and drop its triggers by hand",
      );
    }
  }
  await ctx.db.source.deleteMany({ where: { id: source.id } });
}

/** The exact script the api runs to install this source, for a DBA to run instead. */
export async function sourceInstallSql(
  ctx: ApiContext,
  projectId: string,
  sourceId: string,
): Promise<string> {
  const source = await findSource(ctx, projectId, sourceId);
  const databaseUrl = ctx.secretBox.decrypt(source.databaseUrlCiphertext);
  return scriptFor(source.id, databaseUrl, source.tables as SourceTable[]);
}
