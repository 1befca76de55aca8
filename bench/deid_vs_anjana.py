#!/usr/bin/env python3
"""ANJANA (PyPI anjana), the Python peer of `civitas deid run`: k-anonymity on ARX's Adult with
ARX's hierarchies, timed as a whole process by bench/deid_vs_anjana.sh. Prints the
non-uniform entropy of its output (ARX's definition) so the loss can be compared."""
import math
import sys
from collections import Counter

import pandas as pd
from anjana.anonymity import k_anonymity

adult, k, supp = sys.argv[1], int(sys.argv[2]), float(sys.argv[3])
QI = ["age", "education", "marital-status", "native-country", "race", "salary-class", "sex", "workclass"]
data = pd.read_csv(f"{adult}/adult.csv", sep=";", dtype=str, keep_default_na=False)
hier = {}
for q in QI:
    h = pd.read_csv(f"{adult}/adult_hierarchy_{q}.csv", sep=";", header=None, dtype=str, keep_default_na=False)
    hier[q] = {i: h[i].values for i in range(h.shape[1])}
out = k_anonymity(data, [], QI, k, supp, hier)
# ARX's non-uniform entropy of the released records (suppressed ones are not in ANJANA's output)
loss = 0.0
if len(out) == len(data):
    for q in QI:
        n_orig = Counter(data[q])
        n_gen = Counter(out[q])
        for orig, gen in zip(data[q], out[q]):
            loss += -math.log2(n_orig[orig] / n_gen[gen])
print(f"anjana k={k} supp={supp}: {len(out)} records, entropy {loss:.4f}" if len(out) == len(data)
      else f"anjana k={k} supp={supp}: {len(out)} records (suppressed records removed)")
