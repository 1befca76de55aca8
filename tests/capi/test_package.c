/* C API tests of exchange packages, written in C against libcivitas.so: a streaming writer to
   a memory sink, the streaming reader fed in pieces, the file writer and civ_package_open,
   inspect and verify, and refusals with their codes. */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define CIV_EXPERIMENTAL 1 /* the explicit-key functions */
#include "capi_test.h"

/* Fixed test keys (libsodium seed key pairs). */
static const uint8_t kSignSk[64] = {0x01,0x02,0x03,0x04,0x05,0x06,0x07,0x08,0x09,0x0a,0x0b,0x0c,0x0d,0x0e,0x0f,0x10,0x11,0x12,0x13,0x14,0x15,0x16,0x17,0x18,0x19,0x1a,0x1b,0x1c,0x1d,0x1e,0x1f,0x20,0x79,0xb5,0x56,0x2e,0x8f,0xe6,0x54,0xf9,0x40,0x78,0xb1,0x12,0xe8,0xa9,0x8b,0xa7,0x90,0x1f,0x85,0x3a,0xe6,0x95,0xbe,0xd7,0xe0,0xe3,0x91,0x0b,0xad,0x04,0x96,0x64};
static const uint8_t kSignPk[32] = {0x79,0xb5,0x56,0x2e,0x8f,0xe6,0x54,0xf9,0x40,0x78,0xb1,0x12,0xe8,0xa9,0x8b,0xa7,0x90,0x1f,0x85,0x3a,0xe6,0x95,0xbe,0xd7,0xe0,0xe3,0x91,0x0b,0xad,0x04,0x96,0x64};
static const uint8_t kBoxSk[32] = {0x68,0x46,0x77,0x97,0x55,0xe8,0x84,0xab,0x17,0x63,0x74,0x35,0xba,0xc0,0x69,0x37,0x15,0x5f,0xf9,0x78,0xcb,0x2d,0x20,0x81,0x03,0x01,0x47,0x53,0x59,0x89,0xf9,0x7d};
static const uint8_t kBoxPk[32] = {0x5b,0xcc,0xd4,0x84,0x52,0x77,0x14,0xf2,0x8e,0xb6,0xb6,0xfa,0x9e,0x43,0xfe,0xab,0xae,0x73,0xea,0xb1,0x92,0xae,0xf1,0xe7,0xd5,0x9d,0x21,0x11,0x34,0x3d,0x7b,0x70};
static const uint8_t kOtherSk[32] = {0xf9,0x10,0x36,0x3e,0x1c,0x9d,0x69,0xb5,0x9b,0x23,0x43,0x06,0x99,0x5b,0x79,0xbc,0xea,0xab,0x2f,0xe7,0x92,0x07,0x09,0x85,0x7d,0xe3,0xd7,0x0d,0x8a,0x8b,0x7e,0x33};
static const uint8_t kOtherPk[32] = {0x1d,0xc8,0xa2,0x73,0x21,0x09,0xc5,0x36,0xec,0xfd,0xe4,0x97,0xe8,0x6a,0xcb,0x64,0x9f,0xff,0xfb,0x21,0x60,0xaa,0xc0,0xa4,0xc6,0xe9,0x60,0xe1,0x2f,0x79,0xed,0x04};

static const char *kProvider = "91110000100000016D";
static const char *kConsumer = "911100001000000248";

struct buffer {
  unsigned char *data;
  size_t len, cap;
};

static int sink(void *user, const uint8_t *data, size_t len) {
  struct buffer *b = (struct buffer *)user;
  if (b->len + len > b->cap) {
    size_t cap = (b->len + len) * 2;
    unsigned char *p = (unsigned char *)realloc(b->data, cap);
    if (!p) return 1;
    b->data = p;
    b->cap = cap;
  }
  memcpy(b->data + b->len, data, len);
  b->len += len;
  return 0;
}

static int seen_calls = 0, remembered = 0;
static int seen(void *user, const char *provider, const char *consumer, uint64_t sequence) {
  (void)user;
  ++seen_calls;
  return remembered && strcmp(provider, kProvider) == 0 && strcmp(consumer, kConsumer) == 0 && sequence == 5;
}
static int remember(void *user, const char *provider, const char *consumer, uint64_t sequence, const char *id) {
  (void)user;
  (void)id;
  if (strcmp(provider, kProvider) == 0 && strcmp(consumer, kConsumer) == 0 && sequence == 5) remembered = 1;
  return 0;
}

static const char kCsv[] = "id,name,amount\n1,a,10\n2,b,20\n";
static const char kSchema[] =
    "{\"fields\":[{\"name\":\"id\",\"type\":\"integer\"},{\"name\":\"name\",\"type\":\"string\"},"
    "{\"name\":\"amount\",\"type\":\"integer\"}]}";

