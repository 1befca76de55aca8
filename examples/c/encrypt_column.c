/* Example: validate a column of resident IDs, then encrypt it, with the C API of libcivitas.
 *   encrypt_column [TABLE.csv [OUT.csv]]   (default: examples/data/employment.csv)
 * Reads a CSV (UTF-8, comma-separated, a header row, no quoted values), validates column "ric"
 * as resident IDs in one call (civ_id_validate_column), encrypts it in one call
 * (civ_crypto_field_encrypt_column) with each value bound to its resource, field and record
 * id (column "record_id"), writes the table with the ciphertexts (hex) when OUT.csv is given,
 * and decrypts the column back to show the round trip. The workspace is a throw-away one in a
 * temporary directory with a fixed master key; a department keeps its own (docs/workspace.md).
 * Build against an installed civitas:  cc encrypt_column.c $(pkg-config --cflags --libs civitas)
 */
#define _POSIX_C_SOURCE 200809L
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "civitas/civitas.h"

#ifndef EXAMPLE_TABLE
#define EXAMPLE_TABLE "employment.csv"
#endif

/* A column in the Arrow layout the column functions take: value i is data[off[i] .. off[i+1]). */
typedef struct {
  char *data;
  uint64_t *off;
  size_t count, cap, len, data_cap;
} column;

static int push(column *c, const char *v, size_t n) {
  if (c->count + 2 > c->cap) {
    size_t cap = c->cap ? c->cap * 2 : 256;
    uint64_t *o = (uint64_t *)realloc(c->off, cap * sizeof *o);
    if (!o) return -1;
    c->off = o;
    c->cap = cap;
  }
  if (c->len + n > c->data_cap) {
    size_t cap = (c->len + n) * 2 + 1024;
    char *d = (char *)realloc(c->data, cap);
    if (!d) return -1;
    c->data = d;
    c->data_cap = cap;
  }
  if (c->count == 0) c->off[0] = 0;
  memcpy(c->data + c->len, v, n);
  c->len += n;
  c->off[++c->count] = c->len;
  return 0;
}

/* The index of `name` in a header line, or -1. */
static int column_index(char *header, const char *name) {
  int i = 0;
  for (char *tok = strtok(header, ",\r\n"); tok; tok = strtok(NULL, ",\r\n"), ++i)
    if (strcmp(tok, name) == 0) return i;
  return -1;
}

/* Field i of a CSV line (no quoting), as pointer and length. */
static int field(const char *line, int i, const char **v, size_t *n) {
  for (; i > 0; --i) {
    line = strchr(line, ',');
    if (!line) return -1;
    ++line;
  }
  *v = line;
  *n = strcspn(line, ",\r\n");
  return 0;
}

static int fail(const char *what) {
  const civ_error *e = civ_error_last();
  fprintf(stderr, "%s: %s (%s)\n", what, e->message, civ_error_name(e->code));
  return 1;
}

