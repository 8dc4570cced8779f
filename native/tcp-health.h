// Native TCP health pass: the per-packet part of src/analysis/health/tcp-health-observer.ts
// (Wireshark-equivalent sequence analysis, RTT samples, sizes, black holes) in C++, fed in
// batches by src/analysis/health/native-health-observer.ts. The TypeScript observer stays the
// reference: test/health/native-health.test.ts compares whole analyses of every capture.
#pragma once
#include <napi.h>

namespace vma {

/** The HealthEngine class (run, read, layout): one per Analyzer, state per stream id. */
Napi::Function DefineHealthEngine(Napi::Env env);

}  // namespace vma