static civ_package_writer_keys writer_keys(civ_package_recipient *r) {
  civ_package_writer_keys k = CIV_PACKAGE_WRITER_KEYS_INIT;
  civ_package_recipient d = CIV_PACKAGE_RECIPIENT_INIT;
  *r = d;
  r->department = kConsumer;
  r->department_len = strlen(kConsumer);
  r->exchange_key = kBoxPk;
  r->exchange_key_len = sizeof kBoxPk;
  r->sequence = 5;
  k.provider = kProvider;
  k.provider_len = strlen(kProvider);
  k.signing_key = kSignSk;
  k.signing_key_len = sizeof kSignSk;
  k.recipients = r;
  k.recipient_count = 1;
  return k;
}

static civ_package_writer_options writer_opts(void) {
  civ_package_writer_options o = CIV_PACKAGE_WRITER_OPTIONS_INIT;
  o.catalog = "110000-000001";
  o.catalog_len = strlen(o.catalog);
  o.purpose = "c api test";
  o.purpose_len = strlen(o.purpose);
  o.chunk_size = 1024;
  return o;
}

static civ_package_reader_options reader_opts(civ_package_peer *peer, const uint8_t *sk, const uint8_t *pk) {
  civ_package_reader_options o = CIV_PACKAGE_READER_OPTIONS_INIT;
  civ_package_peer d = CIV_PACKAGE_PEER_INIT;
  *peer = d;
  peer->department = kProvider;
  peer->department_len = strlen(kProvider);
  peer->signing_key = kSignPk;
  peer->signing_key_len = sizeof kSignPk;
  o.exchange_secret = sk;
  o.exchange_secret_len = 32;
  o.exchange_public = pk;
  o.exchange_public_len = 32;
  o.peers = peer;
  o.peer_count = 1;
  o.seen = seen;
  o.remember = remember;
  return o;
}

static int file_exists(const char *p) {
  struct stat st;
  return stat(p, &st) == 0;
}

static void rm_rf(const char *dir) {
  char cmd[512];
  snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
  if (system(cmd) != 0) fprintf(stderr, "cannot remove %s\n", dir);
}

