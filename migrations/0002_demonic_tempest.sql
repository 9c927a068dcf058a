CREATE TABLE "usage_batches" (
	"source" text NOT NULL,
	"seq" bigint NOT NULL,
	"received_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "usage_batches_source_seq_pk" PRIMARY KEY("source","seq")
);
--> statement-breakpoint
CREATE TABLE "usage_counters" (
	"tenant_id" text NOT NULL,
	"resolution" text NOT NULL,
	"bucket" timestamp with time zone NOT NULL,
	"metric" text NOT NULL,
	"value" bigint NOT NULL,
	CONSTRAINT "usage_counters_tenant_id_resolution_bucket_metric_pk" PRIMARY KEY("tenant_id","resolution","bucket","metric")
);
--> statement-breakpoint
ALTER TABLE "admin_tokens" ADD COLUMN "created_by" text DEFAULT '' NOT NULL;--> statement-breakpoint
ALTER TABLE "api_tokens" ADD COLUMN "created_by" text DEFAULT '' NOT NULL;--> statement-breakpoint
CREATE INDEX "usage_batches_received_at_idx" ON "usage_batches" USING btree ("received_at");--> statement-breakpoint
CREATE INDEX "usage_counters_retention_idx" ON "usage_counters" USING btree ("resolution","bucket");