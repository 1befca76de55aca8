/**
 * @file deid.h
 * @brief De-identification for open data: runs of a de-identification spec, risk measures,
 * differential-privacy aggregates (docs/deid.md, docs/formats/deid-spec.md,
 * docs/formats/deid-report.md). Included by civitas.h.
 */
#ifndef CIVITAS_DEID_H
#define CIVITAS_DEID_H

#include <stddef.h>
#include <stdint.h>

#include "civitas/civitas.h" /* CIV_API, CIV_NODISCARD, the error codes */
#include "civitas/workspace.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ==== de-identification runs (spec → output + report) ==== */


/* ==== end of runs section ==== */




/* ==== risk measures and reports ==== */


/* ==== end of risk section ==== */




/* ==== differential privacy ==== */


/* ==== end of differential-privacy section ==== */

#ifdef __cplusplus
}
#endif

#endif /* CIVITAS_DEID_H */