int main(void) {
  char dir[] = "/tmp/civitas-capi-xchg-XXXXXX";
  char pkg[600], out[600], out2[600];
  struct buffer mem = {NULL, 0, 0};
  civ_package_recipient rec;
  civ_package_peer peer;
  civ_package_writer *w = NULL;
  civ_package_reader *r = NULL;
  char *summary = NULL;
  size_t i;
  civ_package_writer_options wo;
  civ_package_writer_keys wk;
  civ_package_reader_options ro;
  civ_package_peer peers[2];

  if (!mkdtemp(dir)) return 2;
  snprintf(pkg, sizeof pkg, "%s/p.civpkg", dir);
  snprintf(out, sizeof out, "%s/out", dir);
  snprintf(out2, sizeof out2, "%s/out2", dir);

  /* options init */
  CHECK(civ_package_writer_options_init(&wo, CIV_PACKAGE_WRITER_OPTIONS_VERSION) == CIV_OK);
  CHECK(wo.threads == -1);
  CHECK(civ_package_writer_options_init(&wo, 99) == CIV_EINVAL);
  CHECK(civ_package_reader_options_init(&ro, CIV_PACKAGE_READER_OPTIONS_VERSION) == CIV_OK);

  /* streaming writer into memory */
  wo = writer_opts();
  wk = writer_keys(&rec);
  CHECK(civ_package_writer_create_stream(&w, sink, &mem, &wk, &wo) == CIV_OK);
  CHECK(civ_package_writer_begin_resource(w, "t", 1, kSchema, strlen(kSchema)) == CIV_OK);
  CHECK(civ_package_writer_write(w, kCsv, 10) == CIV_OK);
  CHECK(civ_package_writer_write(w, kCsv + 10, strlen(kCsv) - 10) == CIV_OK);
  CHECK(civ_package_writer_end_resource(w) == CIV_OK);
  CHECK(civ_package_writer_finish(w, &summary) == CIV_OK);
  CHECK(summary && strstr(summary, "\"package_id\""));
  civ_free(summary);
  summary = NULL;
  CHECK(civ_package_writer_finish(w, NULL) == CIV_EINVAL); /* already finished */
  civ_package_writer_free(w);
  w = NULL;
  CHECK(mem.len > 200);

  /* streaming reader fed in pieces of 100 bytes */
  ro = reader_opts(&peer, kBoxSk, kBoxPk);
  CHECK(civ_package_reader_create(&r, out, strlen(out), &ro) == CIV_OK);
  for (i = 0; i < mem.len; i += 100)
    CHECK(civ_package_reader_write(r, mem.data + i, mem.len - i < 100 ? mem.len - i : 100) == CIV_OK);
  CHECK(civ_package_reader_finish(r, &summary) == CIV_OK);
  CHECK(summary && strstr(summary, "c api test"));
  civ_free(summary);
  summary = NULL;
  civ_package_reader_free(r);
  r = NULL;
  {
    char p[700];
    snprintf(p, sizeof p, "%s/data/t.csv", out);
    CHECK(file_exists(p));
  }
  CHECK(remembered == 1);
  CHECK(seen_calls >= 1);

  /* the same package again: replay */
  CHECK(civ_package_reader_create(&r, out2, strlen(out2), &ro) == CIV_OK);
  CHECK(civ_package_reader_write(r, mem.data, mem.len) == CIV_EREPLAY);
  civ_package_reader_free(r);
  r = NULL;
  CHECK(!file_exists(out2));
  remembered = 0;

  /* not a recipient */
  ro = reader_opts(&peer, kOtherSk, kOtherPk);
  CHECK(civ_package_reader_create(&r, out2, strlen(out2), &ro) == CIV_OK);
  CHECK(civ_package_reader_write(r, mem.data, mem.len) == CIV_ENOTRECIPIENT);
  civ_package_reader_free(r);
  r = NULL;

  /* truncated */
  ro = reader_opts(&peer, kBoxSk, kBoxPk);
  CHECK(civ_package_reader_create(&r, out2, strlen(out2), &ro) == CIV_OK);
  CHECK(civ_package_reader_write(r, mem.data, mem.len - 50) == CIV_OK);
  CHECK(civ_package_reader_finish(r, NULL) == CIV_ETRUNCATED);
  civ_package_reader_free(r);
  r = NULL;
  CHECK(!file_exists(out2));

  /* file writer, inspect, verify, open */
  wo = writer_opts();
  wk = writer_keys(&rec);
  CHECK(civ_package_writer_create(&w, pkg, strlen(pkg), &wk, NULL) == CIV_OK);
  CHECK(civ_package_writer_begin_resource(w, "t", 1, NULL, 0) == CIV_OK);
  CHECK(civ_package_writer_write(w, kCsv, strlen(kCsv)) == CIV_OK);
  CHECK(civ_package_writer_end_resource(w) == CIV_OK);
  CHECK(civ_package_writer_finish(w, NULL) == CIV_OK);
  civ_package_writer_free(w);
  w = NULL;
  CHECK(civ_package_inspect(&summary, pkg, strlen(pkg)) == CIV_OK);
  CHECK(summary && strstr(summary, kConsumer));
  civ_free(summary);
  summary = NULL;
  CHECK(civ_package_verify(&summary, pkg, strlen(pkg), &peer, 1) == CIV_OK);
  civ_free(summary);
  summary = NULL;
  CHECK(civ_package_verify(NULL, pkg, strlen(pkg), NULL, 0) == CIV_EUNKNOWNKEY);
  /* an array of peers: every element carries the version of the first */
  peers[0] = peer;
  peers[1] = peer;
  CHECK(civ_package_verify(NULL, pkg, strlen(pkg), peers, 2) == CIV_OK);
  peers[1].version = 2;
  CHECK(civ_package_verify(NULL, pkg, strlen(pkg), peers, 2) == CIV_EINVAL);
  CHECK(strstr(civ_error_last()->message, "civ_package_peer[1].version") != NULL);
  peers[1] = peer;
  peers[1].signing_key_len = 31;
  CHECK(civ_package_verify(NULL, pkg, strlen(pkg), peers, 2) == CIV_EINVAL);
  peers[0].version = 0;
  CHECK(civ_package_verify(NULL, pkg, strlen(pkg), peers, 1) == CIV_EINVAL);
  CHECK(civ_package_open(NULL, pkg, strlen(pkg), out2, strlen(out2), &ro) == CIV_OK);
  CHECK(civ_package_open(NULL, pkg, strlen(pkg), out2, strlen(out2), &ro) == CIV_EREPLAY);

  /* bad arguments never crash */
  CHECK(civ_package_writer_create(NULL, pkg, strlen(pkg), &wk, &wo) == CIV_EINVAL);
  CHECK(civ_package_writer_create(&w, pkg, strlen(pkg), NULL, &wo) == CIV_EINVAL);
  wk.signing_key_len = 32;
  CHECK(civ_package_writer_create(&w, pkg, strlen(pkg), &wk, &wo) == CIV_EINVAL);
  wk.signing_key_len = 64;
  wo.version = 0;
  CHECK(civ_package_writer_create(&w, pkg, strlen(pkg), &wk, &wo) == CIV_EINVAL);
  CHECK(w == NULL);
  CHECK(civ_package_writer_write(NULL, "x", 1) == CIV_EINVAL);
  CHECK(civ_package_reader_create(&r, out2, strlen(out2), NULL) == CIV_EINVAL);
  CHECK(civ_package_inspect(&summary, "/nonexistent", 12) == CIV_ENOTFOUND);
  civ_package_writer_free(NULL);
  civ_package_reader_free(NULL);

  free(mem.data);
  rm_rf(dir);
  if (failures) {
    fprintf(stderr, "%d failure(s)\n", failures);
    return 1;
  }
  printf("ok\n");
  return 0;
}
