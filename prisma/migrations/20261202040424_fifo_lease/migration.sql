-- AlterTable
ALTER TABLE "webhooks" ADD COLUMN     "fifo_in_flight" TEXT,
ADD COLUMN     "fifo_lease_until" TIMESTAMPTZ(3);

