import { defineConfig } from 'drizzle-kit';

export default defineConfig({
  dialect: 'postgresql',
  schema: './control-plane/db/schema/index.ts',
  out: './migrations',
  strict: true,
  verbose: true,
});
