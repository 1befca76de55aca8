/* Example: validate identifiers with the C API of libcivitas.
 *   validate_ids [CODE...]   (defaults to a few sample codes)
 * Build against an installed civitas:  cc validate_ids.c $(pkg-config --cflags --libs civitas)
 */
#include <stdio.h>
#include <string.h>

#include "civitas/civitas.h"

static int show(int kind, const char *code) {
  civ_id_result r = CIV_ID_RESULT_INIT;
  if (civ_id_validate(&r, kind, code, strlen(code), 0) != CIV_OK) {
    fprintf(stderr, "error: %s\n", civ_error_last()->message);
    return -1;
  }
  if (!r.valid) {
    printf("%-8s %-20s invalid (%s): %s\n", civ_id_kind_name(kind), code, civ_id_reason_name(r.reason), r.message);
    return 0;
  }
  printf("%-8s %-20s valid, canonical %s", civ_id_kind_name(kind), code, r.canonical);
  if (r.parts.province[0]) printf(", %s%s%s", r.parts.province, r.parts.prefecture, r.parts.county);
  if (r.parts.birth_date[0]) printf(", born %s, sex %c", r.parts.birth_date, r.parts.sex);
  if (r.parts.authority_name[0]) printf(", %s / %s", r.parts.authority_name, r.parts.category_name);
  printf("\n");
  return 1;
}

int main(int argc, char **argv) {
  printf("civitas %s\n", civ_version());
  if (argc > 1) {
    int all = 1;
    for (int i = 1; i < argc; ++i) all &= show(strlen(argv[i]) >= 18 && argv[i][0] <= '9' && argv[i][6] <= '2' ? CIV_ID_RIC : CIV_ID_USCC, argv[i]) == 1;
    return all ? 0 : 1;
  }
  int ok = show(CIV_ID_USCC, "91350100M000100Y43") == 1;
  ok &= show(CIV_ID_USCC, "91350100M000100Y44") == 0;
  ok &= show(CIV_ID_ORGCODE, "M000100Y-4") == 1;
  ok &= show(CIV_ID_RIC, "11010519491231002X") == 1;
  ok &= show(CIV_ID_RIC, "110105491231002") == 1;
  return ok ? 0 : 1;
}
