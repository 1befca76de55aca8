// civitas::deid — de-identification for open data (docs/deid.md): transforms, hierarchies,
// privacy models, the optimal search over weighted frequency tables, risk and utility,
// differential-privacy aggregates, reports. Formats: docs/formats/deid-spec.md,
// docs/formats/deid-report.md.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "civitas/error.hpp"

namespace civitas::deid {

// ==== spec, hierarchies, frequency tables, privacy models, search, measures ====


// ==== end of search section ====




// ==== field transforms, risk measures, reports (JSON, HTML) ====


// ==== end of transforms/risk section ====




// ==== differential privacy (discrete noise, bounded contributions, aggregates) ====


// ==== end of differential-privacy section ====

}  // namespace civitas::deid
