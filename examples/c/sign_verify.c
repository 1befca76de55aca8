/* Example: a workspace, a signature and its check with the C API of libcivitas.
 *   sign_verify [MESSAGE]
 * Creates a throw-away workspace in a temporary directory, signs MESSAGE, verifies the
 * signature, and shows that a changed message is refused with CIV_ESIGNATURE.
 * Build against an installed civitas:  cc sign_verify.c $(pkg-config --cflags --libs civitas)
 *
 * It follows the conventions of the C ABI (docs/c-api.md): every code is checked
 * (CIV_NODISCARD), outputs come first, inputs are (pointer, length), versioned structs start
 * from their *_INIT macro, caller buffers are sized with a size function, and
 * civ_error_last() explains a failure.
 */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "civitas/civitas.h"

static int fail(const char *what) {
  const civ_error *e = civ_error_last();
  fprintf(stderr, "%s: %s (%s)\n", what, e->message, civ_error_name(e->code));
  return 1;
}

static int run(const char *dir, const char *msg) {
  const char *dept = "91350100M000100Y43";
  char path[600], key_id[32];
  civ_ctx *ctx = NULL;
  civ_key_source key = CIV_KEY_SOURCE_INIT;
  civ_ctx_options opts = CIV_CTX_OPTIONS_INIT;
  unsigned char master[32];
  uint8_t *sig = NULL;
  size_t sig_len = 0, sig_cap = civ_crypto_signature_size();
  int rc, status = 1;

  /* A raw 32-byte master key (from a KMS in real use; fixed here). */
  memset(master, 0x5a, sizeof master);
  key.kind = CIV_KEY_RAW;
  key.secret = (const char *)master;
  key.secret_len = sizeof master;
  opts.department = dept;
  opts.department_len = strlen(dept);
  snprintf(path, sizeof path, "%s/example.db", dir);
  if (civ_ctx_create(&ctx, path, strlen(path), &key, &opts) != CIV_OK) return fail("civ_ctx_create");

  sig = (uint8_t *)malloc(sig_cap);
  if (!sig || civ_keys_id_size() + 1 > sizeof key_id) goto done;
  if (civ_crypto_sign(sig, sig_cap, &sig_len, key_id, sizeof key_id, ctx, (const uint8_t *)msg, strlen(msg)) !=
      CIV_OK) {
    fail("civ_crypto_sign");
    goto done;
  }
  printf("signed %zu bytes with key %s: a %zu-byte signature\n", strlen(msg), key_id, sig_len);

  rc = civ_crypto_verify(ctx, NULL, 0, (const uint8_t *)msg, strlen(msg), sig, sig_len);
  if (rc != CIV_OK) {
    fail("civ_crypto_verify");
    goto done;
  }
  printf("verified: ok\n");

  /* A changed message: the signature is refused, with its own code. */
  rc = civ_crypto_verify(ctx, NULL, 0, (const uint8_t *)msg, strlen(msg) - 1, sig, sig_len);
  if (rc != CIV_ESIGNATURE) {
    fprintf(stderr, "a changed message was not refused (%s)\n", civ_error_name(rc));
    goto done;
  }
  printf("changed message: %s (%s)\n", civ_error_name(rc), civ_error_last()->message);
  status = 0;

done:
  free(sig);
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
  status = run(dir, argc > 1 ? argv[1] : "approval 2024-17: share table A with department B");
  snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
  if (system(cmd) != 0) fprintf(stderr, "could not remove %s\n", dir);
  return status;
}
