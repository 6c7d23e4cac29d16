-- AlterTable
ALTER TABLE "webhooks" ADD COLUMN     "signature_format" TEXT NOT NULL DEFAULT 'sha256=hex',
ADD COLUMN     "signature_header" TEXT;

-- CreateTable
CREATE TABLE "sources" (
    "id" TEXT NOT NULL,
    "project_id" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "database_url_ciphertext" TEXT NOT NULL,
    "database" TEXT NOT NULL,
    "tables" JSONB NOT NULL,
    "enabled" BOOLEAN NOT NULL DEFAULT true,
    "status" TEXT NOT NULL DEFAULT 'active',
    "last_error" TEXT,
    "pending_changes" INTEGER NOT NULL DEFAULT 0,
    "oldest_pending_at" TIMESTAMPTZ(3),
    "backlog_checked_at" TIMESTAMPTZ(3),
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "sources_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "sources_project_id_id_idx" ON "sources"("project_id", "id");

-- AddForeignKey
ALTER TABLE "sources" ADD CONSTRAINT "sources_project_id_fkey" FOREIGN KEY ("project_id") REFERENCES "projects"("id") ON DELETE CASCADE ON UPDATE CASCADE;