static int run(const char *dir, const char *table, const char *out_path) {
  const char *dept = "11350100003001527P";
  char path[600], line[4096], header[4096];
  column ric = {0}, ids = {0};
  civ_ctx *ctx = NULL;
  civ_key_source key = CIV_KEY_SOURCE_INIT;
  civ_ctx_options opts = CIV_CTX_OPTIONS_INIT;
  civ_crypto_column_options col = CIV_CRYPTO_COLUMN_OPTIONS_INIT;
  unsigned char master[32];
  uint8_t *reasons = NULL, *enc = NULL, *dec = NULL;
  uint64_t *enc_off = NULL, *dec_off = NULL;
  size_t valid = 0;
  int ric_i, id_i, status = 1;
  FILE *in = fopen(table, "r");
  if (!in) {
    perror(table);
    return 1;
  }
  if (!fgets(header, sizeof header, in)) goto done;
  strcpy(line, header);
  ric_i = column_index(line, "ric");
  strcpy(line, header);
  id_i = column_index(line, "record_id");
  if (ric_i < 0 || id_i < 0) {
    fprintf(stderr, "%s: needs columns ric and record_id\n", table);
    goto done;
  }
  while (fgets(line, sizeof line, in)) {
    const char *v, *r;
    size_t n, rn;
    if (field(line, ric_i, &v, &n) != 0 || field(line, id_i, &r, &rn) != 0) {
      fprintf(stderr, "%s: row %zu is short\n", table, ric.count + 2);
      goto done;
    }
    if (push(&ric, v, n) != 0 || push(&ids, r, rn) != 0) goto done;
  }
  if (ric.count == 0) {
    fprintf(stderr, "%s: no rows\n", table);
    goto done;
  }

  /* 1. Validate the whole column in one call: one reason per value (0 = valid). */
  reasons = (uint8_t *)malloc(ric.count);
  if (!reasons) goto done;
  if (civ_id_validate_column(reasons, NULL, &valid, CIV_ID_RIC, ric.data, ric.off, ric.count, CIV_ID_STRICT) != CIV_OK) {
    fail("civ_id_validate_column");
    goto done;
  }
  printf("%s: %zu rows, %zu valid resident IDs\n", table, ric.count, valid);
  for (size_t i = 0; i < ric.count; ++i)
    if (reasons[i] != CIV_ID_OK)
      printf("  row %zu: %.*s invalid (%s)\n", i + 2, (int)(ric.off[i + 1] - ric.off[i]), ric.data + ric.off[i],
             civ_id_reason_name(reasons[i]));

  /* 2. A workspace (a raw 32-byte master key: from a KMS in real use; fixed here). */
  memset(master, 0x42, sizeof master);
  key.kind = CIV_KEY_RAW;
  key.secret = (const char *)master;
  key.secret_len = sizeof master;
  opts.department = dept;
  opts.department_len = strlen(dept);
  snprintf(path, sizeof path, "%s/hrss.db", dir);
  if (civ_ctx_create(&ctx, path, strlen(path), &key, &opts) != CIV_OK) {
    fail("civ_ctx_create");
    goto done;
  }

  /* 3. Encrypt the column: each ciphertext is bound to (resource, field, record id). */
  col.resource = "105002001/000031";
  col.resource_len = strlen(col.resource);
  col.field = "ric";
  col.field_len = 3;
  col.record_data = (const uint8_t *)ids.data;
  col.record_offsets = ids.off;
  if (civ_crypto_field_encrypt_column(&enc, &enc_off, ctx, (const uint8_t *)ric.data, ric.off, ric.count, &col) !=
      CIV_OK) {
    fail("civ_crypto_field_encrypt_column");
    goto done;
  }
  printf("encrypted %zu values: %llu bytes of ciphertext (%zu bytes of overhead each)\n", ric.count,
         (unsigned long long)enc_off[ric.count], civ_crypto_field_overhead());

  if (out_path) {
    FILE *out = fopen(out_path, "w");
    if (!out) {
      perror(out_path);
      goto done;
    }
    fprintf(out, "record_id,ric_encrypted\n");
    for (size_t i = 0; i < ric.count; ++i) {
      fprintf(out, "%.*s,", (int)(ids.off[i + 1] - ids.off[i]), ids.data + ids.off[i]);
      for (uint64_t b = enc_off[i]; b < enc_off[i + 1]; ++b) fprintf(out, "%02x", enc[b]);
      fputc('\n', out);
    }
    if (fclose(out) != 0) {
      perror(out_path);
      goto done;
    }
    printf("wrote %s\n", out_path);
  }

  /* 4. Decrypt it back (an audited action in the workspace) and compare. */
  if (civ_crypto_field_decrypt_column(&dec, &dec_off, ctx, enc, enc_off, ric.count, &col) != CIV_OK) {
    fail("civ_crypto_field_decrypt_column");
    goto done;
  }
  if (dec_off[ric.count] != ric.off[ric.count] || memcmp(dec, ric.data, ric.len) != 0) {
    fprintf(stderr, "the decrypted column differs from the original\n");
    goto done;
  }
  printf("decrypted: the column is back, unchanged\n");

  /* 5. A ciphertext moved to another record is refused: the record id is bound to it. */
  col.record_data = NULL;
  col.record_offsets = NULL;
  {
    char *one = NULL;
    size_t one_len = 0;
    civ_crypto_field_context ad = CIV_CRYPTO_FIELD_CONTEXT_INIT;
    ad.resource = col.resource;
    ad.resource_len = col.resource_len;
    ad.field = "ric";
    ad.field_len = 3;
    ad.record = ids.data + ids.off[1];  /* the second record's id for the first value */
    ad.record_len = (size_t)(ids.off[2] - ids.off[1]);
    int rc = civ_crypto_field_decrypt(&one, &one_len, ctx, &ad, enc + enc_off[0], (size_t)(enc_off[1] - enc_off[0]));
    civ_free(one);
    if (rc != CIV_EINTEGRITY) {
      fprintf(stderr, "a value moved to another record was not refused (%s)\n", civ_error_name(rc));
      goto done;
    }
    printf("moved to another record: %s\n", civ_error_name(rc));
  }
  status = valid == ric.count ? 0 : 1;

done:
  if (in) fclose(in);
  free(reasons);
  civ_free(enc);
  civ_free(enc_off);
  civ_free(dec);
  civ_free(dec_off);
  free(ric.data);
  free(ric.off);
  free(ids.data);
  free(ids.off);
  civ_ctx_free(ctx);
  return status;
}

int main(int argc, char **argv) {
  char dir[] = "/tmp/civitas-example-XXXXXX";
  char cmd[100];
  int status;
  printf("civitas %s\n", civ_version());
  if (!mkdtemp(dir)) {
    perror("mkdtemp");
    return 1;
  }
  status = run(dir, argc > 1 ? argv[1] : EXAMPLE_TABLE, argc > 2 ? argv[2] : NULL);
  snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
  if (system(cmd) != 0) fprintf(stderr, "could not remove %s\n", dir);
  return status;
}
