#define _POSIX_C_SOURCE 200809L
/* The audit C API, from C: append (single, batch), log with filters, checkpoint, proofs,
 * offline checks of proofs and consistency, verification, bad input. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "capi_test.h"


#define TXT(s) (s), strlen(s)

/* An event with action (and actor, resource, purpose, details when not NULL). */
static civ_audit_event event(const char *actor, const char *action, const char *resource, const char *purpose,
                             const char *details) {
  civ_audit_event e = CIV_AUDIT_EVENT_INIT;
  e.actor = actor;
  e.actor_len = actor ? strlen(actor) : 0;
  e.action = action;
  e.action_len = action ? strlen(action) : 0;
  e.resource = resource;
  e.resource_len = resource ? strlen(resource) : 0;
  e.purpose = purpose;
  e.purpose_len = purpose ? strlen(purpose) : 0;
  e.details_json = details;
  e.details_len = details ? strlen(details) : 0;
  return e;
}

static size_t count_lines(const char *s) {
  size_t n = 0;
  for (; s && *s; ++s) n += *s == '\n';
  return n;
}

int main(void) {
  char dir[] = "/tmp/civitas-capi-audit-XXXXXX";
  char path[256], cmd[300];
  civ_ctx *ctx = NULL;
  civ_key_source key = CIV_KEY_SOURCE_INIT;
  civ_ctx_options opts = CIV_CTX_OPTIONS_INIT;
  const char *dept = "91350100M000100Y43";
  const char *actor = "91350100M000100Y43:carol";
  char raw[32];
  char *s = NULL, *note1 = NULL, *note2 = NULL, *proof = NULL, *vkey = NULL;
  uint64_t idx = 0, first = 0, size = 0;
  size_t count = 0;
  civ_audit_event ev;
  const char *batch =
      "{\"actor\":\"91350100M000100Y43:dave\",\"action\":\"batch.a\",\"resource\":\"r1\",\"details\":{\"n\":1}}\n"
      "\n"
      "{\"actor\":\"91350100M000100Y43\",\"action\":\"batch.b\",\"purpose\":\"p\"}\n";

  memset(raw, 7, sizeof raw);
  key.kind = CIV_KEY_RAW;
  key.secret = raw;
  key.secret_len = sizeof raw;
  if (!mkdtemp(dir)) return 2;
  snprintf(path, sizeof path, "%s/ws.db", dir);
  opts.department = dept;
  opts.department_len = strlen(dept);
  CHECK(civ_ctx_create(&ctx, path, strlen(path), &key, &opts) == CIV_OK);

  /* the workspace recorded its creation */
  CHECK(civ_audit_size(&size, ctx) == CIV_OK && size == 1);
  ev = event(actor, "data.read", "res-9", "check", "{\"b\":1,\"a\":2}");
  CHECK(civ_audit_append(&idx, ctx, &ev) == CIV_OK);
  CHECK(idx == 1);
  ev = event(actor, "x", NULL, NULL, NULL);
  CHECK(civ_audit_append(NULL, ctx, &ev) == CIV_OK);
  CHECK(civ_audit_append_batch(&first, &count, ctx, batch, strlen(batch)) == CIV_OK);
  CHECK(first == 3 && count == 2);
  CHECK(civ_audit_size(&size, ctx) == CIV_OK && size == 5);

  /* bad input: clear errors, nothing appended */
  ev = event("nobody", "x", NULL, NULL, NULL);
  CHECK(civ_audit_append(NULL, ctx, &ev) == CIV_EINVAL);
  ev = event(actor, "", NULL, NULL, NULL);
  CHECK(civ_audit_append(NULL, ctx, &ev) == CIV_EINVAL);
  ev = event(actor, "x", NULL, NULL, "{\"f\":0.5}");
  CHECK(civ_audit_append(NULL, ctx, &ev) == CIV_EINVAL);
  ev = event(actor, "x", NULL, NULL, NULL);
  CHECK(civ_audit_append(NULL, NULL, &ev) == CIV_EINVAL);
  CHECK(civ_audit_append(NULL, ctx, NULL) == CIV_EINVAL);
  ev.actor = NULL;
  ev.actor_len = 5;
  CHECK(civ_audit_append(NULL, ctx, &ev) == CIV_EINVAL);
  ev = event(actor, "x", NULL, NULL, NULL);
  ev.version = 0;
  CHECK(civ_audit_append(NULL, ctx, &ev) == CIV_EINVAL);
  CHECK(strstr(civ_error_last()->message, "civ_audit_event.version") != NULL);
  ev.version = CIV_AUDIT_EVENT_VERSION + 1;
  CHECK(civ_audit_append(NULL, ctx, &ev) == CIV_EINVAL);
  memset(&ev, 0x55, sizeof ev);
  CHECK(civ_audit_event_init(&ev, CIV_AUDIT_EVENT_VERSION) == CIV_OK && ev.version == CIV_AUDIT_EVENT_VERSION &&
        ev.actor == NULL && ev.details_len == 0);
  CHECK(civ_audit_event_init(&ev, 0) == CIV_EINVAL);
  CHECK(civ_audit_append_batch(NULL, NULL, ctx, TXT("{\"actor\":\"91350100M000100Y43\",\"action\":\"a\"}\nnot json\n")) == CIV_EPARSE);
  CHECK(strstr(civ_error_last()->message, "row 2") != NULL);
  CHECK(civ_audit_size(&size, ctx) == CIV_OK && size == 5);

  /* queries */
  CHECK(civ_audit_log(&s, ctx, NULL, 0) == CIV_OK && count_lines(s) == 5);
  civ_free(s);
  CHECK(civ_audit_log(&s, ctx, TXT("{\"actor\":\"91350100M000100Y43:dave\"}")) == CIV_OK && count_lines(s) == 1);
  CHECK(s && strstr(s, "\"action\":\"batch.a\"") && strstr(s, "\"leaf_hash\":\"") && strstr(s, "\"entry\":\"AQ"));
  civ_free(s);
  CHECK(civ_audit_log(&s, ctx, TXT("{\"action\":\"data.read\",\"limit\":1}")) == CIV_OK && count_lines(s) == 1);
  civ_free(s);
  CHECK(civ_audit_log(&s, ctx, TXT("{\"since_ms\":0,\"until_ms\":1}")) == CIV_OK && count_lines(s) == 0);
  civ_free(s);
  s = NULL;
  CHECK(civ_audit_log(&s, ctx, TXT("{\"colour\":1}")) == CIV_EPARSE && s == NULL);
  CHECK(civ_audit_log(&s, ctx, "{", 1) == CIV_EPARSE);

  /* checkpoints and proofs, checked offline */
  CHECK(civ_audit_checkpoint(&note1, ctx) == CIV_OK);
  CHECK(note1 && strncmp(note1, "civitas/audit/91350100M000100Y43\n5\n", 35) == 0);
  CHECK(civ_audit_public_key(&vkey, ctx) == CIV_OK && vkey && strncmp(vkey, "civitas/audit/91350100M000100Y43+", 33) == 0);
  CHECK(civ_audit_prove(&proof, ctx, 3, 0) == CIV_OK && proof && strstr(proof, "\"leaf_index\":3"));
  CHECK(civ_audit_verify_inclusion(proof, strlen(proof), note1, strlen(note1), vkey, strlen(vkey)) == CIV_OK);
  civ_free(proof);
  s = NULL;
  CHECK(civ_audit_checkpoint_open(&s, note1, strlen(note1), vkey, strlen(vkey)) == CIV_OK);
  CHECK(s && strstr(s, "\"origin\":\"civitas/audit/91350100M000100Y43\"") && strstr(s, "\"size\":5"));
  civ_free(s);
  CHECK(civ_audit_checkpoint_open(NULL, note1, strlen(note1), vkey, strlen(vkey)) == CIV_OK);
  CHECK(civ_audit_checkpoint_open(&s, note1, 10, vkey, strlen(vkey)) == CIV_EPARSE && s == NULL);
  CHECK(civ_audit_checkpoint_open(&s, note1, strlen(note1), "x+1+AAAA", 8) == CIV_EPARSE);
  {
    char forged[1024];
    size_t n = strlen(note1);
    CHECK(n < sizeof forged);
    if (n < sizeof forged) {
      memcpy(forged, note1, n + 1);
      /* damage the signature with another valid base64 character (a flipped bit could make
       * an invalid one: a parse error, not a bad signature) */
      forged[n - 10] = forged[n - 10] == 'A' ? 'B' : 'A';
      CHECK(civ_audit_checkpoint_open(&s, forged, n, vkey, strlen(vkey)) == CIV_ESIGNATURE && s == NULL);
    }
  }
  CHECK(civ_audit_prove(&proof, ctx, 3, 4) == CIV_OK);
  CHECK(civ_audit_verify_inclusion(proof, strlen(proof), note1, strlen(note1), vkey, strlen(vkey)) == CIV_EINVAL);
  civ_free(proof);
  CHECK(civ_audit_prove(&proof, ctx, 5, 0) == CIV_EINVAL);

  ev = event(actor, "later", NULL, NULL, NULL);
  CHECK(civ_audit_append(NULL, ctx, &ev) == CIV_OK);
  CHECK(civ_audit_checkpoint(&note2, ctx) == CIV_OK);
  CHECK(civ_audit_consistency(&proof, ctx, 5, 0) == CIV_OK);
  CHECK(civ_audit_check_consistency(note1, strlen(note1), note2, strlen(note2), proof, strlen(proof), vkey, strlen(vkey)) == CIV_OK);
  CHECK(civ_audit_check_consistency(note2, strlen(note2), note1, strlen(note1), proof, strlen(proof), vkey, strlen(vkey)) != CIV_OK);
  note2[strlen(note2) - 10] ^= 1; /* damage the signature */
  CHECK(civ_audit_check_consistency(note1, strlen(note1), note2, strlen(note2), proof, strlen(proof), vkey, strlen(vkey)) != CIV_OK);
  civ_free(proof);

  s = NULL;
  CHECK(civ_audit_verify(&s, ctx, note1, strlen(note1)) == CIV_OK);
  CHECK(s && strstr(s, "\"ok\":true"));
  civ_free(s);
  CHECK(civ_audit_verify(NULL, ctx, note2, strlen(note2)) == CIV_EINTEGRITY); /* the damaged note is reported */

  civ_free(note1);
  civ_free(note2);
  civ_free(vkey);
  civ_ctx_free(ctx);
  snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
  if (system(cmd) != 0) fprintf(stderr, "cleanup failed\n");
  if (failures) fprintf(stderr, "%d failures\n", failures);
  return failures ? 1 : 0;
}
