/* SQLite workload for the benchmark suite: an in-memory database filled with generated
 * rows, then indexed, queried (aggregates, joins, sorting, LIKE), updated and deleted
 * from; every query's result is printed so the output checks the whole run. The first
 * line, printed as soon as the database is open, names the scale and SQLite's version.
 *
 *   sqlbench [SCALE]
 *
 * Built against the amalgamation made from Debian's sqlite3 source package, with
 * SQLITE_OS_OTHER: the database lives in memory only, so the operating-system layer
 * below is a minimal VFS that opens no files and gives deterministic "randomness" and
 * time. The native and the WebAssembly builds use this same VFS, so both do the same work. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sqlite3.h"

static int vfs_open(sqlite3_vfs *v, const char *name, sqlite3_file *f, int flags, int *out) {
  (void)v, (void)name, (void)f, (void)flags, (void)out;
  return SQLITE_CANTOPEN; /* memory databases and memory temp store never get here */
}
static int vfs_delete(sqlite3_vfs *v, const char *name, int sync) {
  (void)v, (void)name, (void)sync;
  return SQLITE_IOERR_DELETE;
}
static int vfs_access(sqlite3_vfs *v, const char *name, int flags, int *out) {
  (void)v, (void)name, (void)flags;
  *out = 0;
  return SQLITE_OK;
}
static int vfs_fullpath(sqlite3_vfs *v, const char *name, int n, char *out) {
  (void)v;
  snprintf(out, (size_t)n, "%s", name);
  return SQLITE_OK;
}
static int vfs_random(sqlite3_vfs *v, int n, char *out) {
  (void)v;
  static unsigned state = 2166136261u;
  for (int i = 0; i < n; i++) {
    state = state * 1664525u + 1013904223u;
    out[i] = (char)(state >> 24);
  }
  return n;
}
static int vfs_sleep(sqlite3_vfs *v, int us) {
  (void)v;
  return us;
}
static int vfs_time(sqlite3_vfs *v, double *out) {
  (void)v;
  *out = 2460000.5; /* a fixed Julian day: the workload's output must not depend on it */
  return SQLITE_OK;
}
static int vfs_last_error(sqlite3_vfs *v, int n, char *out) {
  (void)v, (void)n, (void)out;
  return 0;
}

static sqlite3_vfs memory_vfs = {
    1, sizeof(sqlite3_file), 512, NULL, "bench-memory", NULL,
    vfs_open, vfs_delete, vfs_access, vfs_fullpath, NULL, NULL, NULL, NULL,
    vfs_random, vfs_sleep, vfs_time, vfs_last_error,
};

int sqlite3_os_init(void) { return sqlite3_vfs_register(&memory_vfs, 1); }
int sqlite3_os_end(void) { return SQLITE_OK; }

static sqlite3 *db;

static void die(const char *what) {
  fprintf(stderr, "sqlbench: %s: %s\n", what, sqlite3_errmsg(db));
  exit(1);
}

static void exec(const char *sql) {
  char *err = NULL;
  if (sqlite3_exec(db, sql, NULL, NULL, &err) != SQLITE_OK) {
    fprintf(stderr, "sqlbench: %s: %s\n", sql, err ? err : "?");
    exit(1);
  }
}

/* Prints every row of a query as `label|col|col...`. */
static void query(const char *label, const char *sql) {
  sqlite3_stmt *st;
  if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK) die(sql);
  int rc;
  while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
    printf("%s", label);
    for (int i = 0; i < sqlite3_column_count(st); i++) {
      const unsigned char *t = sqlite3_column_text(st, i);
      printf("|%s", t ? (const char *)t : "NULL");
    }
    printf("\n");
  }
  if (rc != SQLITE_DONE) die(sql);
  sqlite3_finalize(st);
}

int main(int argc, char **argv) {
  int scale = argc > 1 ? atoi(argv[1]) : 1;
  if (scale < 1 || scale > 1000) {
    fprintf(stderr, "usage: sqlbench [SCALE 1..1000]\n");
    return 2;
  }
  if (sqlite3_open(":memory:", &db) != SQLITE_OK) die("open");
  /* a first line at once, as SQLite's own speedtest1 prints its header: the time to it is
   * the program's start-up (the first query result comes after the tables are filled) */
  printf("sqlbench %d, SQLite %s\n", scale, sqlite3_libversion());
  exec("CREATE TABLE customer(id INTEGER PRIMARY KEY, name TEXT, region INTEGER);"
       "CREATE TABLE orders(id INTEGER PRIMARY KEY, customer INTEGER, amount INTEGER,"
       " note TEXT);");

  const int customers = 2000 * scale, orders = 40000 * scale;
  sqlite3_stmt *st;
  unsigned s = 12345;
  exec("BEGIN");
  if (sqlite3_prepare_v2(db, "INSERT INTO customer VALUES(?,?,?)", -1, &st, NULL)) die("prep");
  for (int i = 1; i <= customers; i++) {
    char name[32];
    s = s * 1103515245u + 12345u;
    snprintf(name, sizeof name, "cust%05u", (s >> 8) % 100000);
    sqlite3_bind_int(st, 1, i);
    sqlite3_bind_text(st, 2, name, -1, SQLITE_TRANSIENT);
    sqlite3_bind_int(st, 3, (int)((s >> 4) % 17));
    if (sqlite3_step(st) != SQLITE_DONE) die("insert customer");
    sqlite3_reset(st);
  }
  sqlite3_finalize(st);
  if (sqlite3_prepare_v2(db, "INSERT INTO orders VALUES(?,?,?,?)", -1, &st, NULL)) die("prep");
  for (int i = 1; i <= orders; i++) {
    char note[48];
    s = s * 1103515245u + 12345u;
    snprintf(note, sizeof note, "order %d %s", i, (s >> 20) % 3 ? "regular" : "rush delivery");
    sqlite3_bind_int(st, 1, i);
    sqlite3_bind_int(st, 2, (int)((s >> 3) % (unsigned)customers) + 1);
    sqlite3_bind_int(st, 3, (int)((s >> 11) % 10000));
    sqlite3_bind_text(st, 4, note, -1, SQLITE_TRANSIENT);
    if (sqlite3_step(st) != SQLITE_DONE) die("insert order");
    sqlite3_reset(st);
  }
  sqlite3_finalize(st);
  exec("COMMIT");

  query("count", "SELECT count(*), sum(amount), min(amount), max(amount) FROM orders");
  exec("CREATE INDEX orders_customer ON orders(customer)");
  query("top", "SELECT c.name, sum(o.amount) AS total FROM customer c JOIN orders o"
               " ON o.customer = c.id GROUP BY c.id ORDER BY total DESC, c.id LIMIT 5");
  query("region", "SELECT region, count(*), avg(amount) FROM customer c JOIN orders o"
                  " ON o.customer = c.id GROUP BY region ORDER BY region");
  query("rush", "SELECT count(*) FROM orders WHERE note LIKE '%rush%'");
  query("median", "SELECT amount FROM orders ORDER BY amount, id LIMIT 1 OFFSET"
                  " (SELECT count(*) / 2 FROM orders)");
  exec("UPDATE orders SET amount = amount * 2 WHERE amount % 7 = 0");
  exec("DELETE FROM orders WHERE amount < 500");
  query("after", "SELECT count(*), sum(amount) FROM orders");
  query("distinct", "SELECT count(DISTINCT name) FROM customer");
  sqlite3_close(db);
  return 0;
}
