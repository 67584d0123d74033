// Drives one comwit-local database through the official libSQL client and prints what it saw,
// as one JSON object on stdout, for tests/acceptance/data to check.
//
// Environment: LIBSQL_URL (the database_url), TOKEN_FULL, TOKEN_READ_ONLY, TOKEN_REVOKED and
// TOKEN_EXPIRED (database tokens with those fates). Exits non-zero only when the client itself
// cannot run; every refusal the server gives is reported, not thrown.
import { createClient } from "@libsql/client";

const env = (name) => {
  const v = process.env[name];
  if (!v) {
    console.error(`check.mjs: ${name} is not set`);
    process.exit(2);
  }
  return v;
};
const url = env("LIBSQL_URL");
const client = (authToken) => createClient({ url, authToken, intMode: "bigint" });

// JSON cannot hold bigints or bytes: integers as strings, blobs as arrays of bytes, and each
// value with its JavaScript type so that the test sees what the client decoded.
const typed = (v) => {
  if (v === null) return { type: "null" };
  if (typeof v === "bigint") return { type: "bigint", value: v.toString() };
  if (typeof v === "number") return { type: "number", value: v };
  if (typeof v === "string") return { type: "string", value: v };
  if (v instanceof ArrayBuffer) return { type: "bytes", value: [...new Uint8Array(v)] };
  return { type: typeof v, value: String(v) };
};
const rows = (rs) => rs.rows.map((r) => rs.columns.map((_, i) => typed(r[i])));
const refusal = async (f) => {
  try {
    await f();
    return { refused: false };
  } catch (e) {
    return { refused: true, code: e.code ?? null, message: String(e.message ?? e) };
  }
};

const out = {};
const db = client(env("TOKEN_FULL"));
await db.execute("CREATE TABLE items (id INTEGER PRIMARY KEY, n INTEGER, f REAL, s TEXT, b BLOB, z)");
const positional = await db.execute({
  sql: "INSERT INTO items (n, f, s, b, z) VALUES (?, ?, ?, ?, ?)",
  args: [9007199254740993n, 2.5, "héllo ✓", new Uint8Array([0, 1, 254, 255]), null],
});
out.insert_positional = {
  rows_affected: positional.rowsAffected,
  last_insert_rowid: String(positional.lastInsertRowid),
};
const named = await db.execute({
  sql: "INSERT INTO items (n, s) VALUES (:n, $s)",
  args: { n: -42n, s: "named" },
});
out.insert_named = { rows_affected: named.rowsAffected, last_insert_rowid: String(named.lastInsertRowid) };
const selected = await db.execute("SELECT n, f, s, b, z FROM items ORDER BY id");
out.select = { columns: selected.columns, column_types: selected.columnTypes, rows: rows(selected) };

const batch = await db.batch(
  [
    { sql: "INSERT INTO items (s) VALUES (?)", args: ["batch-1"] },
    { sql: "INSERT INTO items (s) VALUES (?)", args: ["batch-2"] },
    "SELECT count(*) FROM items",
  ],
  "write",
);
out.batch = { results: batch.length, count: rows(batch[2])[0][0] };
out.batch_failing = await refusal(() =>
  db.batch(["INSERT INTO items (s) VALUES ('never')", "INSERT INTO nowhere VALUES (1)"], "write"),
);
out.after_failed_batch = rows(await db.execute("SELECT count(*) FROM items WHERE s = 'never'"))[0][0];

const committed = await db.transaction("write");
await committed.execute({ sql: "INSERT INTO items (s) VALUES (?)", args: ["tx-commit"] });
const inside = rows(await committed.execute("SELECT count(*) FROM items WHERE s = 'tx-commit'"))[0][0];
await committed.commit();
const rolled = await db.transaction("write");
await rolled.execute({ sql: "INSERT INTO items (s) VALUES (?)", args: ["tx-rollback"] });
await rolled.rollback();
const seen = rows(await db.execute("SELECT s FROM items WHERE s LIKE 'tx-%' ORDER BY id"));
out.transaction = { inside_before_commit: inside, after: seen.map((r) => r[0].value) };

out.sql_error = await refusal(() => db.execute("SELEC 1"));

const reader = client(env("TOKEN_READ_ONLY"));
out.read_only_select = rows(await reader.execute("SELECT count(*) FROM items"))[0][0];
out.read_only_write = await refusal(() => reader.execute("INSERT INTO items (s) VALUES ('ro')"));
out.read_only_ddl = await refusal(() => reader.execute("DROP TABLE items"));
out.revoked = await refusal(() => client(env("TOKEN_REVOKED")).execute("SELECT 1"));
out.expired = await refusal(() => client(env("TOKEN_EXPIRED")).execute("SELECT 1"));
out.final_count = rows(await db.execute("SELECT count(*) FROM items"))[0][0];

for (const c of [db, reader]) c.close();
console.log(JSON.stringify(out));
